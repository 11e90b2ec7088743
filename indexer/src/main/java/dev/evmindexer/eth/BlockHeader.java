package dev.evmindexer.eth;

import java.util.Objects;
import java.util.Optional;

/**
 * The parts of a block header the indexer uses, as a node gave it. {@code logsBloom} is {@link LogsBloom.Unknown} when
 * the node's answer had none (then no bloom checks are possible for this block); {@code receiptsRoot} is empty when
 * the node's answer had none (then the block's receipts cannot be proven against this header: ARCHITECTURE.md,
 * invariant 9). A header read back from the database is a {@link StoredHeader}, which has neither; {@link #stored()}
 * is what the database keeps of this one.
 */
public record BlockHeader(long number, Hash hash, Hash parentHash, long timestamp, LogsBloom logsBloom,
        Optional<Hash> receiptsRoot) implements Header {

    /** A header without a receipts root. */
    public BlockHeader(long number, Hash hash, Hash parentHash, long timestamp, LogsBloom logsBloom) {
        this(number, hash, parentHash, timestamp, logsBloom, Optional.empty());
    }

    public BlockHeader {
        if (number < 0) throw new IllegalArgumentException("negative block number " + number);
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(parentHash, "parentHash");
        Objects.requireNonNull(logsBloom, "logsBloom (LogsBloom.UNKNOWN when the source gave none)");
        Objects.requireNonNull(receiptsRoot, "receiptsRoot (empty when the source gave none)");
    }

    /** What the database keeps of this header: number, hashes and time. */
    public StoredHeader stored() {
        return new StoredHeader(number, hash, parentHash, timestamp);
    }

    @Override
    public String toString() {
        return "#" + number + "(" + hash.shortHex() + " parent " + parentHash.shortHex() + ")";
    }
}
