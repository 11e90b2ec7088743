package dev.evmindexer.store;

import dev.evmindexer.pipeline.EpochChangedException;
import dev.evmindexer.pipeline.FencedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The chain-row lock every write transaction takes first, the epoch check and the leader fence. The rollback
 * transaction that takes it exclusively is {@link Rollback}.
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
}
