package dev.evmindexer.eth;

/**
 * What every block header the indexer holds tells: the block's place in the chain and its time. A header is either a
 * node's ({@link BlockHeader}, with the logs bloom and receipts root where the node gave them) or one read back from
 * the database ({@link StoredHeader}, which has neither): code that checks a bloom or proves receipts takes a
 * {@link BlockHeader}; code that only needs a block's identity takes a {@code Header}.
 */
public sealed interface Header permits BlockHeader, StoredHeader {
    /** The block's number. */
    long number();

    /** The block's hash. */
    Hash hash();

    /** The hash of the block's parent. */
    Hash parentHash();

    /** The block's timestamp, in seconds since the epoch. */
    long timestamp();

    /** The block's place in the chain, for parent-hash checks. */
    default BlockRef ref() {
        return new BlockRef(number(), hash(), parentHash());
    }
}
