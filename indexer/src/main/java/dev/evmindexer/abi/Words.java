package dev.evmindexer.abi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Readers for 32-byte ABI words at {@code buf[off .. off + 32)}. The caller guarantees the word is in
 * bounds. Every reader enforces canonical encoding and returns {@code null} (never throws) when the
 * word is not what a conforming encoder writes, so the hot path allocates only the result.
 */
final class Words {
    static final int WORD = 32;
    private static final byte[] ZEROS = new byte[WORD];
    private static final byte[] ONES = filled((byte) -1);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Words() {}

    /** Address: 12 zero bytes, then the 20 address bytes. */
    static byte[] address(byte[] buf, int off) {
        if (!allZero(buf, off, 12)) return null;
        return Arrays.copyOfRange(buf, off + 12, off + WORD);
    }

    /** Bool: exactly 0 or 1. */
    static Boolean bool(byte[] buf, int off) {
        if (!allZero(buf, off, 31)) return null;
        byte last = buf[off + 31];
        return last == 0 ? Boolean.FALSE : last == 1 ? Boolean.TRUE : null;
    }

    /** uintN for N <= 56: high bits zero. */
    static Long smallUint(byte[] buf, int off, int bits) {
        if (!allZero(buf, off, 24)) return null;
        long v = (long) LONG.get(buf, off + 24);
        if ((v >>> bits) != 0) return null;
        return v;
    }

    /** intN for N <= 64: the value fits N bits and every higher bit repeats the sign. */
    static Long smallInt(byte[] buf, int off, int bits) {
        long v = (long) LONG.get(buf, off + 24);
        int shift = 64 - bits;
        if (((v << shift) >> shift) != v) return null;
        if (!allEqual(buf, off, 24, v < 0 ? ONES : ZEROS)) return null;
        return v;
    }

    /** uintN as a non-negative BigInteger (uint64 and wider): the high {@code 32 - N/8} bytes are zero. */
    static BigInteger bigUint(byte[] buf, int off, int bits) {
        int pad = WORD - bits / 8;
        if (!allZero(buf, off, pad)) return null;
        return new BigInteger(1, buf, off + pad, WORD - pad);
    }

    /** intN as a BigInteger (N > 64): the high {@code 32 - N/8} bytes repeat the sign bit of the value. */
    static BigInteger bigInt(byte[] buf, int off, int bits) {
        int pad = WORD - bits / 8;
        if (!allEqual(buf, off, pad, buf[off + pad] < 0 ? ONES : ZEROS)) return null;
        return new BigInteger(buf, off + pad, WORD - pad);
    }

    /** bytesN: the N bytes left-aligned, the rest zero. */
    static byte[] fixedBytes(byte[] buf, int off, int size) {
        if (!allZero(buf, off + size, WORD - size)) return null;
        return Arrays.copyOfRange(buf, off, off + size);
    }

    /**
     * An offset or length word as a non-negative int, or -1 when it is 2^31 or more (no log is that
     * large, so such a word is always out of bounds).
     */
    static int smallCount(byte[] buf, int off) {
        if (!allZero(buf, off, 28)) return -1;
        int v = (buf[off + 28] & 0xFF) << 24 | (buf[off + 29] & 0xFF) << 16 | (buf[off + 30] & 0xFF) << 8 | (buf[off + 31] & 0xFF);
        return v < 0 ? -1 : v;
    }

    /**
     * UTF-8 text for a PostgreSQL {@code text} column: malformed sequences become U+FFFD (the JDK
     * decoder's replacement) and so does NUL, which {@code text} cannot hold. Lossy by design.
     */
    static String text(byte[] buf, int off, int len) {
        String s = new String(buf, off, len, StandardCharsets.UTF_8);
        return s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private static boolean allZero(byte[] buf, int off, int len) {
        return Arrays.equals(buf, off, off + len, ZEROS, 0, len);
    }

    private static boolean allEqual(byte[] buf, int off, int len, byte[] fill) {
        return Arrays.equals(buf, off, off + len, fill, 0, len);
    }

    private static byte[] filled(byte b) {
        byte[] a = new byte[WORD];
        Arrays.fill(a, b);
        return a;
    }
}
