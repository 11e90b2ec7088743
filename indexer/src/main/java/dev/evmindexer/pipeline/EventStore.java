package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.StoredHeader;
import java.util.List;
import java.util.Optional;

/**
 * What the pipeline needs from the database. Every write is one transaction that first locks the
 * chain's row and checks the epoch it was planned under ({@link EpochChangedException} otherwise), so
 * the daemon and CLI commands can run at the same time (ARCHITECTURE.md, several processes). Implementations retry nothing:
 * errors propagate to the daemon loop, which decides.
 */
public interface EventStore {

    /** The chain's persisted state, creating its row on first use. */
    ChainState chain(long chainId);

    /**
     * Persists the finalized block {@code f} if it is higher than the stored one (it never moves back). Only the
     * chain's leader moves it; a process that does not lead the chain moves it only while no leader is alive, and
     * otherwise leaves it to the leader (silently: it reads {@link #chain} for the value).
     */
    void advanceFinalized(long chainId, long f);

    /**
     * Records the rule {@code F} is advanced by ({@link ChainSettings#finalityRule()}). The chain's leader sets it; any
     * other process whose rule differs from the stored one is refused with a message naming both.
     */
    void finalityRule(long chainId, String rule);

    /**
     * Claims the parts of {@code wanted} (ascending spans of one table) that no other owner holds unexpired, for
     * {@code owner}, until {@code ttl} from now; returns them. A commit that covers a claimed span drops its claim.
     */
    List<Span> claim(long chainId, EventTable table, List<Span> wanted, String owner, java.time.Duration ttl);

    /** Pushes the expiry of all of {@code owner}'s claims on the chain {@code ttl} from now. */
    void renewClaims(long chainId, String owner, java.time.Duration ttl);

    /** Drops all of {@code owner}'s claims on the chain. */
    void releaseClaims(long chainId, String owner);

    /**
     * The highest stored header: the chain's tip. Stored headers keep number, hashes and time only: no bloom, no
     * receipts root ({@link StoredHeader}).
     */
    Optional<StoredHeader> tip(long chainId);

    /** The lowest stored header: the anchor, below which nothing is rewritten automatically. */
    Optional<StoredHeader> anchor(long chainId);

    /** The stored header at {@code number}, if any. */
    Optional<StoredHeader> header(long chainId, long number);

    /** {@code [from, to]} minus the table's coverage, as inclusive spans in ascending order. */
    List<Span> uncovered(EventTable table, long from, long to);

    /**
     * The children of factory {@code key} ({@link ChildSource#key()}) created at or before block {@code upTo}, each with
     * the block that created it (the first, when a child was created twice). They are written with the factory table's
     * rows by every commit that writes them, and removed with them (rewrite, rollback, reset).
     */
    List<Child> children(long chainId, String key, long upTo);

    /**
     * Range phase: in one transaction, for each table deletes its rows in {@code span}, COPYs the given
     * rows, adds {@code span} to its coverage and writes an outbox entry. Refuses a span above the
     * chain's persisted finalized block. Unless {@code force}, only the parts of the span the table's coverage
     * lacks are written (another process may have committed some meanwhile): no rewrite, no second outbox entry.
     * Range commits of a chain may run concurrently (from several processes). Records in the same transaction that
     * {@code servedBy} (an endpoint's redacted name; null: unknown) answered the logs of the parts written, so
     * reconciliation can name the endpoint whose answer put wrong rows in a table (stores that keep no such record
     * ignore it). Returns the rows written.
     */
    long commitRange(long chainId, long epoch, Span span, List<TableRows> rows, boolean force, String servedBy);

    /**
     * Tip phase: in one transaction, checks the stored tip is still {@code parent}, stores each block's header (what
     * {@link BlockHeader#stored()} keeps of the node's), replaces its rows in every given table, adds the blocks to
     * coverage of every table of the chain whose start block they reach, and writes an outbox entry.
     *
     * @throws TipMovedException when the stored tip is no longer {@code parent}
     */
    void commitBlocks(long chainId, long epoch, StoredHeader parent, List<TipBlock> blocks);

    /**
     * Catch-up of one table at the tip: in one transaction, checks each of {@code headers} (consecutive, above the
     * finalized block) is still the stored header at its height, replaces the table's rows in their span, adds the
     * span to the table's coverage and writes an outbox entry.
     *
     * @throws TipMovedException when a stored header changed or is gone
     */
    void commitCatchUp(long chainId, long epoch, List<StoredHeader> headers, TableRows rows);

    /**
     * Stores the node's {@code header} as the anchor (what {@link BlockHeader#stored()} keeps of it) when the stored
     * tip is below it (or absent), and prunes stored headers below it. Used when the range phase has reached the finalized block.
     */
    void storeAnchor(long chainId, long epoch, BlockHeader header);

    /**
     * Builds the tables' configured secondary indexes that do not exist yet, then ANALYZEs those tables.
     * Called once a table's range phase is done, so a large backfill COPYs into a table with only its
     * primary key. Idempotent.
     */
    void ensureIndexes(List<EventTable> tables);

    /** Deletes stored headers below the highest one at or below {@code finalized}. */
    void pruneHeaders(long chainId, long finalized);

    /**
     * In one transaction: deletes every row with {@code block_number > ancestor} from every event table of
     * the chain and every factory child created above it, the stored headers above it, subtracts {@code (ancestor, ∞)} from coverage, bumps the
     * epoch, clears a halt and writes a {@code rollback} outbox entry.
     */
    RollbackResult rollback(long chainId, long epoch, long ancestor, String reason);

    /**
     * Marks the chain halted (the daemon stops writing it until a manual rollback), under the chain lock
     * and only if the epoch is still {@code epoch}: a stale walk-back never re-halts a chain an operator
     * has just rolled back.
     */
    void halt(long chainId, long epoch, String reason);
}
