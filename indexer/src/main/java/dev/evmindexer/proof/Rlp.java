package dev.evmindexer.proof;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B), encoding only: what the receipts trie
 * needs. A byte string of one byte below 0x80 is itself; a longer or other string gets a length prefix (0x80 + n,
 * or 0xb7 + the length's length and the length); a list the same with 0xc0 / 0xf7 over its encoded items.
 */
public final class Rlp {
    /** The encoding of the empty byte string, also of the integer 0. */
    static final byte[] EMPTY_STRING = {(byte) 0x80};

    private Rlp() {}

    /** The encoding of the byte string {@code b}. */
    public static byte[] string(byte[] b) {
        if (b.length == 1 && (b[0] & 0xff) < 0x80) return b.clone();
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 9);
        prefix(out, 0x80, b.length);
        out.writeBytes(b);
        return out.toByteArray();
    }

    /** The encoding of a non-negative integer: its big-endian bytes without leading zeros (0 is the empty string). */
    public static byte[] uint(long v) {
        if (v < 0) throw new IllegalArgumentException("RLP integers are non-negative, got " + v);
        int n = (64 - Long.numberOfLeadingZeros(v) + 7) / 8;
        byte[] b = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return string(b);
    }

    /** The encoding of a list whose items are already encoded. */
    public static byte[] list(List<byte[]> encodedItems) {
        int size = 0;
        for (byte[] item : encodedItems) size += item.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 9);
        prefix(out, 0xc0, size);
        for (byte[] item : encodedItems) out.writeBytes(item);
        return out.toByteArray();
    }

    public static byte[] list(byte[]... encodedItems) {
        return list(List.of(encodedItems));
    }

    /** {@code offset + length} for short payloads (< 56 bytes), else {@code offset + 55 + the length's byte count}. */
    private static void prefix(ByteArrayOutputStream out, int offset, int length) {
        if (length < 56) {
            out.write(offset + length);
            return;
        }
        int n = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
        out.write(offset + 55 + n);
        for (int i = n - 1; i >= 0; i--) out.write(length >>> (8 * i));
    }
}
