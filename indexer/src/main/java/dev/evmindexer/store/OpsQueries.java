package dev.evmindexer.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import javax.sql.DataSource;

/** The daemon's housekeeping writes and the readiness probe's database check. */
public final class OpsQueries {
    /** Outbox rows deleted per transaction, so pruning never holds long locks. */
    static final int PRUNE_BATCH = 10_000;

    private OpsQueries() {}

    /** Deletes outbox rows older than {@code keep}, in batches; returns how many went. */
    public static long pruneOutbox(DataSource ds, Duration keep) {
        long total = 0;
        while (true) {
            int n = Sql.inTransaction(ds, c -> PgEventStore.update(c, "DELETE FROM indexer.outbox WHERE id IN "
                    + "(SELECT id FROM indexer.outbox WHERE created_at < now() - make_interval(secs => ?) LIMIT ?)",
                    (double) keep.toSeconds(), PRUNE_BATCH));
            total += n;
            if (n < PRUNE_BATCH) return total;
        }
    }

    /**
     * Records the node's head and {@code safe} tag (null: the node has none) as seen now; a head below the recorded
     * one (a lagging node) is recorded too.
     */
    public static void recordHead(DataSource ds, long chainId, long head, Long safe) {
        Sql.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE indexer.chains SET head = ?, safe = ?, head_at = now() "
                    + "WHERE chain_id = ?")) {
                ps.setLong(1, head);
                if (safe == null) ps.setNull(2, Types.BIGINT);
                else ps.setLong(2, safe);
                ps.setLong(3, chainId);
                return ps.executeUpdate();
            }
        });
    }

    /** True when a connection can be borrowed and answers within {@code timeoutSeconds}. */
    public static boolean ping(DataSource ds, int timeoutSeconds) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1")) {
            ps.setQueryTimeout(timeoutSeconds);
            ps.execute();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
