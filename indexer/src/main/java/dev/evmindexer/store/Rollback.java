package dev.evmindexer.store;

import dev.evmindexer.pipeline.RollbackResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jooq.impl.DSL;

/**
 * The rollback transaction: everything a chain holds above a block goes, under the chain row locked
 * {@link ChainLock.Mode#EXCLUSIVE} (it waits for every other write and bumps the epoch they planned under).
 */
final class Rollback {
    private Rollback() {}

    /**
     * Deletes every row above {@code ancestor} from every event table of the chain and the factory children created
     * above it, the stored headers above it, subtracts {@code (ancestor, ∞)} from coverage and reconciliation, bumps
     * the epoch, clears a halt, and writes a {@code rollback} outbox entry; all in the caller's transaction.
     */
    static RollbackResult to(Connection c, long chainId, long epoch, long ancestor, long fence) throws SQLException {
        ChainLock.lock(c, chainId, epoch, ChainLock.Mode.EXCLUSIVE, fence);
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
            deleted += Sql.execute(c, DSL.deleteFrom(Sql.table(t[0], t[1]))
                    .where(TableDdl.CHAIN_ID.eq(chainId)).and(TableDdl.BLOCK_NUMBER.gt(ancestor)));
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
