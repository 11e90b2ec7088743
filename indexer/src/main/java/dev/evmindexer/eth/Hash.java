package dev.evmindexer.eth;

/** A 32-byte hash (block hash, transaction hash, topic). Anything not 32 bytes is rejected. */
public final class Hash extends FixedBytes {
    public static final int SIZE = 32;
    public static final Hash ZERO = new Hash(new byte[SIZE]);

    private Hash(byte[] bytes) {
        super(bytes, SIZE, "hash");
    }

    public static Hash of(byte[] bytes) {
        return new Hash(bytes);
    }

    public static Hash fromHex(String hex) {
        return new Hash(Hex.decode(hex));
    }
}
