package dev.evmindexer.pipeline;

/** A write was planned under an epoch a rollback has since bumped: the work is dropped and re-planned. */
public class EpochChangedException extends RuntimeException {
    public EpochChangedException(long chainId, long planned, long current) {
        super("chain " + chainId + ": epoch moved from " + planned + " to " + current + " (a rollback happened); re-planning");
    }
}
