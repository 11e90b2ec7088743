package dev.evmindexer.store;

import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.Writers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code indexer.served_by}: which endpoint answered the logs of each part of a table the range phase wrote, so
 * reconciliation can blame the endpoint whose answer left rows out or altered them (ARCHITECTURE.md, invariant 9).
 * Every statement runs inside the transaction of the write it describes.
 */
final class ServedBy {
    /** The endpoint of an entry whose writer is not known (a repair wrote the blocks). */
    static final String UNKNOWN = "";

    private ServedBy() {}

    /** Records that {@code endpoint} answered the logs of {@code part} of {@code t}; nothing when it is unknown. */
    static void record(Connection c, long chainId, EventTable t, Span part, String endpoint) throws SQLException {
        if (endpoint == null) return;
        insert(c, chainId, t, part, endpoint);
    }

    /** The newest entry over {@code blocks} of {@code t}, naming {@code endpoint}. */
    private static void insert(Connection c, long chainId, EventTable t, Span blocks, String endpoint) throws SQLException {
        PgEventStore.update(c, "INSERT INTO indexer.served_by (chain_id, table_schema, table_name, blocks, endpoint) "
                + "VALUES (?, ?, ?, int8range(?, ?, '[]'), ?)", chainId, t.schema(), t.name(), blocks.from(), blocks.to(),
                endpoint);
    }

    /** The entries of {@code t} that overlap {@code span}, oldest first (the newest covering a block names its writer). */
    static Writers within(Connection c, long chainId, EventTable t, Span span) throws SQLException {
        try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement("SELECT lower(blocks), upper(blocks) - 1, endpoint "
                + "FROM indexer.served_by WHERE chain_id = ? AND table_schema = ? AND table_name = ? "
                + "AND blocks && int8range(?, ?, '[]') ORDER BY id"), chainId, t.schema(), t.name(), span.from(), span.to());
                ResultSet rs = ps.executeQuery()) {
            List<Writers.Entry> out = new ArrayList<>();
            while (rs.next()) {
                String endpoint = rs.getString(3);
                out.add(new Writers.Entry(new Span(rs.getLong(1), rs.getLong(2)), endpoint.equals(UNKNOWN) ? null : endpoint));
            }
            return new Writers(out);
        }
    }

    /**
     * {@code span} of {@code t} was rewritten by a repair (verify's or reconciliation's), not by a recorded range commit:
     * who wrote it is no longer known. Recorded as the newest entry over it, naming no endpoint ({@link #UNKNOWN}).
     */
    static void forget(Connection c, long chainId, EventTable t, Span span) throws SQLException {
        insert(c, chainId, t, span, UNKNOWN);
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
