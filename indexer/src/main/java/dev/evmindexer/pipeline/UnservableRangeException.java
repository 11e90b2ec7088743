package dev.evmindexer.pipeline;

/**
 * A range no retry can fetch: a provider refuses even a single block, or one block's logs exceed the memory budget.
 * The daemon keeps retrying (a provider's limits or the config may change under it); a backfill stops and says so.
 */
public final class UnservableRangeException extends SourceException {
    public UnservableRangeException(String message) {
        super(message);
    }
}
