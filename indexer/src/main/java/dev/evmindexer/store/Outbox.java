package dev.evmindexer.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Outbox entries and their {@code pg_notify('indexer', ...)}, always inside the transaction of the data
 * they announce: a rolled-back transaction notifies nobody.
 */
final class Outbox {
    private Outbox() {}

    static void write(Connection c, long chainId, String table, String kind, long from, long to) throws SQLException {
        PgEventStore.update(c, "INSERT INTO indexer.outbox (chain_id, table_name, kind, from_block, to_block) "
                + "VALUES (?, ?, ?, ?, ?)", chainId, table, kind, from, to);
        String payload = "{\"chain_id\":" + chainId + ",\"table\":" + (table == null ? "null" : json(table))
                + ",\"kind\":\"" + kind + "\",\"from_block\":" + from + ",\"to_block\":" + to + "}";
        try (var ps = c.prepareStatement("SELECT pg_notify('indexer', ?)")) {
            ps.setString(1, payload);
            ps.execute();
        }
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
