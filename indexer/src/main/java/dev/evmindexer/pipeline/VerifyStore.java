package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Hash;
import java.util.List;
import java.util.Map;

/** What {@code verify} needs from the database besides the {@link EventStore}: compare rows, rewrite blocks. */
public interface VerifyStore {

    /** How a stored row differs from the node's. */
    enum Kind { MISSING, EXTRA, DIFFERENT }

    /**
     * One row that differs: {@code MISSING} (the node has it, the table not), {@code EXTRA} (the table has
     * it, the node not) or {@code DIFFERENT} (both, with other values; {@code detail} names the columns).
     */
    record RowDiff(EventTable table, long block, int logIndex, Kind kind, String detail) {}

    /**
     * Compares {@code expected} (the node's rows of one table in {@code span}, all covered) with the table's
     * rows of the chain in {@code span}, column by column, in PostgreSQL's own types. Ordered by block and
     * log index.
     */
    List<RowDiff> compare(long chainId, Span span, TableRows expected);

    /**
     * Rewrites the table's rows in {@code span} with {@code rows} in one transaction, under the chain's
     * row lock and {@code epoch} ({@link EpochChangedException} when a rollback came between), and writes
     * a commit outbox entry. Blocks above the finalized block are rewritten only where the stored header
     * is the one named in {@code canonicalAboveFinalized} (else it is a reorg: the daemon rolls it back);
     * otherwise nothing is written and an exception says which block.
     */
    void repair(long chainId, long epoch, Span span, TableRows rows, Map<Long, Hash> canonicalAboveFinalized);

    /**
     * The blocks of {@code table} at or below {@code finalized} that its coverage holds and its "reconciled" multirange
     * does not (ARCHITECTURE.md, invariant 9), ascending.
     */
    List<Span> unreconciled(EventTable table, long finalized);

    /**
     * Records the result of reconciling blocks at or below the finalized block of {@code answer.table()}: first
     * rewrites each span of {@code rewrite} with {@code answer}'s rows there, as {@link #repair} does (with a commit
     * outbox entry); then adds the covered part of each span of {@code mark} to the table's "reconciled" multirange.
     * One transaction under the chain's row lock and {@code epoch} ({@link EpochChangedException} when a rollback came
     * between).
     */
    void reconciled(long chainId, long epoch, TableRows answer, List<Span> rewrite, List<Span> mark);

    /**
     * Which endpoints' answers wrote the stored rows of {@code table} in {@code span}, as range commits recorded it;
     * nothing where it is not known (tip blocks, rows written before it was recorded).
     */
    default Writers writers(EventTable table, Span span) {
        return Writers.NONE;
    }
}
