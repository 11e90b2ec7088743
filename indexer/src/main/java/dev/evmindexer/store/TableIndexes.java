package dev.evmindexer.store;

import dev.evmindexer.abi.Names;
import dev.evmindexer.pipeline.EventTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table's configured secondary indexes, built with {@code CREATE INDEX CONCURRENTLY} (writers keep
 * going) on a connection without a statement timeout, then {@code ANALYZE}. jOOQ's DSL has neither
 * {@code CONCURRENTLY} nor {@code ANALYZE}: they are jOOQ templates whose names jOOQ renders and quotes
 * (ARCHITECTURE.md, where SQL is hand-written and why). An index left invalid by an
 * interrupted build is dropped and built again. Names longer than PostgreSQL's 63 bytes are shortened
 * with a hash suffix, never truncated.
 */
final class TableIndexes {
    private static final Logger log = LoggerFactory.getLogger(TableIndexes.class);

    private TableIndexes() {}

    static void ensure(DataSource ds, EventTable t) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(true); // CONCURRENTLY cannot run inside a transaction
            // one builder per table across processes (daemon and backfill): a build in progress also looks
            // invalid, so whoever does not get the lock leaves the indexes to the one that did
            String key = "evm-indexer index " + t.qualifiedName();
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        log.info("index.skipped table={} reason=\"another process is building its indexes\"", t.qualifiedName());
                        return;
                    }
                }
            }
            try {
                build(c, t);
            } finally {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                    ps.setString(1, key);
                    ps.execute();
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static void build(Connection c, EventTable t) throws SQLException {
        boolean built = false;
        for (List<String> columns : t.indexes()) {
            String name = name(t.name(), columns);
            Boolean valid = validity(c, t, name);
            if (Boolean.TRUE.equals(valid)) continue;
            try (Statement s = c.createStatement()) {
                s.execute("SET statement_timeout = 0");
                if (valid != null) Sql.execute(c, DSL.query("DROP INDEX CONCURRENTLY IF EXISTS {0}", DSL.name(t.schema(), name)));
                long started = System.nanoTime();
                Sql.execute(c, DSL.query("CREATE INDEX CONCURRENTLY {0} ON {1} ({2})", DSL.name(name),
                        Sql.table(t.schema(), t.name()), DSL.list(columns.stream().map(col -> DSL.field(DSL.name(col))).toList())));
                log.info("index.built table={} index={} columns={} seconds={}", t.qualifiedName(), name, columns,
                        String.format("%.1f", (System.nanoTime() - started) / 1e9));
                built = true;
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET statement_timeout");
                }
            }
        }
        if (built) {
            Sql.execute(c, DSL.query("ANALYZE {0}", Sql.table(t.schema(), t.name())));
        }
    }

    /** True: a valid index exists; false: an invalid one (an interrupted build); null: none. */
    private static Boolean validity(Connection c, EventTable t, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid "
                + "JOIN pg_namespace n ON n.oid = x.relnamespace WHERE n.nspname = ? AND x.relname = ? "
                + "AND i.indrelid = to_regclass(?)")) {
            ps.setString(1, t.schema());
            ps.setString(2, name);
            ps.setString(3, Sql.qualified(t.schema(), t.name()));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    /** {@code <table>_<col>_<col>_idx}, shortened with a hash suffix when too long ({@link Names#shorten}). */
    static String name(String table, List<String> columns) {
        return Names.shorten(table + "_" + String.join("_", columns) + "_idx");
    }
}
