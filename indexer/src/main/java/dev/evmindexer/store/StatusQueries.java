package dev.evmindexer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Read-only views of the indexer's state for the {@code status} command. */
public final class StatusQueries {
    /**
     * One event table's coverage, e.g. {@code {[0,1200)}} in PostgreSQL's multirange notation (upper bounds exclusive),
     * and the part of it reconciled with a node after it became final (ARCHITECTURE.md, invariant 9).
     */
    public record TableStatus(String table, long startBlock, String coverage, long finalizedThrough, String reconciled) {}

    /**
     * One chain as stored: {@code finalized} and {@code tip} -1 when none; {@code lastHead} the node's head as the
     * daemon last wrote it, with when ({@code lastHeadAt}), empty when never written.
     */
    public record ChainSnapshot(long chainId, long finalized, long epoch, Optional<String> haltedReason, long tip,
            Optional<Long> lastHead, Optional<Instant> lastHeadAt, List<TableStatus> tables) {}

    private StatusQueries() {}

    /**
     * Every figure of every chain in {@code chainIds} from one snapshot (one read-only repeatable-read
     * transaction), so finalized, tip and each table's "finalized through" agree with each other. Writes
     * nothing: a chain without a row yet shows as nothing stored.
     */
    public static List<ChainSnapshot> snapshot(DataSource ds, List<Long> chainIds) {
        return Sql.inTransaction(ds, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            List<ChainSnapshot> out = new ArrayList<>();
            for (long chainId : chainIds) out.add(chain(c, chainId));
            return out;
        });
    }

    private static ChainSnapshot chain(Connection c, long chainId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT c.finalized, c.epoch, c.halted_reason, c.head, c.head_at, "
                + "(SELECT coalesce(max(h.block_number), -1) FROM indexer.headers h WHERE h.chain_id = ?) "
                + "FROM (SELECT 1) one LEFT JOIN indexer.chains c ON c.chain_id = ?")) {
            ps.setLong(1, chainId);
            ps.setLong(2, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean stored = rs.getObject(1) != null;
                long head = rs.getLong(4);
                Optional<Long> lastHead = rs.wasNull() ? Optional.empty() : Optional.of(head);
                var at = rs.getTimestamp(5);
                return new ChainSnapshot(chainId, stored ? rs.getLong(1) : -1, stored ? rs.getLong(2) : 0,
                        Optional.ofNullable(rs.getString(3)), rs.getLong(6), lastHead,
                        Optional.ofNullable(at).map(java.sql.Timestamp::toInstant), tables(c, chainId));
            }
        }
    }

    private static List<TableStatus> tables(Connection c, long chainId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT table_schema || '.' || table_name, start_block, "
                + "coverage::text, coalesce(indexer.finalized_through(table_schema, table_name, chain_id), -1), reconciled::text "
                + "FROM indexer.event_tables WHERE chain_id = ? ORDER BY 1")) {
            ps.setLong(1, chainId);
            List<TableStatus> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new TableStatus(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
                        rs.getString(5)));
            }
            return out;
        }
    }

    /** Per factory key of the chain: how many children it has and the highest block that created one. */
    public record ChildCount(long children, long lastCreated) {}

    /** The chain's factory children, counted per factory key ({@code indexer.factory_children}). */
    public static java.util.Map<String, ChildCount> children(DataSource ds, long chainId) {
        return Sql.inTransaction(ds, c -> {
            java.util.Map<String, ChildCount> out = new java.util.LinkedHashMap<>();
            for (Object[] r : FactoryChildren.counts(c, chainId)) out.put((String) r[0], new ChildCount((Long) r[1], (Long) r[2]));
            return out;
        });
    }
}
