package dev.evmindexer.store;

import dev.evmindexer.pipeline.EpochChangedException;
import dev.evmindexer.pipeline.FencedException;
import dev.evmindexer.pipeline.RollbackResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The chain-row lock every write transaction takes first, the epoch check, the leader fence, and the rollback itself.
 *
 * <p>The lock's strength follows what must be serial (ARCHITECTURE.md, several processes): range commits write at or
 * below {@code F}, each its own span, so any number of them, from any process, run at once ({@link Mode#RANGE},
 * {@code FOR KEY SHARE}); tip, anchor and catch-up writes are one writer's ordered chain ({@link Mode#TIP},
 * {@code FOR NO KEY UPDATE}: one at a time, beside range commits); a rollback or halt rewrites what the others planned
 * on and so waits for all of them and bumps the epoch ({@link Mode#EXCLUSIVE}, {@code FOR UPDATE}).
 */
final class ChainLock {
    private ChainLock() {}

    enum Mode {
        RANGE("FOR KEY SHARE"),
        TIP("FOR NO KEY UPDATE"),
        EXCLUSIVE("FOR UPDATE");

        final String clause;

        Mode(String clause) {
            this.clause = clause;
        }
    }

    /** Locks the chain row exclusively, checks the epoch, and returns the persisted finalized block. */
    static long lock(Connection c, long chainId, long plannedEpoch) throws SQLException {
        return lock(c, chainId, plannedEpoch, Mode.EXCLUSIVE, NO_FENCE);
    }

    /** No leader generation to check: CLI commands and range work, which any process may do. */
    static final long NO_FENCE = -1;

    /**
     * Locks the chain row in {@code mode}, checks the epoch and, unless {@code fence} is {@link #NO_FENCE}, that the
     * leader generation is still {@code fence}; returns the persisted finalized block.
     */
    static long lock(Connection c, long chainId, long plannedEpoch, Mode mode, long fence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT epoch, finalized, leader_generation FROM indexer.chains WHERE chain_id = ? " + mode.clause)) {
            ps.setLong(1, chainId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new StoreException("chain " + chainId + " is not in indexer.chains");
                long epoch = rs.getLong(1);
                if (epoch != plannedEpoch) throw new EpochChangedException(chainId, plannedEpoch, epoch);
                if (fence != NO_FENCE && rs.getLong(3) != fence) throw new FencedException(chainId, fence, rs.getLong(3));
                return rs.getLong(2);
            }
        }
    }

    /**
     * Deletes every row above {@code ancestor} from every event table of the chain and the factory children created
     * above it, the stored headers
     * above it, subtracts {@code (ancestor, ∞)} from coverage, bumps the epoch, clears a halt, and writes
     * a {@code rollback} outbox entry; all in the caller's transaction.
     */
    static RollbackResult rollback(Connection c, long chainId, long epoch, long ancestor, long fence) throws SQLException {
        lock(c, chainId, epoch, Mode.EXCLUSIVE, fence);
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
            PgEventStore.update(c, "UPDATE indexer.event_tables SET coverage = coverage - int8multirange(int8range(?, NULL)), "
                    + "reconciled = reconciled - int8multirange(int8range(?, NULL)) "
                    + "WHERE table_schema = ? AND table_name = ? AND chain_id = ?",
                    ancestor + 1, ancestor + 1, t[0], t[1], chainId);
        }
        FactoryChildren.rollback(c, chainId, ancestor);
        ServedBy.rollback(c, chainId, ancestor);
        PgEventStore.update(c, "DELETE FROM indexer.headers WHERE chain_id = ? AND block_number > ?", chainId, ancestor);
        PgEventStore.update(c, "UPDATE indexer.chains SET epoch = epoch + 1, halted_reason = NULL, halted_at = NULL, "
                + "updated_at = now() WHERE chain_id = ?", chainId);
        long to = Math.max(ancestor + 1, Math.max(previousTip, highestCovered));
        Outbox.write(c, chainId, null, "rollback", ancestor + 1, to);
        return new RollbackResult(ancestor, previousTip, deleted, epoch + 1);
    }
}
