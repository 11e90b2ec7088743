package dev.evmindexer.store;

import dev.evmindexer.abi.Column;
import dev.evmindexer.pipeline.EventTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.CreateTableElementListStep;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Creates each configured event's table (standard columns, then one typed column per parameter) and its
 * {@code <table>_finalized} view, and registers it with its definition hash. Runs in one transaction
 * under an advisory lock so concurrent starts do not race. A table whose stored definition differs is
 * refused with the way out; a table that exists without registration is refused too.
 */
public final class TableDdl {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TableDdl.class);
    /** Advisory lock key for DDL: "evmi" + "ddl". */
    static final long DDL_LOCK = 0x65766d69_64646cL;

    /** Every event table's {@code chain_id} (the first column of its primary key). */
    static final Field<Long> CHAIN_ID = DSL.field(DSL.unquotedName("chain_id"), SQLDataType.BIGINT);
    /** Every event table's {@code block_number}. */
    static final Field<Long> BLOCK_NUMBER = DSL.field(DSL.unquotedName("block_number"), SQLDataType.BIGINT);
    private static final Field<Integer> LOG_INDEX = DSL.field(DSL.unquotedName("log_index"), SQLDataType.INTEGER);

    /** The standard columns, in order, before the event's own (TableCatalogIT holds the catalog they make). */
    static final List<Field<?>> STANDARD_COLUMNS = List.of(
            standard("chain_id", "int8"), standard("block_number", "int8"), standard("block_hash", "bytea"),
            standard("block_time", "timestamptz"), standard("tx_hash", "bytea"), standard("tx_index", "int4"),
            standard("log_index", "int4"), standard("address", "bytea"));

    private TableDdl() {}

    private static Field<Object> standard(String name, String type) {
        return DSL.field(DSL.unquotedName(name), Sql.type(type).notNull());
    }

    /** The DDL the indexer runs for {@code t} (also printed by the {@code schema} command). */
    public static String createTable(EventTable t) {
        return Sql.render(createTableQuery(t));
    }

    private static Query createTableQuery(EventTable t) {
        return createTable(DSL.createTableIfNotExists(DSL.name(t.schema(), t.name())), t);
    }

    /** {@code head} (the table's name) with the standard columns, then one per column of {@code t}, and the key. */
    private static Query createTable(CreateTableElementListStep head, EventTable t) {
        List<Field<?>> columns = new ArrayList<>(STANDARD_COLUMNS);
        for (Column c : t.columns()) columns.add(DSL.field(DSL.name(c.name()), Sql.type(c.sqlType())));
        return head.columns(columns).primaryKey(CHAIN_ID, BLOCK_NUMBER, LOG_INDEX);
    }

    /**
     * Each chain's rows at or below that chain's finalized-and-contiguously-covered block
     * ({@code indexer.finalized_through}, per chain: a table may hold several chains' rows, each with its own F
     * and coverage). With {@code finalized_view: reconciled} ({@link EventTable#reconciledView}), only up to the
     * block before the first one not yet reconciled from {@code start_block} (ARCHITECTURE.md, invariant 9): rows a
     * node may have left out are never shown as final before another answer confirmed them. Either way a prefix,
     * bounded per chain, so the primary key {@code (chain_id, block_number, ...)} serves it.
     */
    public static String createView(EventTable t) {
        return Sql.render(createViewQuery(t));
    }

    /**
     * The view as jOOQ's DSL builds it; the range operators ({@code @>}, {@code upper}) of the reconciled bound are
     * PostgreSQL's own, written as a template over jOOQ-rendered names (ARCHITECTURE.md, where SQL is hand-written).
     */
    private static Query createViewQuery(EventTable t) {
        Field<String> schema = DSL.field(DSL.unquotedName("e", "table_schema"), SQLDataType.VARCHAR);
        Field<String> table = DSL.field(DSL.unquotedName("e", "table_name"), SQLDataType.VARCHAR);
        Field<Long> chain = DSL.field(DSL.unquotedName("e", "chain_id"), SQLDataType.BIGINT);
        Field<Long> start = DSL.field(DSL.unquotedName("e", "start_block"), SQLDataType.BIGINT);
        Field<Long> through = DSL.function(DSL.unquotedName("indexer", "finalized_through"), SQLDataType.BIGINT,
                schema, table, chain);
        if (t.reconciledView()) {
            Table<?> ranges = DSL.table("unnest({0})", DSL.field(DSL.unquotedName("e", "reconciled")))
                    .as(DSL.unquotedName("g"), DSL.unquotedName("g"));
            Field<Object> range = DSL.field(DSL.unquotedName("g"));
            Condition holdsStart = DSL.condition("{0} @> {1}", range, start);
            Field<Long> lastReconciled = DSL.field(DSL.select(
                    DSL.function(DSL.unquotedName("upper"), SQLDataType.BIGINT, range).minus(DSL.inline(1)))
                    .from(ranges).where(holdsStart));
            through = DSL.least(through, DSL.coalesce(lastReconciled, start.minus(DSL.inline(1))));
        }
        Table<?> rows = DSL.lateral(DSL.select(DSL.asterisk())
                .from(Sql.table(t.schema(), t.name()).as(DSL.unquotedName("x")))
                .where(DSL.field(DSL.unquotedName("x", "chain_id"), SQLDataType.BIGINT).eq(chain))
                .and(DSL.field(DSL.unquotedName("x", "block_number"), SQLDataType.BIGINT).le(through)))
                .as(DSL.unquotedName("r"));
        return DSL.createOrReplaceView(DSL.name(t.schema(), t.name() + "_finalized"))
                .as(DSL.select(DSL.table(DSL.unquotedName("r")).asterisk())
                        .from(DSL.table(DSL.unquotedName("indexer", "event_tables")).as(DSL.unquotedName("e")))
                        .crossJoin(rows)
                        .where(schema.eq(DSL.inline(t.schema()))).and(table.eq(DSL.inline(t.name()))));
    }

    /**
     * Creates the chain rows, the schemas (a {@code database.schema} that does not exist yet is created, and the
     * log says so), the tables and views that are missing, and checks the existing ones.
     */
    public static void ensure(DataSource ds, List<EventTable> tables, java.util.Map<Long, String> chainNames) {
        Sql.inTransaction(ds, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")");
            }
            for (var e : chainNames.entrySet()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO indexer.chains (chain_id, name) VALUES (?, ?) "
                        + "ON CONFLICT (chain_id) DO UPDATE SET name = excluded.name")) {
                    ps.setLong(1, e.getKey());
                    ps.setString(2, e.getValue());
                    ps.executeUpdate();
                }
            }
            ensureSchemas(c, tables);
            for (EventTable t : tables) ensureOne(c, t);
            return null;
        });
    }

    private static void ensureSchemas(Connection c, List<EventTable> tables) throws SQLException {
        for (String schema : tables.stream().map(EventTable::schema).distinct().toList()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) continue;
                }
            }
            Sql.execute(c, DSL.createSchema(DSL.name(schema)));
            log.info("schema.created schema={} (the tables' schema did not exist: database.schema or a table's schema)",
                    schema);
        }
    }

    private static void ensureOne(Connection c, EventTable t) throws SQLException {
        String stored = storedHash(c, t);
        if (stored != null && !stored.equals(t.definitionHash())) {
            throw new StoreException("table " + t.qualifiedName() + " holds rows of chain " + t.chainId() + " of a "
                    + "different definition (event, addresses or columns changed since it was created); refusing to mix"
                    + " them. Drop its rows and coverage with `indexer reset --config FILE --table " + t.name()
                    + "` (add --chain to drop only this chain's), or choose a new table name");
        }
        if (stored == null && exists(c, t)) {
            if (!registered(c, t.schema(), t.name())) {
                throw new StoreException("table " + t.qualifiedName() + " already exists but was not created by the "
                        + "indexer; choose another table name or drop it");
            }
            sameColumns(c, t); // another chain's rows are there: this chain's must fit the same columns
        }
        Sql.execute(c, createTableQuery(t));
        Sql.execute(c, createViewQuery(t));
        if (stored == null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO indexer.event_tables (table_schema, table_name, "
                    + "chain_id, source_name, start_block, definition_hash, definition) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                ps.setLong(3, t.chainId());
                ps.setString(4, t.sourceName());
                ps.setLong(5, t.startBlock());
                ps.setString(6, t.definitionHash());
                ps.setString(7, t.signature().canonical());
                ps.executeUpdate();
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement("UPDATE indexer.event_tables SET start_block = ?, source_name = ? "
                    + "WHERE table_schema = ? AND table_name = ? AND chain_id = ?")) {
                ps.setLong(1, t.startBlock());
                ps.setString(2, t.sourceName());
                ps.setString(3, t.schema());
                ps.setString(4, t.name());
                ps.setLong(5, t.chainId());
                ps.executeUpdate();
            }
        }
    }

    /**
     * Refuses {@code t} when the existing table's columns (names and types, in order) are not those {@code t}
     * would create. PostgreSQL spells the types: the expected table is created as a temporary one and compared.
     */
    private static void sameColumns(Connection c, EventTable t) throws SQLException {
        Sql.execute(c, createTable(DSL.createTemporaryTable(DSL.unquotedName("evm_indexer_expected")), t));
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS_OF + "?::regclass), " + COLUMNS_OF
                + "'pg_temp.evm_indexer_expected'::regclass)")) {
            ps.setString(1, Sql.qualified(t.schema(), t.name()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getString(1).equals(rs.getString(2))) {
                    throw new StoreException("table " + t.qualifiedName() + " holds another chain's rows with columns ("
                            + rs.getString(1) + "), but chain " + t.chainId() + "'s source " + t.sourceName()
                            + " defines (" + rs.getString(2) + "); sources on different chains share a table only with"
                            + " the same event and columns");
                }
            }
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE pg_temp.evm_indexer_expected");
            }
        }
    }

    /** An expression over a regclass: its columns as {@code name type, ...} in order. */
    private static final String COLUMNS_OF = "(SELECT string_agg(quote_ident(attname) || ' ' || format_type(atttypid, "
            + "atttypmod), ', ' ORDER BY attnum) FROM pg_attribute WHERE attnum > 0 AND NOT attisdropped AND attrelid = ";

    /**
     * Drops an event table, its view and its registrations (and so its coverage), in one transaction under the DDL
     * lock; or, with {@code chainId}, only that chain's rows and registration (the table and view stay while another
     * chain's rows are in it). The next start creates and backfills what is gone. Returns the number of rows
     * dropped, or -1 when no such table is registered (for that chain).
     */
    public static long reset(DataSource ds, String schema, String table, Long chainId) {
        return Sql.inTransaction(ds, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")");
            }
            if (deleteOfTable(c, "indexer.event_tables", schema, table, chainId) == 0) return -1L;
            FactoryChildren.reset(c, schema, table, chainId);
            ServedBy.reset(c, schema, table, chainId);
            if (registered(c, schema, table)) { // another chain's rows stay
                return (long) Sql.execute(c, DSL.deleteFrom(Sql.table(schema, table)).where(CHAIN_ID.eq(chainId)));
            }
            long rows = Sql.fetch(c, DSL.select(DSL.count().coerce(SQLDataType.BIGINT)).from(Sql.table(schema, table)))
                    .get(0).value1();
            Sql.execute(c, DSL.dropTable(DSL.name(schema, table)).cascade());
            return rows;
        });
    }

    /**
     * Deletes the rows of {@code relation} (an {@code indexer} table with {@code table_schema}, {@code table_name} and
     * {@code chain_id} columns) that describe one event table, of one chain or of all when {@code chainId} is null.
     */
    static int deleteOfTable(Connection c, String relation, String schema, String table, Long chainId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + relation + " WHERE table_schema = ? "
                + "AND table_name = ? AND (?::int8 IS NULL OR chain_id = ?::int8)")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setObject(3, chainId, java.sql.Types.BIGINT);
            ps.setObject(4, chainId, java.sql.Types.BIGINT);
            return ps.executeUpdate();
        }
    }

    private static String storedHash(Connection c, EventTable t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT definition_hash FROM indexer.event_tables WHERE table_schema = ? AND table_name = ? AND chain_id = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            ps.setLong(3, t.chainId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Whether any chain has the table registered. */
    private static boolean registered(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT EXISTS (SELECT FROM indexer.event_tables WHERE table_schema = ? AND table_name = ?)")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static boolean exists(Connection c, EventTable t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, Sql.qualified(t.schema(), t.name()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
