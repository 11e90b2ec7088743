package dev.evmindexer.store;

import dev.evmindexer.abi.Jsonb;
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
        StringBuilder payload = new StringBuilder("{\"chain_id\":").append(chainId).append(",\"table\":");
        if (table == null) payload.append("null");
        else Jsonb.quote(payload, table);
        payload.append(",\"kind\":\"").append(kind).append("\",\"from_block\":").append(from)
                .append(",\"to_block\":").append(to).append('}');
        try (var ps = c.prepareStatement("SELECT pg_notify('indexer', ?)")) {
            ps.setString(1, payload.toString());
            ps.execute();
        }
    }
}
