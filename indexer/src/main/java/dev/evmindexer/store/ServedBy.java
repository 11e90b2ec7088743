package dev.evmindexer.store;

import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.Span;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * {@code indexer.served_by}: which endpoint answered the logs of each part of a table the range phase wrote, so
 * reconciliation can blame the endpoint whose answer left rows out or altered them (ARCHITECTURE.md, invariant 9).
 * Every statement runs inside the transaction of the write it describes.
 */
final class ServedBy {
    private ServedBy() {}

    /** Records that {@code endpoint} answered the logs of {@code part} of {@code t}; nothing when it is unknown. */
    static void record(Connection c, long chainId, EventTable t, Span part, String endpoint) throws SQLException {
        if (endpoint == null) return;
        PgEventStore.update(c, "INSERT INTO indexer.served_by (chain_id, table_schema, table_name, blocks, endpoint) "
                + "VALUES (?, ?, ?, int8range(?, ?, '[]'), ?)", chainId, t.schema(), t.name(), part.from(), part.to(), endpoint);
    }

    /** The endpoint whose answer wrote {@code block} of {@code t}: the newest entry covering it. */
    static Optional<String> of(Connection c, long chainId, EventTable t, long block) throws SQLException {
        try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement("SELECT endpoint FROM indexer.served_by "
                + "WHERE chain_id = ? AND table_schema = ? AND table_name = ? AND blocks @> ?::int8 ORDER BY id DESC LIMIT 1"),
                chainId, t.schema(), t.name(), block);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    /** A rollback to {@code ancestor}: the rows above it are gone, and so is who wrote them. */
    static void rollback(Connection c, long chainId, long ancestor) throws SQLException {
        PgEventStore.update(c, "UPDATE indexer.served_by SET blocks = blocks * int8range(NULL, ?) WHERE chain_id = ? "
                + "AND upper(blocks) > ?", ancestor + 1, chainId, ancestor + 1);
        PgEventStore.update(c, "DELETE FROM indexer.served_by WHERE chain_id = ? AND isempty(blocks)", chainId);
    }

    /** A reset of a table (of one chain, or of all when {@code chainId} is null). */
    static void reset(Connection c, String schema, String table, Long chainId) throws SQLException {
        TableDdl.deleteOfTable(c, "indexer.served_by", schema, table, chainId);
    }
}
