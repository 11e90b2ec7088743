package dev.evmindexer.abi;

import dev.evmindexer.eth.Hash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An event declaration: its name, parameters and whether it is anonymous. Construction validates
 * the name, the parameter types and the number of indexed parameters (at most 3, or 4 when
 * anonymous, since a log has at most 4 topics and a non-anonymous event spends one on topic0).
 */
public record EventSignature(String name, List<EventParam> params, boolean anonymous) {
    public static final int MAX_TOPICS = 4;

    public EventSignature {
        if (name == null || !Names.isIdentifier(name)) {
            throw new AbiException("event name '" + name + "' is not a valid identifier");
        }
        Objects.requireNonNull(params, "params");
        params = List.copyOf(params);
        int indexed = 0;
        for (EventParam p : params) if (p.indexed()) indexed++;
        int max = anonymous ? MAX_TOPICS : MAX_TOPICS - 1;
        if (indexed > max) {
            throw new AbiException("event " + name + " has " + indexed + " indexed parameters; at most " + max
                    + " are allowed" + (anonymous ? " for an anonymous event" : " (4 when anonymous)"));
        }
    }

    /**
     * Parses a human-readable declaration such as
     * {@code event Transfer(address indexed from, address indexed to, uint256 value)}. The leading
     * {@code event} keyword, a trailing {@code anonymous} and a trailing {@code ;} are optional;
     * whitespace may appear between any two tokens. Each parameter is {@code type [indexed] [name]}.
     *
     * @throws AbiException naming the signature and what is wrong with it
     */
    public static EventSignature parse(String text) {
        if (text == null) throw new AbiException("event signature is null");
        try {
            return parseUnchecked(text);
        } catch (AbiException e) {
            throw new AbiException("bad event signature '" + abbreviate(text.strip()) + "': " + e.getMessage(), e);
        }
    }

    private static EventSignature parseUnchecked(String text) {
        String s = text.strip();
        if (s.endsWith(";")) s = s.substring(0, s.length() - 1).strip();
        if (s.startsWith("event") && s.length() > 5 && Character.isWhitespace(s.charAt(5))) s = s.substring(5).strip();
        int open = s.indexOf('(');
        if (open < 0) throw new AbiException("missing '(' after the event name");
        String name = s.substring(0, open).strip();
        if (name.isEmpty()) throw new AbiException("missing event name");
        if (!Names.isIdentifier(name)) throw new AbiException("event name '" + name + "' is not a valid identifier");
        int close = TypeParser.matchingParen(s, open);
        String after = s.substring(close + 1).strip();
        boolean anonymous = after.equals("anonymous");
        if (!after.isEmpty() && !anonymous) {
            throw new AbiException("unexpected '" + after + "' after the parameter list (only 'anonymous' may follow)");
        }
        List<EventParam> params = new ArrayList<>();
        String inside = s.substring(open + 1, close);
        if (!inside.isBlank()) {
            List<String> pieces = TypeParser.splitTopLevel(inside);
            for (int i = 0; i < pieces.size(); i++) params.add(parseParam(pieces.get(i), i));
        }
        return new EventSignature(name, params, anonymous);
    }

    /** {@code Transfer(address,address,uint256)}: the text whose keccak256 is topic0. */
    public String canonical() {
        StringBuilder sb = new StringBuilder(name).append('(');
        for (int i = 0; i < params.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(params.get(i).type());
        }
        return sb.append(')').toString();
    }

    /** keccak256 of {@link #canonical()}. Computed on every call: callers on hot paths keep it. */
    public Hash topic0() {
        return Hash.of(Keccak.keccak256(canonical().getBytes(StandardCharsets.UTF_8)));
    }

    /** Number of parameters carried in topics. */
    public int indexedCount() {
        int n = 0;
        for (EventParam p : params) if (p.indexed()) n++;
        return n;
    }

    /** The declaration in the form {@link #parse} reads, e.g. {@code event Transfer(address indexed from, ...)}. */
    public String humanReadable() {
        StringBuilder sb = new StringBuilder("event ").append(name).append('(');
        for (int i = 0; i < params.size(); i++) {
            EventParam p = params.get(i);
            if (i > 0) sb.append(", ");
            sb.append(p.abiType().declaration());
            if (p.indexed()) sb.append(" indexed");
            if (!p.name().isEmpty()) sb.append(' ').append(p.name());
        }
        sb.append(')');
        if (anonymous) sb.append(" anonymous");
        return sb.toString();
    }

    @Override
    public String toString() {
        return humanReadable();
    }

    private static EventParam parseParam(String piece, int position) {
        String p = piece.strip().replaceAll("\\s+(?=\\[)", "").replaceAll("\\[\\s+", "[").replaceAll("\\s+]", "]");
        if (p.isEmpty()) throw new AbiException("parameter " + (position + 1) + " is empty");
        if (p.startsWith("tuple ")) p = "tuple" + p.substring(5).stripLeading();
        int cut = TypeParser.typeEnd(p);
        String type = p.substring(0, cut);
        String rest = p.substring(cut).strip();
        String[] words = rest.isEmpty() ? new String[0] : rest.split("\\s+");
        boolean indexed = words.length > 0 && words[0].equals("indexed");
        int nameAt = indexed ? 1 : 0;
        if (words.length > nameAt + 1) {
            throw new AbiException("parameter " + (position + 1) + " '" + p + "' has unexpected words; expected 'type [indexed] [name]'");
        }
        String name = words.length > nameAt ? words[nameAt] : "";
        if (!name.isEmpty() && !Names.isIdentifier(name)) {
            throw new AbiException("parameter name '" + name + "' (parameter " + (position + 1) + ") is not a valid identifier");
        }
        return new EventParam(name, type, indexed);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
