package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.abi.Column;
import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The event tables, their indexes and views as PostgreSQL's catalog holds them must not depend on how the store builds
 * their SQL: databases created by earlier versions stay valid, and {@code TableDdl.sameColumns} compares a chain's
 * expected table with one an earlier version created. {@link Legacy} is the SQL text the store built before it used
 * jOOQ's DSL (ARCHITECTURE.md, where SQL is hand-written and why), frozen here; one database is built with it, another
 * with today's {@link TableDdl} and {@link TableIndexes}, and their catalogs must be equal, column type for column type,
 * index definition for index definition, view definition for view definition.
 */
class TableCatalogIT {
    private static final String YAML = """
            chains:
              - name: one
                chain_id: 1
                rpc: [http://127.0.0.1:8545]
                reconcile: all
              - name: two
                chain_id: 2
                rpc: [http://127.0.0.1:8545]
                reconcile: all
            database:
              schema: %s
            sources:
            %s
            """;

    private static final String SOURCE = """
              - name: s%d
                chain: %s
                events:
                  - signature: "event Wide(address indexed sender, uint256 value, uint64 small, int32 delta, bool ok, string note, bytes data, bytes32 key, uint256[] ids, int64[2][] grid, string[] tags, string indexed label)"
                    table: wide
                    fields: [tx_from, tx_to, tx_type, tx_value, tx_status, tx_gas_used, block_base_fee]
                    indexes: [[sender], [value, block_number], [delta, ok]]
                    finalized_view: reconciled
                  - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                    table: transfers_of_a_token_with_a_rather_long_table_name
                    indexes: [[to, from, value]]
            """;

    /** The tables of chain {@code chainId} (1 or 2) in {@code schema}; the same tables on both chains. */
    private static List<EventTable> tables(String schema, long chainId) throws Exception {
        String yaml = YAML.formatted(schema, SOURCE.formatted(1, "one") + SOURCE.formatted(2, "two"));
        return IndexPlan.from(ConfigLoader.parse(yaml, "test.yaml", Map.of())).allTables().stream()
                .filter(t -> t.chainId() == chainId).toList();
    }

    @Test
    void todaysDdlBuildsTheCatalogTheHandWrittenSqlBuilt() throws Exception {
        for (String schema : List.of("public", "analytics")) {
            List<EventTable> tables = tables(schema, 1);
            assertEquals(2, tables.size());
            try (Database legacy = TestPostgres.open(TestPostgres.newDatabase());
                    Database current = TestPostgres.open(TestPostgres.newDatabase())) {
                Migrations.migrate(legacy.dataSource());
                Migrations.migrate(current.dataSource());
                Legacy.ensure(legacy.dataSource(), tables);
                TableDdl.ensure(current.dataSource(), tables, Map.of(1L, "one"));
                for (EventTable t : tables) {
                    TableIndexes.ensure(current.dataSource(), t);
                    String before = catalog(legacy.dataSource(), t);
                    assertEquals(before, catalog(current.dataSource(), t), t.qualifiedName());
                    assertTrue(before.contains("index ") && before.contains("view ") && before.contains("PRIMARY KEY"), before);
                }
            }
        }
    }

    /** Exact catalog values of one table, so that a change on both sides at once cannot pass unseen. */
    @Test
    void theCatalogHoldsTheseTypesIndexesAndViews() throws Exception {
        EventTable wide = tables("public", 1).get(0);
        try (Database db = TestPostgres.open(TestPostgres.newDatabase())) {
            Migrations.migrate(db.dataSource());
            TableDdl.ensure(db.dataSource(), List.of(wide), Map.of(1L, "one"));
            TableIndexes.ensure(db.dataSource(), wide);
            String catalog = catalog(db.dataSource(), wide);
            assertTrue(catalog.startsWith("""
                    column chain_id bigint not null
                    column block_number bigint not null
                    column block_hash bytea not null
                    column block_time timestamp with time zone not null
                    column tx_hash bytea not null
                    column tx_index integer not null
                    column log_index integer not null
                    column address bytea not null
                    column sender bytea null
                    column value numeric(78,0) null
                    column small numeric(20,0) null
                    column delta bigint null
                    column ok boolean null
                    column note text null
                    column data bytea null
                    column key bytea null
                    column ids numeric(78,0)[] null
                    column grid bigint[] null
                    column tags text[] null
                    column label_hash bytea null
                    column tx_from bytea null
                    column tx_to bytea null
                    column tx_type smallint null
                    column tx_value numeric(78,0) null
                    column tx_status boolean null
                    column tx_gas_used bigint null
                    column block_base_fee numeric(78,0) null
                    constraint wide_pkey PRIMARY KEY (chain_id, block_number, log_index)
                    index wide_delta_ok_idx CREATE INDEX wide_delta_ok_idx ON public.wide USING btree (delta, ok)
                    index wide_pkey CREATE UNIQUE INDEX wide_pkey ON public.wide USING btree (chain_id, block_number, log_index)
                    index wide_sender_idx CREATE INDEX wide_sender_idx ON public.wide USING btree (sender)
                    index wide_value_block_number_idx CREATE INDEX wide_value_block_number_idx ON public.wide USING btree (value, block_number)
                    view\s"""), catalog);
            assertTrue(catalog.contains("""
                              WHERE ((x.chain_id = e.chain_id) AND (x.block_number <= LEAST(indexer.finalized_through(e.table_schema, \
                    e.table_name, e.chain_id), COALESCE(( SELECT (upper(g.g) - 1)
                                       FROM unnest(e.reconciled) g(g)
                                      WHERE (g.g @> e.start_block)), (e.start_block - 1)))))) r)
                      WHERE ((e.table_schema = 'public'::text) AND (e.table_name = 'wide'::text));
                    view column chain_id bigint
                    """), catalog);
        }
    }

    /** A table an earlier version created takes a second chain's rows and gets today's view over it. */
    @Test
    void aTableTheHandWrittenSqlCreatedTakesAnotherChainsRows() throws Exception {
        try (Database db = TestPostgres.open(TestPostgres.newDatabase())) {
            Migrations.migrate(db.dataSource());
            Legacy.ensure(db.dataSource(), tables("public", 1));
            List<EventTable> second = tables("public", 2);
            TableDdl.ensure(db.dataSource(), second, Map.of(2L, "two")); // sameColumns against the legacy table
            TableDdl.ensure(db.dataSource(), tables("public", 1), Map.of(1L, "one")); // its own chain: nothing to change
            try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM indexer.event_tables")) {
                rs.next();
                assertEquals(4, rs.getInt(1));
            }
        }
    }

    /** Columns (name, type, nullability), constraints, indexes and the finalized view's definition, one per line. */
    private static String catalog(DataSource ds, EventTable t) throws SQLException {
        StringBuilder sb = new StringBuilder();
        String table = Sql.qualified(t.schema(), t.name());
        String view = Sql.qualified(t.schema(), t.name() + "_finalized");
        try (Connection c = ds.getConnection()) {
            lines(c, sb, "SELECT 'column ' || attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull "
                    + "THEN ' not null' ELSE ' null' END FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 "
                    + "AND NOT attisdropped ORDER BY attnum", table);
            lines(c, sb, "SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                    + "WHERE conrelid = ?::regclass ORDER BY conname", table);
            lines(c, sb, "SELECT 'index ' || x.relname || ' ' || pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid "
                    + "THEN '' ELSE ' INVALID' END FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid "
                    + "WHERE i.indrelid = ?::regclass ORDER BY x.relname", table);
            lines(c, sb, "SELECT 'view ' || pg_get_viewdef(?::regclass)", view);
            lines(c, sb, "SELECT 'view column ' || attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute "
                    + "WHERE attrelid = ?::regclass AND attnum > 0 ORDER BY attnum", view);
        }
        return sb.toString();
    }

    private static void lines(Connection c, StringBuilder sb, String sql, String relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) sb.append(rs.getString(1)).append('\n');
            }
        }
    }

    /** The SQL the store built by hand before it used jOOQ's DSL, copied as it was; never change it. */
    private static final class Legacy {
        private static final List<String> STANDARD_COLUMNS = List.of(
                "chain_id int8 NOT NULL", "block_number int8 NOT NULL", "block_hash bytea NOT NULL",
                "block_time timestamptz NOT NULL", "tx_hash bytea NOT NULL", "tx_index int4 NOT NULL",
                "log_index int4 NOT NULL", "address bytea NOT NULL");

        /** Schemas, chain row, tables, views, registrations and indexes as the earlier version made them. */
        static void ensure(DataSource ds, List<EventTable> tables) throws SQLException {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO indexer.chains (chain_id, name) VALUES (1, 'one')");
                for (String schema : tables.stream().map(EventTable::schema).distinct().toList()) {
                    s.execute("CREATE SCHEMA IF NOT EXISTS " + Sql.quoted(schema));
                }
                for (EventTable t : tables) {
                    s.execute(createTable(t));
                    s.execute(createView(t));
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO indexer.event_tables (table_schema, "
                            + "table_name, chain_id, source_name, start_block, definition_hash, definition) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                        ps.setString(1, t.schema());
                        ps.setString(2, t.name());
                        ps.setLong(3, t.chainId());
                        ps.setString(4, t.sourceName());
                        ps.setLong(5, t.startBlock());
                        ps.setString(6, t.definitionHash());
                        ps.setString(7, t.signature().canonical());
                        ps.executeUpdate();
                    }
                    for (List<String> columns : t.indexes()) {
                        s.execute("CREATE INDEX CONCURRENTLY " + Sql.quoted(TableIndexes.name(t.name(), columns)) + " ON "
                                + Sql.qualified(t.schema(), t.name()) + " ("
                                + String.join(", ", columns.stream().map(Sql::quoted).toList()) + ")");
                    }
                }
            }
        }

        static String createTable(EventTable t) {
            StringBuilder sb = new StringBuilder("CREATE TABLE IF NOT EXISTS " + Sql.qualified(t.schema(), t.name()))
                    .append(" (\n");
            for (String c : STANDARD_COLUMNS) sb.append("    ").append(c).append(",\n");
            for (Column c : t.columns()) {
                sb.append("    ").append(Sql.quoted(c.name())).append(' ').append(c.sqlType()).append(",\n");
            }
            sb.append("    PRIMARY KEY (chain_id, block_number, log_index)\n)");
            return sb.toString();
        }

        static String createView(EventTable t) {
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

        private static String literal(String s) {
            return "'" + s.replace("'", "''") + "'";
        }
    }
}
