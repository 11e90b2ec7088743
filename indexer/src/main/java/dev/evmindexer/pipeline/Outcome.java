package dev.evmindexer.pipeline;

/** What one step of a chain's pipeline did. The daemon loop sleeps on {@link Idle} and stops on {@link Halted}. */
public sealed interface Outcome {

    /** Blocks were written (range or tip phase); step again at once. */
    record Advanced(long blocks, long rows, long tip) implements Outcome {}

    /** Nothing to do until the node moves (or it lags behind us). */
    record Idle(String why) implements Outcome {}

    /** A reorg was rolled back to {@code ancestor}; {@code depth} blocks were retracted. */
    record Reorged(long ancestor, long depth, long rowsDeleted) implements Outcome {}

    /** The chain is halted: a reorg past the anchor or deeper than max_reorg_depth. Needs `rollback`. */
    record Halted(String reason) implements Outcome {}
}
