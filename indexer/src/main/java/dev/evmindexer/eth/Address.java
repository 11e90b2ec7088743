package dev.evmindexer.eth;

/** A 20-byte account address. Anything not 20 bytes is rejected; compared by bytes, not checksum case. */
public final class Address extends FixedBytes {
    public static final int SIZE = 20;

    private Address(byte[] bytes) {
        super(bytes, SIZE, "address");
    }

    public static Address of(byte[] bytes) {
        return new Address(bytes);
    }

    /** Parses {@code 0x} followed by exactly 40 hex digits. */
    public static Address fromHex(String hex) {
        if (hex == null || !hex.matches("0[xX][0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("not an address (0x and 40 hex digits): " + Hex.abbreviate(hex));
        }
        return new Address(Hex.decode(hex));
    }
}
