package dev.evmindexer.devchain;

/**
 * The logs of one devchain block, either stored ({@link LogTable}) or regenerated on demand from a
 * seed ({@link GeneratedLogs}) so that a pre-generated chain of millions of logs costs a few bytes a block.
 */
sealed interface BlockLogs permits LogTable, GeneratedLogs {

    /** The logs, materialised (for generated logs, freshly on each call). */
    LogTable table();

    /** How many logs the block has, without materialising them. */
    int size();

    /** A 32-byte digest that changes whenever the logs would; part of the block hash. */
    byte[] digest();
}
