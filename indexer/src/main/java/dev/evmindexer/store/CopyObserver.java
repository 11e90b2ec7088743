package dev.evmindexer.store;

/** Told about every COPY into an event table, for metrics; the store stays free of any metrics library. */
@FunctionalInterface
public interface CopyObserver {
    CopyObserver NONE = (table, rows, nanos) -> {};

    /** {@code rows} rows were copied into {@code table} (schema.table) in {@code nanos}. */
    void copied(String table, long rows, long nanos);
}
