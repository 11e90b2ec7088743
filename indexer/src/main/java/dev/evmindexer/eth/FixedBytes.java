package dev.evmindexer.eth;

import java.util.Arrays;

/** Shared behaviour of fixed-size byte values: immutable, compared by content. */
abstract sealed class FixedBytes permits Hash, Address {
    private final byte[] bytes;
    private final int hashCode;

    FixedBytes(byte[] bytes, int size, String what) {
        if (bytes == null || bytes.length != size) {
            throw new IllegalArgumentException(what + " must be " + size + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        this.bytes = bytes.clone();
        this.hashCode = Arrays.hashCode(this.bytes);
    }

    /** A copy of the bytes. */
    public final byte[] toArray() {
        return bytes.clone();
    }

    /** The bytes without copying; callers must not modify them. */
    public final byte[] unsafeBytes() {
        return bytes;
    }

    public final String hex() {
        return Hex.encode(bytes);
    }

    /** First 4 bytes, for log lines. */
    public final String shortHex() {
        return Hex.encode(Arrays.copyOf(bytes, 4));
    }

    @Override
    @SuppressWarnings("EqualsGetClass") // by design: a Hash never equals an Address or Topic of the same bytes
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(bytes, ((FixedBytes) o).bytes);
    }

    @Override
    public final int hashCode() {
        return hashCode;
    }

    @Override
    public final String toString() {
        return hex();
    }
}
