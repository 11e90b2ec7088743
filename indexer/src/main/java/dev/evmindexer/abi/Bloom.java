package dev.evmindexer.abi;

/**
 * Ethereum's 2048-bit logs bloom (yellow paper, M3:2048): each value sets three bits, chosen by the low
 * 11 bits of the first three byte pairs of its keccak256. A block's bloom holds every log's address and
 * topics. Bit {@code i} lives in byte {@code 255 - i / 8} at mask {@code 1 << (i % 8)} (big-endian), as in geth.
 */
public final class Bloom {
    public static final int SIZE = 256;

    private Bloom() {}

    /** False when {@code value} was certainly never added; true when it may have been. */
    public static boolean mightContain(byte[] bloom256, byte[] value) {
        return containsBits(bloom256, bits(value));
    }

    /** The three bit positions {@code value} sets: worth caching for values seen in many logs (tokens, topics). */
    public static int[] bits(byte[] value) {
        byte[] h = Keccak.keccak256(value);
        return new int[] {bitIndex(h, 0), bitIndex(h, 2), bitIndex(h, 4)};
    }

    /** {@link #mightContain} for a value's precomputed {@link #bits}. */
    public static boolean containsBits(byte[] bloom256, int[] bits) {
        checkSize(bloom256);
        for (int bit : bits) {
            if ((bloom256[SIZE - 1 - (bit >>> 3)] & (1 << (bit & 7))) == 0) return false;
        }
        return true;
    }

    /** Sets the three bits of {@code value} in {@code bloom256}. */
    public static void add(byte[] bloom256, byte[] value) {
        checkSize(bloom256);
        byte[] h = Keccak.keccak256(value);
        for (int i = 0; i < 6; i += 2) {
            int bit = bitIndex(h, i);
            bloom256[SIZE - 1 - (bit >>> 3)] |= (byte) (1 << (bit & 7));
        }
    }

    private static int bitIndex(byte[] hash, int i) {
        return (((hash[i] & 0xFF) << 8) | (hash[i + 1] & 0xFF)) & 2047;
    }

    private static void checkSize(byte[] bloom) {
        if (bloom == null || bloom.length != SIZE) {
            throw new IllegalArgumentException("a logs bloom must be " + SIZE + " bytes, got "
                    + (bloom == null ? "null" : bloom.length));
        }
    }
}
