package dev.evmindexer.abi;

import org.bouncycastle.crypto.digests.KeccakDigest;

/** Ethereum's Keccak-256 (the original Keccak padding, not NIST SHA3-256). */
public final class Keccak {
    public static final int SIZE = 32;

    private Keccak() {}

    public static byte[] keccak256(byte[] input) {
        return keccak256(input, 0, input.length);
    }

    public static byte[] keccak256(byte[] input, int offset, int length) {
        KeccakDigest digest = new KeccakDigest(256);
        digest.update(input, offset, length);
        byte[] out = new byte[SIZE];
        digest.doFinal(out, 0);
        return out;
    }
}
