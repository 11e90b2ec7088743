package dev.evmindexer.pipeline;

/** The stored tip is not the block a tip write was planned on (another writer moved it): re-plan. */
public class TipMovedException extends RuntimeException {
    public TipMovedException(String message) {
        super(message);
    }
}
