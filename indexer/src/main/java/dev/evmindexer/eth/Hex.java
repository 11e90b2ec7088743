package dev.evmindexer.eth;

/** Hex encoding for 0x-prefixed byte strings and quantities, strict about what it accepts. */
public final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    /** Decodes {@code 0x}-prefixed (or bare) hex with an even number of digits. */
    public static byte[] decode(String hex) {
        if (hex == null) throw new IllegalArgumentException("hex string is null");
        int start = hex.startsWith("0x") || hex.startsWith("0X") ? 2 : 0;
        int len = hex.length() - start;
        if (len % 2 != 0) throw new IllegalArgumentException("odd number of hex digits: " + abbreviate(hex));
        byte[] out = new byte[len / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(hex.charAt(start + 2 * i), 16);
            int lo = Character.digit(hex.charAt(start + 2 * i + 1), 16);
            if (hi < 0 || lo < 0) throw new IllegalArgumentException("not a hex string: " + abbreviate(hex));
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    /** Encodes with a {@code 0x} prefix, lower case. */
    public static String encode(byte[] bytes) {
        char[] out = new char[2 + bytes.length * 2];
        out[0] = '0';
        out[1] = 'x';
        for (int i = 0; i < bytes.length; i++) {
            out[2 + 2 * i] = DIGITS[(bytes[i] >> 4) & 0xF];
            out[3 + 2 * i] = DIGITS[bytes[i] & 0xF];
        }
        return new String(out);
    }

    /** Parses a JSON-RPC quantity ({@code 0x1a}); rejects missing prefix, empty and values over 63 bits. */
    public static long quantity(String hex) {
        if (hex == null || !hex.startsWith("0x") || hex.length() < 3 || hex.length() > 18) {
            throw new IllegalArgumentException("not a hex quantity: " + abbreviate(hex));
        }
        long v = Long.parseUnsignedLong(hex.substring(2), 16);
        if (v < 0) throw new IllegalArgumentException("hex quantity out of range: " + hex);
        return v;
    }

    public static String quantity(long value) {
        if (value < 0) throw new IllegalArgumentException("negative quantity: " + value);
        return "0x" + Long.toHexString(value);
    }

    static String abbreviate(String s) {
        if (s == null) return "null";
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
