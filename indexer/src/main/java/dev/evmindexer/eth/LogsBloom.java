package dev.evmindexer.eth;

import java.util.Arrays;

/**
 * A block's logs bloom as a node gave it: {@link Known}, exactly 256 bytes, or {@link Unknown}, when the node's answer
 * had none. What an unknown bloom means is decided where a bloom is checked (ARCHITECTURE.md, invariant 6): it refuses
 * no log and contradicts no empty answer. Headers read back from the database ({@link StoredHeader}) have no bloom at
 * all: bloom checks take the node's header.
 */
public sealed interface LogsBloom permits LogsBloom.Known, LogsBloom.Unknown {
    /** The size of a known bloom in bytes (2048 bits). */
    int SIZE = 256;

    /** The bloom of a header whose source gave none. */
    Unknown UNKNOWN = new Unknown();

    /**
     * A known bloom holding a copy of {@code bytes}.
     *
     * @throws IllegalArgumentException unless {@code bytes} is exactly {@link #SIZE} bytes
     */
    static Known of(byte[] bytes) {
        return new Known(bytes);
    }

    /** A bloom the source gave: 256 bytes, immutable, compared by content. */
    final class Known implements LogsBloom {
        private final byte[] bytes;
        private final int hashCode;

        private Known(byte[] bytes) {
            if (bytes == null || bytes.length != SIZE) {
                throw new IllegalArgumentException("logsBloom must be " + SIZE + " bytes, got "
                        + (bytes == null ? "null" : bytes.length));
            }
            this.bytes = bytes.clone();
            this.hashCode = Arrays.hashCode(this.bytes);
        }

        /** A copy of the bytes. */
        public byte[] toArray() {
            return bytes.clone();
        }

        /** The bytes without copying; callers must not modify them. */
        public byte[] unsafeBytes() {
            return bytes;
        }

        /** The bytes as 0x-prefixed hex, as JSON-RPC gives them. */
        public String hex() {
            return Hex.encode(bytes);
        }

        /** True when no bit is set: a block without logs, from which nothing says a log should be there. */
        public boolean isZero() {
            for (byte b : bytes) {
                if (b != 0) return false;
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Known k && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hashCode;
        }

        @Override
        public String toString() {
            return hex();
        }
    }

    /** No bloom: the source's answer had none. All unknown blooms are equal. */
    record Unknown() implements LogsBloom {
        @Override
        public String toString() {
            return "unknown";
        }
    }
}
