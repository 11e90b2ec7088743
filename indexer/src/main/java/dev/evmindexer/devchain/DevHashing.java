package dev.evmindexer.devchain;

import dev.evmindexer.abi.Keccak;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * Keccak-256 and Ethereum logs-bloom helpers for the devchain. Kept apart (and package-private) so
 * they can be swapped for the {@code abi} package's shared helpers later without touching callers.
 */
final class DevHashing {
    static final int BLOOM_BYTES = 256;

    private DevHashing() {}

    /** Keccak-256 (the Ethereum variant, not SHA3-256) of the concatenation of {@code parts}. */
    static byte[] keccak256(byte[]... parts) {
        KeccakDigest digest = new KeccakDigest(256);
        for (byte[] part : parts) digest.update(part, 0, part.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    /** Keccak-256 of {@code len} bytes of {@code bytes} from {@code offset}. */
    static byte[] keccak256(byte[] bytes, int offset, int len) {
        return Keccak.keccak256(bytes, offset, len);
    }

    /**
     * The three bloom bit positions (0..2047) of a value, from bytes 0-1, 2-3 and 4-5 of its hash.
     * Cached by callers for values that recur (token addresses, event topics, holders).
     */
    static int[] bloomBits(byte[] value, int offset, int len) {
        byte[] h = keccak256(value, offset, len);
        int[] bits = new int[3];
        for (int i = 0; i < 3; i++) {
            bits[i] = (((h[2 * i] & 0xff) << 8) | (h[2 * i + 1] & 0xff)) & 2047;
        }
        return bits;
    }

    /** Sets {@code bits} (as returned by {@link #bloomBits}) in a 256-byte bloom, big-endian bit order. */
    static void addToBloom(byte[] bloom, int[] bits) {
        for (int bit : bits) {
            bloom[BLOOM_BYTES - 1 - bit / 8] |= (byte) (1 << (bit % 8));
        }
    }

    /** Adds a value (an address or a topic) to a bloom. */
    static void addToBloom(byte[] bloom, byte[] value, int offset, int len) {
        addToBloom(bloom, bloomBits(value, offset, len));
    }

    /** True when every bit of the value is set in the bloom (it may be in the block; false means it is not). */
    static boolean bloomContains(byte[] bloom, byte[] value) {
        return dev.evmindexer.abi.Bloom.mightContain(bloom, value);
    }

    /** True when all of {@code bits} (as returned by {@link #bloomBits}) are set in the bloom. */
    static boolean bloomContains(byte[] bloom, int[] bits) {
        for (int bit : bits) {
            if ((bloom[BLOOM_BYTES - 1 - bit / 8] & (1 << (bit % 8))) == 0) return false;
        }
        return true;
    }
}
