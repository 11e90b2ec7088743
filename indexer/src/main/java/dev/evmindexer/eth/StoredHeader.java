package dev.evmindexer.eth;

import java.util.Objects;

/**
 * A block header as the database keeps it (the tip, the anchor and the unfinalized window: ARCHITECTURE.md, tip phase):
 * number, hash, parent hash and time, nothing else. It has no logs bloom and no receipts root, so bloom checks and
 * receipts proofs cannot be made against it: they need the node's {@link BlockHeader}.
 */
public record StoredHeader(long number, Hash hash, Hash parentHash, long timestamp) implements Header {
    public StoredHeader {
        if (number < 0) throw new IllegalArgumentException("negative block number " + number);
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(parentHash, "parentHash");
    }

    @Override
    public String toString() {
        return "#" + number + "(" + hash.shortHex() + " parent " + parentHash.shortHex() + ")";
    }
}
