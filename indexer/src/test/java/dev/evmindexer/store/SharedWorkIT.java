package dev.evmindexer.store;

import static dev.evmindexer.store.PgEventStoreIT.TABLE;
import static dev.evmindexer.store.PgEventStoreIT.header;
import static dev.evmindexer.store.PgEventStoreIT.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.pipeline.FencedException;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TipBlock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several processes on one database: claimed units, concurrent range commits, the leader's fence and its F. */
class SharedWorkIT extends StoreTestBase {
    private static final Duration TTL = Duration.ofSeconds(30);

    private long count(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void sql(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void aClaimedSpanIsNobodyElsesUntilItExpiresOrItsCommitCoversIt() throws Exception {
        assertEquals(List.of(new Span(0, 9), new Span(10, 19)),
                store.claim(1, TABLE, List.of(new Span(0, 9), new Span(10, 19)), "a", TTL));
        assertEquals(List.of(new Span(20, 29)), store.claim(1, TABLE, List.of(new Span(5, 29)), "b", TTL),
                "b gets only what a does not hold");
        assertEquals(List.of(new Span(0, 9)), store.claim(1, TABLE, List.of(new Span(0, 9)), "a", TTL), "a's own claim is a's");

        long epoch = store.chain(1).epoch();
        store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, null);
        assertEquals(2, count("SELECT count(*) FROM indexer.range_claims"), "the commit that covered [0, 9] dropped its claim");
        assertEquals(List.of(), store.claim(1, TABLE, List.of(new Span(10, 19)), "b", TTL));

        assertEquals(List.of(), store.claim(1, TABLE, List.of(new Span(0, 19)), "c", TTL),
                "planned from a read before the commit: [0, 9] is covered now (its claim gone with it), [10, 19] is a's");
        sql("UPDATE indexer.range_claims SET expires_at = now() - interval '1 second' WHERE owner = 'a'");
        assertEquals(List.of(new Span(10, 19)), store.claim(1, TABLE, List.of(new Span(10, 19)), "b", TTL),
                "a claim past its expiry (its owner died) is taken by another");
        store.releaseClaims(1, "b");
        assertEquals(0, count("SELECT count(*) FROM indexer.range_claims"));
    }

    @Test
    void rangeCommitsRunBesideEachOtherButARollbackWaitsForThem() throws Exception {
        long epoch = store.chain(1).epoch();
        try (Connection open = db.dataSource().getConnection()) {
            open.setAutoCommit(false);
            // a range commit of another process, in progress: it holds the chain row as range commits do
            ChainLock.lock(open, 1, epoch, ChainLock.Mode.RANGE, ChainLock.NO_FENCE);
            store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, null);
            assertEquals(20, count("SELECT count(*) FROM transfers"), "a second range commit did not wait for the first");

            try (Connection rollback = db.dataSource().getConnection()) {
                rollback.setAutoCommit(false);
                rollback.createStatement().execute("SET LOCAL lock_timeout = '300ms'");
                java.sql.SQLException e = assertThrows(java.sql.SQLException.class,
                        () -> Rollback.to(rollback, 1, epoch, 3, ChainLock.NO_FENCE), "a rollback waits for range commits");
                assertEquals("55P03", e.getSQLState(), "lock_timeout: " + e);
                rollback.rollback();
            }
            open.rollback();
        }
    }

    @Test
    void aRangeOverlappingCoverageWritesAndAnnouncesOnlyWhatWasMissing() throws Exception {
        long epoch = store.chain(1).epoch();
        store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, null);
        store.commitRange(1, epoch, new Span(20, 29), List.of(rows(20, 29, 0)), false, null);
        assertEquals(20, store.commitRange(1, epoch, new Span(5, 24), List.of(rows(5, 24, 0)), false, null),
                "only blocks 10..19 were missing: 20 rows");
        assertEquals(60, count("SELECT count(*) FROM transfers"));
        assertEquals(1, count("SELECT count(*) FROM indexer.outbox WHERE from_block = 10 AND to_block = 19"));
        assertEquals(3, count("SELECT count(*) FROM indexer.outbox"), "no second notice of blocks already announced");
    }

    @Test
    void aLeaderThatLostItsGenerationCanNoLongerWriteTheTip() throws Exception {
        long epoch = store.chain(1).epoch();
        store.commitRange(1, epoch, new Span(0, 10), List.of(rows(0, 10, 0)), false, null);
        sql("UPDATE indexer.chains SET leader_generation = 7 WHERE chain_id = 1");
        store.fence(1, 7);
        store.storeAnchor(1, epoch, header(10, 0, 0));
        store.commitBlocks(1, epoch, header(10, 0, 0).stored(), List.of(new TipBlock(header(11, 0, 0), List.of(rows(11, 11, 0)))));

        sql("UPDATE indexer.chains SET leader_generation = 8 WHERE chain_id = 1"); // another process took over
        FencedException e = assertThrows(FencedException.class, () -> store.commitBlocks(1, epoch, header(11, 0, 0).stored(),
                List.of(new TipBlock(header(12, 0, 0), List.of(rows(12, 12, 0))))));
        assertTrue(e.getMessage().contains("generation is 8") && e.getMessage().contains("led generation 7"), e.getMessage());
        assertEquals(11, count("SELECT max(block_number) FROM indexer.headers"), "nothing of block 12 was written");
        assertEquals(0, count("SELECT count(*) FROM transfers WHERE block_number = 12"));
        assertThrows(FencedException.class, () -> store.rollback(1, epoch, 5, "stale walk-back"));
        assertEquals(24, count("SELECT count(*) FROM transfers"), "the fenced rollback deleted nothing");
    }

    @Test
    void onlyTheLeaderMovesFAndEveryProcessFollowsOneFinalityRule() throws Exception {
        sql("UPDATE indexer.chains SET leader_generation = 3, leader_until = now() + interval '1 minute' WHERE chain_id = 1");
        store.advanceFinalized(1, 150);
        assertEquals(100, store.chain(1).finalized(), "a process that does not lead leaves F to the live leader");
        store.fence(1, 3);
        store.advanceFinalized(1, 150);
        assertEquals(150, store.chain(1).finalized());
        store.finalityRule(1, "head - 64");
        store.unfence(1);
        sql("UPDATE indexer.chains SET leader_until = now() - interval '1 second' WHERE chain_id = 1");
        store.advanceFinalized(1, 160);
        assertEquals(160, store.chain(1).finalized(), "with no leader alive, a backfill moves F itself");

        store.finalityRule(1, "head - 64");
        StoreException e = assertThrows(StoreException.class, () -> store.finalityRule(1, "head - 12"));
        assertTrue(e.getMessage().contains("head - 64") && e.getMessage().contains("head - 12"), e.getMessage());
    }
}
