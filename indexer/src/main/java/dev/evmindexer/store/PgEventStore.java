package dev.evmindexer.store;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.ChainState;
import dev.evmindexer.pipeline.EventStore;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.RollbackResult;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import dev.evmindexer.pipeline.TipBlock;
import dev.evmindexer.pipeline.TipMovedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.impl.DSL;

/** {@link EventStore} on PostgreSQL. Every write is one transaction that starts by locking the chain row. */
public final class PgEventStore implements EventStore {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PgEventStore.class);
    private static final String HEADER_COLUMNS = "block_number, block_hash, parent_hash, extract(epoch FROM block_time)::int8";
    private static final String TIP_SQL = "SELECT " + HEADER_COLUMNS + " FROM indexer.headers WHERE chain_id = ? "
            + "ORDER BY block_number DESC LIMIT 1";

    private final DataSource ds;
    private volatile CopyObserver copies = CopyObserver.NONE;
    /** Chains this process leads, with the leader generation it got: their tip writes are fenced by it. */
    private final Map<Long, Long> fences = new java.util.concurrent.ConcurrentHashMap<>();

    public PgEventStore(DataSource ds) {
        this.ds = ds;
    }

    /** Reports every COPY (table, rows, duration) to {@code observer} (metrics). */
    public void observeCopies(CopyObserver observer) {
        this.copies = observer;
    }

    public DataSource dataSource() {
        return ds;
    }

    @Override
    public ChainState chain(long chainId) {
        return Sql.inTransaction(ds, c -> {
            chainRow(c, chainId);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT finalized, epoch, halted_reason, finality FROM indexer.chains WHERE chain_id = ?")) {
                ps.setLong(1, chainId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new ChainState(chainId, rs.getLong(1), rs.getLong(2), Optional.ofNullable(rs.getString(3)),
                            Optional.ofNullable(rs.getString(4)));
                }
            }
        });
    }

    /** Creates the chain's row on first use (named {@code chain-<id>} until a config names it). */
    public static void chainRow(Connection c, long chainId) throws SQLException {
        update(c, "INSERT INTO indexer.chains (chain_id, name) VALUES (?, ?) ON CONFLICT (chain_id) DO NOTHING", chainId,
                "chain-" + chainId);
    }

    @Override
    public void advanceFinalized(long chainId, long f) {
        long fence = fenceOf(chainId);
        // Only the chain's leader moves F (its generation is checked); without a fence, only while no leader lives.
        Sql.inTransaction(ds, c -> update(c, "UPDATE indexer.chains SET finalized = greatest(finalized, ?), "
                + "updated_at = now() WHERE chain_id = ? AND " + (fence == ChainLock.NO_FENCE
                        ? "(leader_until IS NULL OR leader_until < now())" : "leader_generation = " + fence), f, chainId));
    }

    @Override
    public void finalityRule(long chainId, String rule) {
        Sql.inTransaction(ds, c -> {
            chainRow(c, chainId);
            try (PreparedStatement ps = bind(c.prepareStatement("SELECT finality FROM indexer.chains WHERE chain_id = ? "
                    + "FOR NO KEY UPDATE"), chainId); ResultSet rs = ps.executeQuery()) {
                rs.next();
                String stored = rs.getString(1);
                if (rule.equals(stored)) return null;
                if (stored != null && fenceOf(chainId) == ChainLock.NO_FENCE) {
                    throw new StoreException("chain " + chainId + " advances its finalized block by " + stored
                            + " (set by the process leading it), but this process's config says " + rule
                            + ": give every process of the chain the same finality setting");
                }
            }
            update(c, "UPDATE indexer.chains SET finality = ? WHERE chain_id = ?", rule, chainId);
            return null;
        });
    }

    /** Tip writes of {@code chainId} from now on check that the leader generation is still {@code generation}. */
    public void fence(long chainId, long generation) {
        fences.put(chainId, generation);
    }

    /** This process no longer leads {@code chainId}: its writes are no longer checked (nor possible: see ChainLease). */
    public void unfence(long chainId) {
        fences.remove(chainId);
    }

    private long fenceOf(long chainId) {
        return fences.getOrDefault(chainId, ChainLock.NO_FENCE);
    }

    @Override
    public Optional<StoredHeader> tip(long chainId) {
        return oneHeader(TIP_SQL, chainId);
    }

    @Override
    public Optional<StoredHeader> anchor(long chainId) {
        return oneHeader("SELECT " + HEADER_COLUMNS + " FROM indexer.headers WHERE chain_id = ? "
                + "ORDER BY block_number LIMIT 1", chainId);
    }

    @Override
    public Optional<StoredHeader> header(long chainId, long number) {
        return oneHeader("SELECT " + HEADER_COLUMNS + " FROM indexer.headers WHERE chain_id = ? AND block_number = ?",
                chainId, number);
    }

    @Override
    public List<Span> uncovered(EventTable table, long from, long to) {
        if (to < from) return List.of();
        return Sql.inTransaction(ds, c -> gaps(c, table, new Span(from, to)));
    }

    @Override
    public List<dev.evmindexer.pipeline.Child> children(long chainId, String key, long upTo) {
        return Sql.inTransaction(ds, c -> FactoryChildren.read(c, chainId, key, upTo));
    }

    @Override
    public long commitRange(long chainId, long epoch, Span span, List<TableRows> rows, boolean force, String servedBy) {
        try {
            return commitRangeOnce(chainId, epoch, span, rows, force, servedBy);
        } catch (StoreException e) {
            // Two processes committed the same span at once (a claim expired under a live owner): the later COPY met
            // the earlier one's keys. Once more: the span is covered now, so nothing is rewritten.
            if (force || !SqlErrors.isUniqueViolation(e)) throw e;
            return commitRangeOnce(chainId, epoch, span, rows, false, servedBy);
        }
    }

    /**
     * One transaction under the shared chain-row lock (range commits of a chain, from any process, run at once):
     * per table, only the parts of {@code span} its coverage lacks are written (all of it with {@code force}), so a
     * span another process covered meanwhile is neither rewritten nor announced twice. Claims the commit completes go.
     */
    private long commitRangeOnce(long chainId, long epoch, Span span, List<TableRows> rows, boolean force, String servedBy) {
        return Sql.inTransaction(ds, c -> {
            long finalized = ChainLock.lock(c, chainId, epoch, ChainLock.Mode.RANGE, ChainLock.NO_FENCE);
            if (span.to() > finalized) {
                throw new StoreException("refusing to write range " + span + " above the finalized block #" + finalized
                        + " of chain " + chainId);
            }
            long written = 0;
            for (TableRows tr : rows) {
                for (Span part : force ? List.of(span) : uncovered(c, tr.table(), span)) {
                    TableRows inPart = part.equals(span) ? tr : tr.within(part);
                    replace(c, chainId, inPart, part, copies);
                    ServedBy.record(c, chainId, tr.table(), part, servedBy);
                    written += inPart.rows().size();
                }
                RangeClaims.dropCovered(c, chainId, tr.table());
            }
            return written;
        });
    }

    /** The parts of {@code span} the table's coverage (on its chain) lacks, ascending; none for a table not registered. */
    private static List<Span> gaps(Connection c, EventTable t, Span span) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement("SELECT lower(r), upper(r) - 1 FROM indexer.event_tables e, "
                + "unnest(int8multirange(int8range(?, ?, '[]')) - e.coverage) r WHERE e.table_schema = ? AND e.table_name = ? "
                + "AND e.chain_id = ? ORDER BY 1"), span.from(), span.to(), t.schema(), t.name(), t.chainId());
                ResultSet rs = ps.executeQuery()) {
            List<Span> out = new ArrayList<>();
            while (rs.next()) out.add(new Span(rs.getLong(1), rs.getLong(2)));
            return out;
        }
    }

    /** As {@link #gaps}, refusing a table that is not registered (a commit must never write one). */
    private static List<Span> uncovered(Connection c, EventTable t, Span span) throws SQLException {
        List<Span> out = gaps(c, t, span);
        if (out.isEmpty() && !registered(c, t)) {
            throw new StoreException("table " + t.qualifiedName() + " is not registered in indexer.event_tables");
        }
        return out;
    }

    private static boolean registered(Connection c, EventTable t) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement("SELECT 1 FROM indexer.event_tables WHERE table_schema = ? "
                + "AND table_name = ? AND chain_id = ?"), t.schema(), t.name(), t.chainId()); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    @Override
    public List<Span> claim(long chainId, EventTable table, List<Span> wanted, String owner, Duration ttl) {
        return Sql.inTransaction(ds, c -> RangeClaims.claim(c, chainId, table, wanted, owner, ttl));
    }

    @Override
    public void renewClaims(long chainId, String owner, Duration ttl) {
        Sql.inTransaction(ds, c -> RangeClaims.renew(c, chainId, owner, ttl));
    }

    @Override
    public void releaseClaims(long chainId, String owner) {
        Sql.inTransaction(ds, c -> RangeClaims.release(c, chainId, owner));
    }

    @Override
    public void commitBlocks(long chainId, long epoch, StoredHeader parent, List<TipBlock> blocks) {
        if (blocks.isEmpty()) return;
        Sql.inTransaction(ds, c -> {
            ChainLock.lock(c, chainId, epoch, ChainLock.Mode.TIP, fenceOf(chainId));
            Optional<StoredHeader> tip = header(c, TIP_SQL, chainId);
            if (tip.isEmpty() || !tip.get().hash().equals(parent.hash()) || tip.get().number() != parent.number()) {
                throw new TipMovedException("chain " + chainId + ": stored tip is " + tip.map(Object::toString).orElse("none")
                        + ", not " + parent + " the blocks were planned on");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO indexer.headers (chain_id, block_number, block_hash, "
                    + "parent_hash, block_time) VALUES (?, ?, ?, ?, to_timestamp(?))")) {
                for (TipBlock b : blocks) {
                    ps.setLong(1, chainId);
                    ps.setLong(2, b.header().number());
                    ps.setBytes(3, b.header().hash().unsafeBytes());
                    ps.setBytes(4, b.header().parentHash().unsafeBytes());
                    ps.setLong(5, b.header().timestamp());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            Span span = new Span(blocks.get(0).header().number(), blocks.get(blocks.size() - 1).header().number());
            Map<EventTable, List<dev.evmindexer.pipeline.EventRow>> merged = new LinkedHashMap<>();
            for (TipBlock b : blocks) {
                for (TableRows tr : b.rows()) merged.computeIfAbsent(tr.table(), k -> new ArrayList<>()).addAll(tr.rows());
            }
            for (var e : merged.entrySet()) {
                EventTable t = e.getKey();
                if (span.to() < t.startBlock()) continue;
                Span own = new Span(Math.max(span.from(), t.startBlock()), span.to());
                replace(c, chainId, new TableRows(t, e.getValue()), own, copies);
            }
            return null;
        });
    }

    @Override
    public void commitCatchUp(long chainId, long epoch, List<StoredHeader> headers, TableRows rows) {
        if (headers.isEmpty()) return;
        Span span = new Span(headers.get(0).number(), headers.get(headers.size() - 1).number());
        if (span.size() != headers.size()) throw new IllegalArgumentException("catch-up headers are not consecutive: " + span);
        Sql.inTransaction(ds, c -> {
            ChainLock.lock(c, chainId, epoch, ChainLock.Mode.TIP, fenceOf(chainId));
            Map<Long, StoredHeader> stored = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + HEADER_COLUMNS + " FROM indexer.headers "
                    + "WHERE chain_id = ? AND block_number BETWEEN ? AND ?")) {
                ps.setLong(1, chainId);
                ps.setLong(2, span.from());
                ps.setLong(3, span.to());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        StoredHeader h = header(rs);
                        stored.put(h.number(), h);
                    }
                }
            }
            for (StoredHeader h : headers) {
                StoredHeader s = stored.get(h.number());
                if (s == null || !s.hash().equals(h.hash())) {
                    throw new TipMovedException("chain " + chainId + ": stored header #" + h.number() + " is "
                            + (s == null ? "gone" : s.toString()) + ", not " + h + " the catch-up was planned on");
                }
            }
            replace(c, chainId, rows, span, copies);
            return null;
        });
    }

    /**
     * Deletes the table's rows in {@code span}, COPYs the new ones, extends coverage, writes the outbox entry; for a
     * factory's table, replaces its children in {@code span} with those its new rows name (same transaction).
     */
    static void replace(Connection c, long chainId, TableRows tr, Span span, CopyObserver copies) throws SQLException {
        EventTable t = tr.table();
        Sql.execute(c, DSL.deleteFrom(Sql.table(t.schema(), t.name()))
                .where(TableDdl.CHAIN_ID.eq(chainId)).and(TableDdl.BLOCK_NUMBER.between(span.from(), span.to())));
        FactoryChildren.replace(c, chainId, tr, span);
        long start = System.nanoTime();
        long copied = CopyRows.copy(c, chainId, tr);
        if (copied > 0) copies.copied(chainId, t.qualifiedName(), copied, System.nanoTime() - start);
        int n = update(c, "UPDATE indexer.event_tables SET coverage = coverage + int8multirange(int8range(?, ?, '[]')) "
                + "WHERE table_schema = ? AND table_name = ? AND chain_id = ?", span.from(), span.to(), t.schema(), t.name(),
                chainId);
        if (n != 1) throw new StoreException("table " + t.qualifiedName() + " is not registered in indexer.event_tables");
        Outbox.write(c, chainId, t.qualifiedName(), "commit", span.from(), span.to());
    }

    @Override
    public void storeAnchor(long chainId, long epoch, BlockHeader h) {
        Sql.inTransaction(ds, c -> {
            ChainLock.lock(c, chainId, epoch, ChainLock.Mode.TIP, fenceOf(chainId));
            Optional<StoredHeader> tip = header(c, TIP_SQL, chainId);
            if (tip.isPresent() && tip.get().number() >= h.number()) return null;
            update(c, "INSERT INTO indexer.headers (chain_id, block_number, block_hash, parent_hash, block_time) "
                    + "VALUES (?, ?, ?, ?, to_timestamp(?))", chainId, h.number(), h.hash().unsafeBytes(),
                    h.parentHash().unsafeBytes(), h.timestamp());
            update(c, "DELETE FROM indexer.headers WHERE chain_id = ? AND block_number < ?", chainId, h.number());
            return null;
        });
    }

    @Override
    public void ensureIndexes(List<EventTable> tables) {
        for (EventTable t : tables) {
            if (!t.indexes().isEmpty()) TableIndexes.ensure(ds, t);
        }
    }

    @Override
    public void pruneHeaders(long chainId, long finalized) {
        Sql.inTransaction(ds, c -> update(c, "DELETE FROM indexer.headers WHERE chain_id = ? AND block_number < "
                + "(SELECT max(block_number) FROM indexer.headers WHERE chain_id = ? AND block_number <= ?)",
                chainId, chainId, finalized));
    }

    @Override
    public RollbackResult rollback(long chainId, long epoch, long ancestor, String reason) {
        RollbackResult r = Sql.inTransaction(ds, c -> Rollback.to(c, chainId, epoch, ancestor, fenceOf(chainId)));
        // one line per rollback whoever asked (walk-back, the rollback command), with their reason
        log.info("store.rollback chain_id={} ancestor=#{} previous_tip={} rows_deleted={} epoch={} reason=\"{}\"", chainId,
                ancestor, r.previousTip(), r.rowsDeleted(), r.newEpoch(), reason);
        return r;
    }

    @Override
    public void halt(long chainId, long epoch, String reason) {
        Sql.inTransaction(ds, c -> {
            ChainLock.lock(c, chainId, epoch, ChainLock.Mode.EXCLUSIVE, fenceOf(chainId));
            return update(c, "UPDATE indexer.chains SET halted_reason = ?, halted_at = now(), updated_at = now() "
                    + "WHERE chain_id = ?", reason, chainId);
        });
    }

    private Optional<StoredHeader> oneHeader(String sql, Object... args) {
        return Sql.inTransaction(ds, c -> header(c, sql, args));
    }

    static Optional<StoredHeader> header(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(header(rs)) : Optional.empty();
        }
    }

    /** The header in the current row of a query selecting {@link #HEADER_COLUMNS}: no bloom, no receipts root. */
    private static StoredHeader header(ResultSet rs) throws SQLException {
        return new StoredHeader(rs.getLong(1), Hash.of(rs.getBytes(2)), Hash.of(rs.getBytes(3)), rs.getLong(4));
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), args)) {
            return ps.executeUpdate();
        }
    }

    static PreparedStatement bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
        return ps;
    }
}
