package dev.evmindexer.store;

import dev.evmindexer.pipeline.EpochChangedException;
import dev.evmindexer.pipeline.RollbackResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The chain-row lock every write transaction takes first, the epoch check, and the rollback itself. */
final class ChainLock {
    private ChainLock() {}

    /** Locks the chain row, checks the epoch, and returns the persisted finalized block. */
    static long lock(Connection c, long chainId, long plannedEpoch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT epoch, finalized FROM indexer.chains WHERE chain_id = ? FOR UPDATE")) {
            ps.setLong(1, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new StoreException("chain " + chainId + " is not in indexer.chains");
                long epoch = rs.getLong(1);
                if (epoch != plannedEpoch) throw new EpochChangedException(chainId, plannedEpoch, epoch);
                return rs.getLong(2);
            }
        }
    }

    /**
     * Deletes every row above {@code ancestor} from every event table of the chain, the stored headers
     * above it, subtracts {@code (ancestor, ∞)} from coverage, bumps the epoch, clears a halt, and writes
     * a {@code rollback} outbox entry; all in the caller's transaction.
     */
    static RollbackResult rollback(Connection c, long chainId, long epoch, long ancestor) throws SQLException {
        lock(c, chainId, epoch);
        long previousTip = -1;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(max(block_number), -1) FROM indexer.headers WHERE chain_id = ?")) {
            ps.setLong(1, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                previousTip = rs.getLong(1);
            }
        }
        List<String[]> tables = new ArrayList<>();
        long highestCovered = -1;
        try (PreparedStatement ps = c.prepareStatement("SELECT table_schema, table_name, "
                + "coalesce(upper(coverage) - 1, -1) FROM indexer.event_tables WHERE chain_id = ? ORDER BY 1, 2")) {
            ps.setLong(1, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                    highestCovered = Math.max(highestCovered, rs.getLong(3));
                }
            }
        }
        long deleted = 0;
        for (String[] t : tables) {
            deleted += PgEventStore.update(c, "DELETE FROM " + Sql.qualified(t[0], t[1])
                    + " WHERE chain_id = ? AND block_number > ?", chainId, ancestor);
            PgEventStore.update(c, "UPDATE indexer.event_tables SET coverage = coverage - int8multirange(int8range(?, NULL)) "
                    + "WHERE table_schema = ? AND table_name = ?", ancestor + 1, t[0], t[1]);
        }
        PgEventStore.update(c, "DELETE FROM indexer.headers WHERE chain_id = ? AND block_number > ?", chainId, ancestor);
        PgEventStore.update(c, "UPDATE indexer.chains SET epoch = epoch + 1, halted_reason = NULL, halted_at = NULL, "
                + "updated_at = now() WHERE chain_id = ?", chainId);
        long to = Math.max(ancestor + 1, Math.max(previousTip, highestCovered));
        Outbox.write(c, chainId, null, "rollback", ancestor + 1, to);
        return new RollbackResult(ancestor, previousTip, deleted, epoch + 1);
    }
}
