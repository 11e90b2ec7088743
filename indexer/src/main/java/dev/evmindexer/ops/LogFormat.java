package dev.evmindexer.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;

/** Switches the console log (stderr, from {@code logback.xml}) between its text pattern and {@link JsonLogLayout}. */
public final class LogFormat {
    private LogFormat() {}

    /** {@code text} (the default) or {@code json}; anything else is refused with the choices. */
    public static void apply(String format) {
        switch (format) {
            case "text" -> { }
            case "json" -> json();
            default -> throw new IllegalArgumentException("--log-format must be text or json, got '" + format + "'");
        }
    }

    private static void json() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return; // not logback: nothing to switch
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (var it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            if (!(a instanceof ConsoleAppender<ILoggingEvent> console)) continue;
            JsonLogLayout layout = new JsonLogLayout();
            layout.setContext(ctx);
            layout.start();
            LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
            encoder.setContext(ctx);
            encoder.setLayout(layout);
            encoder.start();
            console.stop();
            console.setEncoder(encoder);
            console.start();
        }
    }
}
