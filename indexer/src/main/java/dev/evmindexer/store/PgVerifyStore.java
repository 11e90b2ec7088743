package dev.evmindexer.store;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import dev.evmindexer.pipeline.VerifyStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link VerifyStore} on PostgreSQL. The node's rows are COPYed into a temporary table shaped like the
 * event table (dropped at commit) and compared with a full join in SQL, so values are compared in
 * PostgreSQL's own types, exactly as stored.
 */
public final class PgVerifyStore implements VerifyStore {
    private static final String EXPECTED = "verify_expected";

    private final DataSource ds;

    public PgVerifyStore(DataSource ds) {
        this.ds = ds;
    }

    @Override
    public List<RowDiff> compare(long chainId, Span span, TableRows expected) {
        EventTable t = expected.table();
        EventTable temp = t.renamed("pg_temp", EXPECTED);
        String table = Sql.qualified(t.schema(), t.name());
        String sql = "SELECT coalesce(e.block_number, a.block_number), coalesce(e.log_index, a.log_index), "
                + "CASE WHEN a.block_number IS NULL THEN 'MISSING' WHEN e.block_number IS NULL THEN 'EXTRA' ELSE 'DIFFERENT' END, "
                + "coalesce(e.tx_hash, a.tx_hash), "
                + "(SELECT string_agg(k.key, ', ' ORDER BY k.key) FROM jsonb_each(to_jsonb(e)) k "
                + "  WHERE k.value IS DISTINCT FROM to_jsonb(a) -> k.key) "
                + "FROM pg_temp." + EXPECTED + " e FULL JOIN (SELECT * FROM " + table
                + "  WHERE chain_id = ? AND block_number BETWEEN ? AND ?) a "
                + "ON a.block_number = e.block_number AND a.log_index = e.log_index "
                + "WHERE ROW(e.*) IS DISTINCT FROM ROW(a.*) ORDER BY 1, 2";
        return Sql.inTransaction(ds, c -> {
            PgEventStore.update(c, "CREATE TEMP TABLE " + EXPECTED + " (LIKE " + table + ") ON COMMIT DROP");
            CopyRows.copy(c, chainId, new TableRows(temp, expected.rows()));
            List<RowDiff> out = new ArrayList<>();
            try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement(sql), chainId, span.from(), span.to());
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Kind kind = Kind.valueOf(rs.getString(3));
                    String detail = kind == Kind.DIFFERENT ? rs.getString(5)
                            : "tx " + Hex.encode(rs.getBytes(4)).substring(0, 10);
                    out.add(new RowDiff(t, rs.getLong(1), rs.getInt(2), kind, detail));
                }
            }
            return out;
        });
    }

    @Override
    public void repair(long chainId, long epoch, Span span, TableRows rows, Map<Long, Hash> canonicalAboveFinalized) {
        Sql.inTransaction(ds, c -> {
            long f = ChainLock.lock(c, chainId, epoch);
            for (long n = Math.max(span.from(), f + 1); n <= span.to(); n++) {
                Optional<StoredHeader> stored = PgEventStore.header(c, "SELECT block_number, block_hash, parent_hash, "
                        + "extract(epoch FROM block_time)::int8 FROM indexer.headers WHERE chain_id = ? AND block_number = ?",
                        chainId, n);
                Hash node = canonicalAboveFinalized.get(n);
                if (stored.isEmpty() || node == null || !stored.get().hash().equals(node)) {
                    throw new StoreException("not repairing " + rows.table() + " " + span + ": block #" + n
                            + " is above the finalized block #" + f + " and its stored header "
                            + stored.map(h -> h.hash().shortHex()).orElse("(none)") + " is not the node's "
                            + (node == null ? "(unknown)" : node.shortHex()) + ": a reorg the daemon rolls back");
                }
            }
            PgEventStore.replace(c, chainId, rows, span, CopyObserver.NONE);
            return null;
        });
    }

    @Override
    public java.util.Optional<String> servedBy(EventTable table, long block) {
        return Sql.inTransaction(ds, c -> ServedBy.of(c, table.chainId(), table, block));
    }

    @Override
    public List<Span> unreconciled(EventTable table, long finalized) {
        if (finalized < table.startBlock()) return List.of();
        return Sql.inTransaction(ds, c -> {
            List<Span> out = new ArrayList<>();
            try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement("SELECT lower(r), upper(r) - 1 FROM "
                    + "indexer.event_tables e, unnest(e.coverage * int8multirange(int8range(?, ?, '[]')) - e.reconciled) r "
                    + "WHERE e.table_schema = ? AND e.table_name = ? AND e.chain_id = ? ORDER BY 1"), table.startBlock(), finalized,
                    table.schema(), table.name(), table.chainId()); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Span(rs.getLong(1), rs.getLong(2)));
            }
            return out;
        });
    }

    @Override
    public void reconciled(long chainId, long epoch, TableRows answer, List<Span> rewrite, List<Span> mark) {
        EventTable t = answer.table();
        Sql.inTransaction(ds, c -> {
            long f = ChainLock.lock(c, chainId, epoch);
            for (Span s : java.util.stream.Stream.concat(rewrite.stream(), mark.stream()).toList()) {
                if (s.to() > f) {
                    throw new StoreException("not reconciling " + t.qualifiedName() + " " + s + ": above the finalized block #" + f);
                }
            }
            for (Span s : rewrite) {
                PgEventStore.replace(c, chainId, new TableRows(t, answer.rows().stream()
                        .filter(r -> r.log().blockNumber() >= s.from() && r.log().blockNumber() <= s.to()).toList()), s,
                        CopyObserver.NONE);
            }
            for (Span s : mark) {
                PgEventStore.update(c, "UPDATE indexer.event_tables SET reconciled = reconciled "
                        + "+ (int8multirange(int8range(?, ?, '[]')) * coverage) WHERE table_schema = ? AND table_name = ? "
                        + "AND chain_id = ?", s.from(), s.to(), t.schema(), t.name(), chainId);
            }
            return null;
        });
    }
}
