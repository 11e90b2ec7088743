package dev.evmindexer.store;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** {@link EventStore} on PostgreSQL. Every write is one transaction that starts by locking the chain row. */
public final class PgEventStore implements EventStore {
    private static final String HEADER_COLUMNS = "block_number, block_hash, parent_hash, extract(epoch FROM block_time)::int8";
    private static final String TIP_SQL = "SELECT " + HEADER_COLUMNS + " FROM indexer.headers WHERE chain_id = ? "
            + "ORDER BY block_number DESC LIMIT 1";

    private final DataSource ds;
    private volatile CopyObserver copies = CopyObserver.NONE;

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
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO indexer.chains (chain_id, name) VALUES (?, ?) "
                    + "ON CONFLICT (chain_id) DO NOTHING")) {
                ps.setLong(1, chainId);
                ps.setString(2, "chain-" + chainId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT finalized, epoch, halted_reason FROM indexer.chains WHERE chain_id = ?")) {
                ps.setLong(1, chainId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new ChainState(chainId, rs.getLong(1), rs.getLong(2), Optional.ofNullable(rs.getString(3)));
                }
            }
        });
    }

    @Override
    public void advanceFinalized(long chainId, long f) {
        Sql.inTransaction(ds, c -> update(c, "UPDATE indexer.chains SET finalized = greatest(finalized, ?), "
                + "updated_at = now() WHERE chain_id = ?", f, chainId));
    }

    @Override
    public Optional<BlockHeader> tip(long chainId) {
        return oneHeader(TIP_SQL, chainId);
    }

    @Override
    public Optional<BlockHeader> anchor(long chainId) {
        return oneHeader("SELECT " + HEADER_COLUMNS + " FROM indexer.headers WHERE chain_id = ? "
                + "ORDER BY block_number LIMIT 1", chainId);
    }

    @Override
    public Optional<BlockHeader> header(long chainId, long number) {
        return oneHeader("SELECT " + HEADER_COLUMNS + " FROM indexer.headers WHERE chain_id = ? AND block_number = ?",
                chainId, number);
    }

    @Override
    public List<Span> uncovered(EventTable table, long from, long to) {
        if (to < from) return List.of();
        return Sql.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT lower(r), upper(r) - 1 FROM indexer.event_tables t, "
                    + "unnest(int8multirange(int8range(?, ?, '[]')) - t.coverage) r "
                    + "WHERE t.table_schema = ? AND t.table_name = ? ORDER BY 1")) {
                ps.setLong(1, from);
                ps.setLong(2, to);
                ps.setString(3, table.schema());
                ps.setString(4, table.name());
                List<Span> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new Span(rs.getLong(1), rs.getLong(2)));
                }
                return out;
            }
        });
    }

    @Override
    public long commitRange(long chainId, long epoch, Span span, List<TableRows> rows, boolean force) {
        return Sql.inTransaction(ds, c -> {
            long finalized = ChainLock.lock(c, chainId, epoch);
            if (span.to() > finalized) {
                throw new StoreException("refusing to write range " + span + " above the finalized block #" + finalized
                        + " of chain " + chainId);
            }
            long written = 0;
            for (TableRows tr : rows) {
                if (!force && covered(c, tr.table(), span)) continue;
                replace(c, chainId, tr, span, copies);
                written += tr.rows().size();
            }
            return written;
        });
    }

    /** Whether the table's coverage already holds all of {@code span}; read under the chain lock. */
    private static boolean covered(Connection c, EventTable t, Span span) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement("SELECT coverage @> int8range(?, ?, '[]') FROM indexer.event_tables "
                + "WHERE table_schema = ? AND table_name = ?"), span.from(), span.to(), t.schema(), t.name());
                ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    @Override
    public void commitBlocks(long chainId, long epoch, BlockHeader parent, List<TipBlock> blocks) {
        if (blocks.isEmpty()) return;
        Sql.inTransaction(ds, c -> {
            ChainLock.lock(c, chainId, epoch);
            Optional<BlockHeader> tip = header(c, TIP_SQL, chainId);
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
    public void commitCatchUp(long chainId, long epoch, List<BlockHeader> headers, TableRows rows) {
        if (headers.isEmpty()) return;
        Span span = new Span(headers.get(0).number(), headers.get(headers.size() - 1).number());
        if (span.size() != headers.size()) throw new IllegalArgumentException("catch-up headers are not consecutive: " + span);
        Sql.inTransaction(ds, c -> {
            ChainLock.lock(c, chainId, epoch);
            Map<Long, BlockHeader> stored = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + HEADER_COLUMNS + " FROM indexer.headers "
                    + "WHERE chain_id = ? AND block_number BETWEEN ? AND ?")) {
                ps.setLong(1, chainId);
                ps.setLong(2, span.from());
                ps.setLong(3, span.to());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        BlockHeader h = header(rs);
                        stored.put(h.number(), h);
                    }
                }
            }
            for (BlockHeader h : headers) {
                BlockHeader s = stored.get(h.number());
                if (s == null || !s.hash().equals(h.hash())) {
                    throw new TipMovedException("chain " + chainId + ": stored header #" + h.number() + " is "
                            + (s == null ? "gone" : s.toString()) + ", not " + h + " the catch-up was planned on");
                }
            }
            replace(c, chainId, rows, span, copies);
            return null;
        });
    }

    /** Deletes the table's rows in {@code span}, COPYs the new ones, extends coverage, writes the outbox entry. */
    static void replace(Connection c, long chainId, TableRows tr, Span span, CopyObserver copies) throws SQLException {
        EventTable t = tr.table();
        update(c, "DELETE FROM " + Sql.qualified(t.schema(), t.name())
                + " WHERE chain_id = ? AND block_number BETWEEN ? AND ?", chainId, span.from(), span.to());
        long start = System.nanoTime();
        long copied = CopyRows.copy(c, chainId, tr);
        if (copied > 0) copies.copied(t.qualifiedName(), copied, System.nanoTime() - start);
        int n = update(c, "UPDATE indexer.event_tables SET coverage = coverage + int8multirange(int8range(?, ?, '[]')) "
                + "WHERE table_schema = ? AND table_name = ?", span.from(), span.to(), t.schema(), t.name());
        if (n != 1) throw new StoreException("table " + t.qualifiedName() + " is not registered in indexer.event_tables");
        Outbox.write(c, chainId, t.qualifiedName(), "commit", span.from(), span.to());
    }

    @Override
    public void storeAnchor(long chainId, long epoch, BlockHeader h) {
        Sql.inTransaction(ds, c -> {
            ChainLock.lock(c, chainId, epoch);
            Optional<BlockHeader> tip = header(c, TIP_SQL, chainId);
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
        return Sql.inTransaction(ds, c -> ChainLock.rollback(c, chainId, epoch, ancestor));
    }

    @Override
    public void halt(long chainId, long epoch, String reason) {
        Sql.inTransaction(ds, c -> {
            ChainLock.lock(c, chainId, epoch);
            return update(c, "UPDATE indexer.chains SET halted_reason = ?, halted_at = now(), updated_at = now() "
                    + "WHERE chain_id = ?", reason, chainId);
        });
    }

    private Optional<BlockHeader> oneHeader(String sql, Object... args) {
        return Sql.inTransaction(ds, c -> header(c, sql, args));
    }

    static Optional<BlockHeader> header(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(header(rs)) : Optional.empty();
        }
    }

    /** The header in the current row of a query selecting {@link #HEADER_COLUMNS}. */
    private static BlockHeader header(ResultSet rs) throws SQLException {
        return new BlockHeader(rs.getLong(1), Hash.of(rs.getBytes(2)), Hash.of(rs.getBytes(3)), rs.getLong(4), new byte[0]);
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
