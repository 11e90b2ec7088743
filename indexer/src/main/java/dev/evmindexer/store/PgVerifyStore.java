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
import org.jooq.Field;
import org.jooq.Record5;
import org.jooq.ResultQuery;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

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
        return Sql.inTransaction(ds, c -> {
            Sql.execute(c, DSL.query("CREATE TEMP TABLE {0} (LIKE {1}) ON COMMIT DROP", DSL.unquotedName(EXPECTED),
                    Sql.table(t.schema(), t.name())));
            CopyRows.copy(c, chainId, new TableRows(temp, expected.rows()));
            List<RowDiff> out = new ArrayList<>();
            for (var r : Sql.fetch(c, differences(t, chainId, span))) {
                Kind kind = Kind.valueOf(r.value3());
                String detail = kind == Kind.DIFFERENT ? r.value5() : "tx " + Hex.encode(r.value4()).substring(0, 10);
                out.add(new RowDiff(t, r.value1(), r.value2(), kind, detail));
            }
            return out;
        });
    }

    /**
     * The rows of {@code t} in {@code span} that differ from the node's ({@code e}, the temporary table), full-joined
     * on their key: block, log index, what is wrong, the transaction, and for a row on both sides the columns that
     * differ (compared as {@code jsonb} values of PostgreSQL's own types). The whole-row comparison and the
     * {@code jsonb} functions are PostgreSQL's own, written as templates over jOOQ-rendered names.
     */
    private static ResultQuery<Record5<Long, Integer, String, byte[], String>> differences(EventTable t, long chainId,
            Span span) {
        Table<?> node = DSL.table(DSL.unquotedName("pg_temp", EXPECTED)).as(DSL.unquotedName("e"));
        Table<?> stored = DSL.select(DSL.asterisk()).from(Sql.table(t.schema(), t.name()))
                .where(TableDdl.CHAIN_ID.eq(chainId)).and(TableDdl.BLOCK_NUMBER.between(span.from(), span.to()))
                .asTable(DSL.unquotedName("a"));
        Field<Long> nodeBlock = DSL.field(DSL.unquotedName("e", "block_number"), SQLDataType.BIGINT);
        Field<Long> storedBlock = DSL.field(DSL.unquotedName("a", "block_number"), SQLDataType.BIGINT);
        Field<Integer> nodeLog = DSL.field(DSL.unquotedName("e", "log_index"), SQLDataType.INTEGER);
        Field<Integer> storedLog = DSL.field(DSL.unquotedName("a", "log_index"), SQLDataType.INTEGER);
        Field<String> key = DSL.field(DSL.unquotedName("k", "key"), SQLDataType.VARCHAR);
        Field<String> columns = DSL.field(DSL.select(DSL.stringAgg(key, ", ").orderBy(key))
                .from(DSL.table("jsonb_each(to_jsonb({0}))", DSL.unquotedName("e")).as(DSL.unquotedName("k")))
                .where(DSL.condition("{0} IS DISTINCT FROM to_jsonb({1}) -> {2}", DSL.unquotedName("k", "value"),
                        DSL.unquotedName("a"), key)));
        return DSL.select(DSL.coalesce(nodeBlock, storedBlock), DSL.coalesce(nodeLog, storedLog),
                DSL.when(storedBlock.isNull(), DSL.inline("MISSING")).when(nodeBlock.isNull(), DSL.inline("EXTRA"))
                        .else_(DSL.inline("DIFFERENT")),
                DSL.coalesce(DSL.field(DSL.unquotedName("e", "tx_hash"), SQLDataType.BLOB),
                        DSL.field(DSL.unquotedName("a", "tx_hash"), SQLDataType.BLOB)),
                columns)
                .from(node).fullJoin(stored).on(storedBlock.eq(nodeBlock).and(storedLog.eq(nodeLog)))
                .where(DSL.condition("ROW({0}.*) IS DISTINCT FROM ROW({1}.*)", DSL.unquotedName("e"), DSL.unquotedName("a")))
                .orderBy(DSL.inline(1), DSL.inline(2));
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
            ServedBy.forget(c, chainId, rows.table(), span);
            return null;
        });
    }

    @Override
    public dev.evmindexer.pipeline.Writers writers(EventTable table, Span span) {
        return Sql.inTransaction(ds, c -> ServedBy.within(c, table.chainId(), table, span));
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
                ServedBy.forget(c, chainId, t, s);
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
