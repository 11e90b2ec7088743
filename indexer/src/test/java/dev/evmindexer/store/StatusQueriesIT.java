package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The figures {@code status} and {@code indexer.chain_status} show: consistent with each other. */
class StatusQueriesIT extends StoreTestBase {
    private void exec(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private Long scalar(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        }
    }

    @Test
    void theViewsHeadIsNeverBelowTheTipAndStaysUnknownWhileNoHeadWasWritten() throws Exception {
        for (long n = 100; n <= 105; n++) {
            exec("INSERT INTO indexer.headers VALUES (1, " + n + ", '\\x" + "%064x".formatted(n) + "', '\\x00', now())");
        }
        assertNull(scalar("SELECT head FROM indexer.chain_status WHERE chain_id = 1"), "no head written yet");
        exec("UPDATE indexer.chains SET head = 103, head_at = now() WHERE chain_id = 1"); // written before the tip moved
        assertEquals(105, scalar("SELECT tip FROM indexer.chain_status WHERE chain_id = 1"));
        assertEquals(105, scalar("SELECT head FROM indexer.chain_status WHERE chain_id = 1"));
        assertEquals(0, scalar("SELECT head - tip FROM indexer.chain_status WHERE chain_id = 1"));
        exec("UPDATE indexer.chains SET head = 110 WHERE chain_id = 1");
        assertEquals(110, scalar("SELECT head FROM indexer.chain_status WHERE chain_id = 1"));
    }

    @Test
    void everyFigureComesFromOneSnapshotWhileTheDaemonWrites() throws Exception {
        // the table covers far past F, so its "finalized through" is F itself in any consistent snapshot
        exec("UPDATE indexer.event_tables SET coverage = int8multirange(int8range(start_block, 1000000000))");
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            long f = 100;
            while (!done.get()) store.advanceFinalized(1, ++f);
        });
        try {
            for (int i = 0; i < 300; i++) {
                StatusQueries.ChainSnapshot s = StatusQueries.snapshot(db.dataSource(), List.of(1L)).get(0);
                assertEquals(s.finalized(), s.tables().get(0).finalizedThrough(),
                        "finalized and the table's finalized-through read from one snapshot (round " + i + ")");
            }
        } finally {
            done.set(true);
            writer.join();
        }
        assertTrue(StatusQueries.snapshot(db.dataSource(), List.of(1L)).get(0).finalized() > 100, "the writer wrote");
    }

    @Test
    void aChainNeverStoredShowsNothingAndIsNotWritten() throws Exception {
        StatusQueries.ChainSnapshot s = StatusQueries.snapshot(db.dataSource(), List.of(77L)).get(0);
        assertEquals(-1, s.finalized());
        assertEquals(-1, s.tip());
        assertTrue(s.lastHead().isEmpty());
        assertEquals(0, scalar("SELECT count(*) FROM indexer.chains WHERE chain_id = 77"));
    }
}
