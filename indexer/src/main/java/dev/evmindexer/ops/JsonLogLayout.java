package dev.evmindexer.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import dev.evmindexer.abi.Jsonb;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One JSON object per line for {@code --log-format json}. Our log lines are a short key followed by
 * {@code key=value} pairs ({@code reorg chain=mainnet ancestor=#100 depth=2}); they become fields:
 * {@code {"ts":..,"level":"WARN","logger":"WalkBack","thread":..,"event":"reorg","chain":"mainnet",
 * "ancestor":"#100","depth":"2","msg":"reorg chain=..."}}. The whole message is always kept in {@code msg}.
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
    private static final Pattern EVENT = Pattern.compile("^([a-z][a-z0-9_]*(?:\\.[a-z0-9_]+)*)(?=\\s|$)");
    /**
     * A value, quoted or not, runs to the end of the line or to the space before the next {@code key=}: inner
     * quotes and spaces are kept ({@code block=#212(0xe5db6dba parent 0x1c2d3e4f)} is one value).
     */
    private static final Pattern PAIR = Pattern.compile(
            "(?s)(?<=^|\\s)([a-z][a-z0-9_]*)=(\".*?\"|\\S.*?|)(?=\\s+[a-z][a-z0-9_]*=|\\s*$)");
    private static final java.util.Set<String> RESERVED = java.util.Set.of("ts", "level", "logger", "thread", "event", "msg",
            "error");

    @Override
    public String doLayout(ILoggingEvent e) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("ts", Instant.ofEpochMilli(e.getTimeStamp()).toString());
        fields.put("level", e.getLevel().toString());
        String logger = e.getLoggerName();
        fields.put("logger", logger.substring(logger.lastIndexOf('.') + 1));
        fields.put("thread", e.getThreadName());
        String msg = e.getFormattedMessage() == null ? "" : e.getFormattedMessage();
        fields.putAll(parse(msg));
        fields.put("msg", msg);
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) fields.put("error", ThrowableProxyUtil.asString(t));
        return object(fields);
    }

    /**
     * The line a command that fails prints last ({@code error: ...} in text), as one JSON object:
     * level {@code ERROR}, event {@code error}, the text line in {@code msg}.
     */
    public static String fatal(String errorLine) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("ts", Instant.now().toString());
        fields.put("level", "ERROR");
        fields.put("logger", "Main");
        fields.put("thread", Thread.currentThread().getName());
        fields.put("event", "error");
        fields.put("msg", errorLine);
        String line = object(fields);
        return line.substring(0, line.length() - 1);
    }

    private static String object(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder(256).append('{');
        fields.forEach((k, v) -> {
            if (sb.length() > 1) sb.append(',');
            Jsonb.quote(sb, k).append(':');
            Jsonb.quote(sb, v);
        });
        return sb.append("}\n").toString();
    }

    /** The short key as {@code event} and each {@code key=value} (quotes removed), when the message has that shape. */
    static Map<String, String> parse(String msg) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher ev = EVENT.matcher(msg);
        if (!ev.find()) return out;
        Matcher p = PAIR.matcher(msg);
        boolean anyPair = false;
        Map<String, String> pairs = new LinkedHashMap<>();
        while (p.find()) {
            anyPair = true;
            String key = p.group(1);
            if (RESERVED.contains(key) || pairs.containsKey(key)) continue;
            String v = p.group(2);
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1);
            }
            pairs.put(key, v);
        }
        if (!anyPair && ev.end() != msg.length()) return out; // prose, not "key k=v ..."
        out.put("event", ev.group(1));
        out.putAll(pairs);
        return out;
    }
}
