package dev.evmindexer.store;

import dev.evmindexer.pipeline.EventStore;
import dev.evmindexer.pipeline.EventStoreContract;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link EventStore} contract on {@link PgEventStore} over a fresh embedded PostgreSQL database per test. What
 * only PostgreSQL does (claims expiring, the leader's fence, notifications, views, DDL) is in the other store ITs.
 */
class PgEventStoreContractIT extends EventStoreContract {
    private Database db;

    @Override
    protected EventStore open() throws Exception {
        db = TestPostgres.open(TestPostgres.newDatabase());
        Migrations.migrate(db.dataSource());
        TableDdl.ensure(db.dataSource(), List.of(TABLE), Map.of(1L, "test"));
        return new PgEventStore(db.dataSource());
    }

    @Override
    protected void close() {
        db.close();
    }

    @Override
    protected long rows(String table, long fromBlock) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + Sql.qualified("public", table)
                        + " WHERE block_number >= ?")) {
            ps.setLong(1, fromBlock);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    protected List<String> outbox() throws Exception {
        try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT kind, table_name, from_block, to_block FROM indexer.outbox ORDER BY id")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                String table = rs.getString(2);
                out.add(rs.getString(1) + (table == null ? "" : " " + table.substring(table.indexOf('.') + 1)) + " "
                        + new Span(rs.getLong(3), rs.getLong(4)));
            }
            return out;
        }
    }
}
