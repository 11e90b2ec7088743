package dev.evmindexer.eth;

import java.util.Objects;

/**
 * The parts of a block header the indexer uses. {@code logsBloom} is 256 bytes, or empty when the
 * source did not provide one (then no bloom checks are possible for this block).
 */
public record BlockHeader(long number, Hash hash, Hash parentHash, long timestamp, byte[] logsBloom) {
    public static final int BLOOM_SIZE = 256;

    public BlockHeader {
        if (number < 0) throw new IllegalArgumentException("negative block number " + number);
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(parentHash, "parentHash");
        if (logsBloom == null) logsBloom = new byte[0];
        if (logsBloom.length != 0 && logsBloom.length != BLOOM_SIZE) {
            throw new IllegalArgumentException("logsBloom must be 256 bytes, got " + logsBloom.length);
        }
    }

    public BlockRef ref() {
        return new BlockRef(number, hash, parentHash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockHeader h && h.number == number && h.hash.equals(hash)
                && h.parentHash.equals(parentHash) && h.timestamp == timestamp;
    }

    @Override
    public int hashCode() {
        return hash.hashCode();
    }

    @Override
    public String toString() {
        return "#" + number + "(" + hash.shortHex() + " parent " + parentHash.shortHex() + ")";
    }
}
