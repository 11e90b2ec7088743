package dev.evmindexer.pipeline;

/** What a rollback removed: the previous tip (or -1), the rows deleted over all tables, the new epoch. */
public record RollbackResult(long ancestor, long previousTip, long rowsDeleted, long newEpoch) {}
