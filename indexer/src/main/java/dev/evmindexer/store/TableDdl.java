package dev.evmindexer.store;

import dev.evmindexer.abi.Column;
import dev.evmindexer.pipeline.EventTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

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

    static final List<String> STANDARD_COLUMNS = List.of(
            "chain_id int8 NOT NULL", "block_number int8 NOT NULL", "block_hash bytea NOT NULL",
            "block_time timestamptz NOT NULL", "tx_hash bytea NOT NULL", "tx_index int4 NOT NULL",
            "log_index int4 NOT NULL", "address bytea NOT NULL");

    private TableDdl() {}

    /** The DDL the indexer runs for {@code t} (also printed by the {@code schema} command). */
    public static String createTable(EventTable t) {
        return createTable("CREATE TABLE IF NOT EXISTS " + Sql.qualified(t.schema(), t.name()), t);
    }

    private static String createTable(String head, EventTable t) {
        StringBuilder sb = new StringBuilder(head).append(" (\n");
        for (String c : STANDARD_COLUMNS) sb.append("    ").append(c).append(",\n");
        for (Column c : t.columns()) {
            sb.append("    ").append(Sql.quoted(c.name())).append(' ').append(c.sqlType()).append(",\n");
        }
        sb.append("    PRIMARY KEY (chain_id, block_number, log_index)\n)");
        return sb.toString();
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
        String through = "indexer.finalized_through(e.table_schema, e.table_name, e.chain_id)";
        if (t.reconciledView()) {
            through = "least(" + through + ", coalesce((SELECT upper(g) - 1 FROM unnest(e.reconciled) g "
                    + "WHERE g @> e.start_block), e.start_block - 1))";
        }
        return "CREATE OR REPLACE VIEW " + Sql.qualified(t.schema(), t.name() + "_finalized") + " AS SELECT r.* FROM "
                + "indexer.event_tables e CROSS JOIN LATERAL (SELECT * FROM " + Sql.qualified(t.schema(), t.name())
                + " x WHERE x.chain_id = e.chain_id AND x.block_number <= " + through + ") r WHERE e.table_schema = "
                + literal(t.schema()) + " AND e.table_name = " + literal(t.name());
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
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + Sql.quoted(schema));
            }
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
        try (Statement s = c.createStatement()) {
            s.execute(createTable(t));
            s.execute(createView(t));
        }
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
        try (Statement s = c.createStatement()) {
            s.execute(createTable("CREATE TEMPORARY TABLE evm_indexer_expected", t));
        }
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
                return (long) PgEventStore.update(c, "DELETE FROM " + Sql.qualified(schema, table) + " WHERE chain_id = ?",
                        chainId);
            }
            long rows;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Sql.qualified(schema, table))) {
                rs.next();
                rows = rs.getLong(1);
            }
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE " + Sql.qualified(schema, table) + " CASCADE");
            }
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

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
