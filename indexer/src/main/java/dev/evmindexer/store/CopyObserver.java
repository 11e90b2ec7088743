package dev.evmindexer.store;

/** Told about every COPY into an event table, for metrics; the store stays free of any metrics library. */
@FunctionalInterface
public interface CopyObserver {
    CopyObserver NONE = (chainId, table, rows, nanos) -> {};

    /**
     * {@code rows} rows of chain {@code chainId} were copied into {@code table} (schema.table) in {@code nanos}; a
     * table may hold several chains' rows.
     */
    void copied(long chainId, String table, long rows, long nanos);
}
