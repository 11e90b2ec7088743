package dev.evmindexer.abi;

import java.util.Objects;

/**
 * A decoded value for a {@code jsonb} column (arrays of tuples, arrays that may be ragged), as JSON text.
 * Mapping: arrays are JSON arrays; tuples are objects keyed by the snake_case component names
 * ({@code arg<i>} when unnamed); integers are JSON numbers, exact at any width in {@code jsonb} (read
 * them with {@code (v->>'amount')::numeric}); addresses and byte strings are {@code "0x..."} lower-case
 * hex; bools are {@code true}/{@code false}; strings are JSON strings (NUL and invalid UTF-8 as U+FFFD).
 */
public record Jsonb(String text) {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public Jsonb {
        Objects.requireNonNull(text, "text");
    }

    /** The JSON for {@code value}, a decoded value of {@code type} (see {@link Decoded.Row}). */
    static Jsonb of(AbiType type, Object value) {
        StringBuilder sb = new StringBuilder(64);
        write(sb, type, value);
        return new Jsonb(sb.toString());
    }

    private static void write(StringBuilder sb, AbiType type, Object v) {
        switch (type) {
            case AbiType.ArrayType a -> {
                Object[] items = (Object[]) v;
                sb.append('[');
                for (int i = 0; i < items.length; i++) {
                    if (i > 0) sb.append(',');
                    write(sb, a.element(), items[i]);
                }
                sb.append(']');
            }
            case AbiType.TupleType t -> {
                Object[] items = (Object[]) v;
                sb.append('{');
                for (int i = 0; i < items.length; i++) {
                    AbiType.Component c = t.components().get(i);
                    if (i > 0) sb.append(',');
                    string(sb, Names.componentKey(c.name(), i));
                    sb.append(':');
                    write(sb, c.type(), items[i]);
                }
                sb.append('}');
            }
            case AbiType.BoolType b -> sb.append(((Boolean) v) ? "true" : "false");
            case AbiType.UintType u -> sb.append(v);
            case AbiType.IntType s -> sb.append(v);
            case AbiType.StringType s -> string(sb, (String) v);
            case AbiType.AddressType a -> hex(sb, (byte[]) v);
            case AbiType.FixedBytesType f -> hex(sb, (byte[]) v);
            case AbiType.BytesType b -> hex(sb, (byte[]) v);
        }
    }

    private static void hex(StringBuilder sb, byte[] b) {
        sb.append("\"0x");
        for (byte x : b) sb.append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
        sb.append('"');
    }

    /** A string value for jsonb, which cannot hold the NUL character: it becomes U+FFFD. */
    private static void string(StringBuilder sb, String s) {
        quote(sb, s.replace('\0', '\uFFFD'));
    }

    /** Appends {@code s} as a JSON string literal (quotes, backslashes and control characters escaped). */
    public static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    else sb.append(c);
                }
            }
        }
        return sb.append('"');
    }
}
