package dev.evmindexer.store;

import dev.evmindexer.eth.Address;
import dev.evmindexer.pipeline.Child;
import dev.evmindexer.pipeline.ChildSource;
import dev.evmindexer.pipeline.EventRow;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code indexer.factory_children} (schema/V8): the children a factory table's rows name, written and deleted in the
 * transactions that write and delete those rows (ARCHITECTURE.md, factories).
 */
final class FactoryChildren {
    private FactoryChildren() {}

    /** Replaces the children of {@code tr}'s factory parameters in {@code span} by those its rows name. */
    static void replace(Connection c, long chainId, TableRows tr, Span span) throws SQLException {
        for (ChildSource cs : tr.table().childSources()) {
            PgEventStore.update(c, "DELETE FROM indexer.factory_children WHERE chain_id = ? AND factory = ? "
                    + "AND block_number BETWEEN ? AND ?", chainId, cs.key(), span.from(), span.to());
            if (tr.rows().isEmpty()) continue;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO indexer.factory_children (chain_id, factory, child, "
                    + "block_number, log_index, block_hash) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (EventRow r : tr.rows()) {
                    ps.setLong(1, chainId);
                    ps.setString(2, cs.key());
                    ps.setBytes(3, cs.childOf(r.log()).unsafeBytes());
                    ps.setLong(4, r.log().blockNumber());
                    ps.setInt(5, r.log().logIndex());
                    ps.setBytes(6, r.log().blockHash().unsafeBytes());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /** The children of {@code key} created at or before {@code upTo}, each once with its first block. */
    static List<Child> read(Connection c, long chainId, String key, long upTo) throws SQLException {
        try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement("SELECT child, min(block_number) FROM "
                + "indexer.factory_children WHERE chain_id = ? AND factory = ? AND block_number <= ? GROUP BY child"),
                chainId, key, upTo); ResultSet rs = ps.executeQuery()) {
            List<Child> out = new ArrayList<>();
            while (rs.next()) out.add(new Child(Address.of(rs.getBytes(1)), rs.getLong(2)));
            return out;
        }
    }

    /** A rollback to {@code ancestor}: children created above it go with the factory rows that named them. */
    static void rollback(Connection c, long chainId, long ancestor) throws SQLException {
        PgEventStore.update(c, "DELETE FROM indexer.factory_children WHERE chain_id = ? AND block_number > ?", chainId, ancestor);
    }

    /** A reset of a factory table (of one chain, or of all when {@code chainId} is null) drops its children too. */
    static void reset(Connection c, String schema, String table, Long chainId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM indexer.factory_children WHERE starts_with(factory, ?) "
                + "AND (?::int8 IS NULL OR chain_id = ?::int8)")) {
            ps.setString(1, schema + "." + table + ".");
            ps.setObject(2, chainId, java.sql.Types.BIGINT);
            ps.setObject(3, chainId, java.sql.Types.BIGINT);
            ps.executeUpdate();
        }
    }

    /** How many children each factory key of the chain has (for {@code status}). */
    static List<Object[]> counts(Connection c, long chainId) throws SQLException {
        try (PreparedStatement ps = PgEventStore.bind(c.prepareStatement("SELECT factory, count(DISTINCT child), "
                + "coalesce(max(block_number), -1) FROM indexer.factory_children WHERE chain_id = ? GROUP BY factory ORDER BY 1"),
                chainId); ResultSet rs = ps.executeQuery()) {
            List<Object[]> out = new ArrayList<>();
            while (rs.next()) out.add(new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3)});
            return out;
        }
    }
}
