package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.EpochChangedException;
import dev.evmindexer.pipeline.EventStoreContract;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import dev.evmindexer.pipeline.TipMovedException;
import dev.evmindexer.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The store's transactions on a real PostgreSQL beyond the {@link EventStoreContract} (replays, epochs, tip blocks and
 * rollbacks are there, in {@link PgEventStoreContractIT}): views, catch-up over changed rows, notifications, DDL.
 */
class PgEventStoreIT extends StoreTestBase {
    static final Address TOKEN = EventStoreContract.TOKEN;
    static final EventSignature TRANSFER = EventStoreContract.TRANSFER;
    static final EventTable TABLE = EventStoreContract.TABLE;

    static BlockHeader header(long n, int salt, int parentSalt) {
        return EventStoreContract.header(n, salt, parentSalt);
    }

    static TableRows rows(long from, long to, int salt) {
        return EventStoreContract.rows(from, to, salt);
    }

    long count(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theFinalizedViewNeverShowsRowsPastAHole() throws Exception {
        long epoch = store.chain(1).epoch();
        store.commitRange(1, epoch, new Span(10, 19), List.of(rows(10, 19, 0)), false, null); // committed before [0, 9]
        assertEquals(20, count("SELECT count(*) FROM transfers"));
        assertEquals(0, count("SELECT count(*) FROM transfers_finalized"), "blocks 0..9 are still missing");
        store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, null);
        store.commitRange(1, epoch, new Span(30, 39), List.of(rows(30, 39, 0)), false, null);
        assertEquals(40, count("SELECT count(*) FROM transfers_finalized"), "through block 19, not past the hole at 20..29");
        assertEquals(19, count("SELECT indexer.finalized_through('public', 'transfers')"));
    }

    @Test
    void eachRangeCommitRecordsWhichEndpointServedWhatItWroteUntilARollbackOrResetTakesItAway() throws Exception {
        long epoch = store.chain(1).epoch();
        PgVerifyStore verify = new PgVerifyStore(db.dataSource());
        store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, "http://a:1");
        store.commitRange(1, epoch, new Span(10, 19), List.of(rows(10, 19, 0)), false, null); // unknown: nothing recorded
        store.commitRange(1, epoch, new Span(0, 19), List.of(rows(0, 19, 0)), false, "http://b:1"); // all covered: no write
        assertEquals(Optional.of("http://a:1"), verify.writers(TABLE, new Span(0, 19)).of(9));
        assertEquals(Optional.empty(), verify.writers(TABLE, new Span(0, 19)).of(10), "a write whose endpoint is unknown records nothing");
        store.commitRange(1, epoch, new Span(5, 14), List.of(rows(5, 14, 1)), true, "http://b:1"); // forced rewrite
        assertEquals(Optional.of("http://a:1"), verify.writers(TABLE, new Span(0, 19)).of(4));
        assertEquals(Optional.of("http://b:1"), verify.writers(TABLE, new Span(0, 19)).of(5), "the newest write of a block names its writer");
        assertEquals(Optional.of("http://b:1"), verify.writers(TABLE, new Span(0, 19)).of(14));
        verify.reconciled(1, epoch, rows(12, 13, 1), List.of(new Span(12, 13)), List.of());
        assertEquals(Optional.empty(), verify.writers(TABLE, new Span(0, 19)).of(12), "a repair's rows have no known writer");
        assertEquals(Optional.of("http://b:1"), verify.writers(TABLE, new Span(0, 19)).of(14), "around it nothing changes");

        store.rollback(1, epoch, 6, "test");
        assertEquals(Optional.of("http://b:1"), verify.writers(TABLE, new Span(0, 19)).of(6), "kept up to the ancestor");
        assertEquals(Optional.empty(), verify.writers(TABLE, new Span(0, 19)).of(7), "gone with the rows above it");
        TableDdl.reset(db.dataSource(), "public", "transfers", null);
        assertEquals(0, count("SELECT count(*) FROM indexer.served_by"), "a reset forgets the table's writers");
    }

    @Test
    void aRangeAboveFinalizedIsRefusedAndWritesNothing() throws Exception {
        long epoch = store.chain(1).epoch();
        assertThrows(StoreException.class, () -> store.commitRange(1, epoch, new Span(95, 105), List.of(rows(95, 105, 0)), false, null));
        assertEquals(0, count("SELECT count(*) FROM transfers"));
        assertEquals(0, count("SELECT count(*) FROM indexer.outbox"));
    }

    @Test
    void aCatchUpWritesOnlyOntoTheStoredHeadersItWasPlannedOn() throws Exception {
        long epoch = store.chain(1).epoch();
        List<StoredHeader> above = EventStoreContract.rangeToTenThenTipTo15(store, epoch).stream().map(BlockHeader::stored)
                .toList();
        // as if the table had been added (or reset) while the chain was at #15: nothing of it above the anchor
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute("DELETE FROM transfers WHERE block_number > 10");
            c.createStatement().execute("UPDATE indexer.event_tables SET coverage = coverage - '{[11,16)}'::int8multirange");
        }
        long outboxBefore = count("SELECT count(*) FROM indexer.outbox");

        List<StoredHeader> otherFork = new ArrayList<>(above);
        otherFork.set(2, header(13, 1, 0).stored());
        assertThrows(TipMovedException.class, () -> store.commitCatchUp(1, epoch, otherFork, rows(11, 15, 0)));
        assertEquals(0, count("SELECT count(*) FROM transfers WHERE block_number > 10"), "nothing written");
        assertEquals(List.of(new Span(11, 15)), store.uncovered(TABLE, 0, 15));

        store.commitCatchUp(1, epoch, above, rows(11, 15, 0));
        assertEquals(10, count("SELECT count(*) FROM transfers WHERE block_number > 10"));
        assertEquals(List.of(), store.uncovered(TABLE, 0, 15));
        assertEquals(outboxBefore + 1, count("SELECT count(*) FROM indexer.outbox"));
        assertEquals(1, count("SELECT count(*) FROM indexer.outbox WHERE kind = 'commit' AND from_block = 11 AND to_block = 15"));
        store.commitCatchUp(1, epoch, above, rows(11, 15, 0));
        assertEquals(10, count("SELECT count(*) FROM transfers WHERE block_number > 10"), "a replay writes nothing twice");

        try (Connection c = db.dataSource().getConnection()) { // a header gone without an epoch change
            c.createStatement().execute("DELETE FROM indexer.headers WHERE block_number = 15");
            c.createStatement().execute("DELETE FROM transfers WHERE block_number > 10");
        }
        TipMovedException gone = assertThrows(TipMovedException.class, () -> store.commitCatchUp(1, epoch, above, rows(11, 15, 0)));
        assertTrue(gone.getMessage().contains("#15 is gone"), gone.getMessage());
        assertEquals(0, count("SELECT count(*) FROM transfers WHERE block_number > 10"), "nothing written");

        store.rollback(1, epoch, 12, "reorg");
        assertThrows(EpochChangedException.class, () -> store.commitCatchUp(1, epoch, above, rows(11, 13, 0)));
    }

    @Test
    void notificationsArriveOnlyForCommittedTransactions() throws Exception {
        try (Connection listener = TestPostgres.connect(url)) {
            listener.createStatement().execute("LISTEN indexer");
            long epoch = store.chain(1).epoch();
            store.commitRange(1, epoch, new Span(0, 3), List.of(rows(0, 3, 0)), false, null);
            assertThrows(StoreException.class, () -> store.commitRange(1, epoch, new Span(99, 101), List.of(rows(99, 101, 0)), false, null));
            store.storeAnchor(1, epoch, header(3, 0, 0));
            store.rollback(1, epoch, 1, "test");
            listener.createStatement().execute("SELECT 1");
            var notes = listener.unwrap(PGConnection.class).getNotifications(2000);
            assertEquals(2, notes.length);
            assertTrue(notes[0].getParameter().contains("\"kind\":\"commit\",\"from_block\":0,\"to_block\":3"), notes[0].getParameter());
            assertTrue(notes[1].getParameter().contains("\"kind\":\"rollback\",\"from_block\":2"), notes[1].getParameter());
        }
    }

    @Test
    void configuredIndexesAreBuiltOnceThenLeftAlone() throws Exception {
        EventTable indexed = new EventTable("public", "indexed_transfers", 1, "token", 0, TABLE.filter(), TRANSFER,
                new EventDecoder(TRANSFER), "def3").withIndexes(List.of(List.of("from"), List.of("to", "block_number")));
        TableDdl.ensure(db.dataSource(), List.of(indexed), Map.of(1L, "test"));
        store.commitRange(1, store.chain(1).epoch(), new Span(0, 9), List.of(new TableRows(indexed, rows(0, 9, 0).rows())), false, null);
        store.ensureIndexes(List.of(indexed));
        String q = "SELECT count(*) FROM pg_indexes WHERE tablename = 'indexed_transfers' AND indexname IN "
                + "('indexed_transfers_from_idx', 'indexed_transfers_to_block_number_idx')";
        assertEquals(2, count(q));
        long oid = count("SELECT 'indexed_transfers_from_idx'::regclass::oid::int8");
        store.ensureIndexes(List.of(indexed));
        assertEquals(oid, count("SELECT 'indexed_transfers_from_idx'::regclass::oid::int8"), "not rebuilt");
        assertEquals(63, TableIndexes.name("t".repeat(40), List.of("c".repeat(30))).length());
    }

    @Test
    void aChangedDefinitionIsRefusedWithTheWayOut() {
        EventTable changed = new EventTable("public", "transfers", 1, "token", 0, TABLE.filter(), TRANSFER,
                new EventDecoder(TRANSFER), "def2");
        StoreException e = assertThrows(StoreException.class,
                () -> TableDdl.ensure(db.dataSource(), List.of(changed), Map.of(1L, "test")));
        assertTrue(e.getMessage().contains("public.transfers") && e.getMessage().contains("reset"), e.getMessage());
    }

    @Test
    void anotherChainSharesTheTableOnlyWithTheSameColumns() throws Exception {
        EventTable secondChain = new EventTable("public", "transfers", 2, "token_2", 0, TABLE.filter(), TRANSFER,
                new EventDecoder(TRANSFER), "def-chain-2");
        TableDdl.ensure(db.dataSource(), List.of(secondChain), Map.of(2L, "second"));
        try (Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT string_agg(chain_id::text, ',' ORDER BY chain_id) FROM indexer.event_tables")) {
            rs.next();
            assertEquals("1,2", rs.getString(1), "one registration per chain, one table");
        }
        EventSignature narrower = EventSignature.parse("event Transfer(address indexed from, address indexed to, uint64 value)");
        EventTable thirdChain = new EventTable("public", "transfers", 3, "token_3", 0, TABLE.filter(), narrower,
                new EventDecoder(narrower), "def-chain-3");
        StoreException e = assertThrows(StoreException.class,
                () -> TableDdl.ensure(db.dataSource(), List.of(thirdChain), Map.of(3L, "third")));
        assertTrue(e.getMessage().contains("holds another chain's rows with columns (") && e.getMessage().contains(
                "value numeric(78,0)") && e.getMessage().contains("value numeric(20,0)"), e.getMessage());
    }
}
