package dev.evmindexer.eth;

import java.util.Objects;

/**
 * The parts of a block header the indexer uses. {@code logsBloom} is 256 bytes, or empty when the
 * source did not provide one (then no bloom checks are possible for this block). {@code receiptsRoot} is null
 * when the source did not provide it (a header read back from the database): then the block's receipts cannot be
 * proven against this header (ARCHITECTURE.md, invariant 9).
 */
public record BlockHeader(long number, Hash hash, Hash parentHash, long timestamp, byte[] logsBloom, Hash receiptsRoot) {
    public static final int BLOOM_SIZE = 256;

    /** A header without a receipts root. */
    public BlockHeader(long number, Hash hash, Hash parentHash, long timestamp, byte[] logsBloom) {
        this(number, hash, parentHash, timestamp, logsBloom, null);
    }

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
