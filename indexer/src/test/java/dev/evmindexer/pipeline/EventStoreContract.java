package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import dev.evmindexer.eth.StoredHeader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link EventStore} contract, run against every implementation: the PostgreSQL store
 * ({@code store/PgEventStoreContractIT}) and the in-memory one the pipeline's unit tests use
 * ({@link MemoryStoreContractTest}), so the fake cannot hide a behaviour the real store lacks. Each test starts on a
 * fresh store with {@link #TABLE} registered for chain 1 and the chain's finalized block at 100.
 */
public abstract class EventStoreContract {
    public static final Address TOKEN = Address.fromHex("0x00000000000000000000000000000000000000aa");
    public static final EventSignature TRANSFER =
            EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)");
    public static final EventTable TABLE = new EventTable("public", "transfers", 1, "token", 0,
            new LogFilter(List.of(TOKEN), List.of(TRANSFER.topic0())), TRANSFER, new EventDecoder(TRANSFER), "def1");
    private static final Duration TTL = Duration.ofSeconds(30);

    protected EventStore store;

    /** A fresh, empty store with {@link #TABLE} registered for chain 1. */
    protected abstract EventStore open() throws Exception;

    /** Rows of {@code table} at or above {@code fromBlock}. */
    protected abstract long rows(String table, long fromBlock) throws Exception;

    /** The outbox in order, each entry as {@code "commit transfers [0, 9]"} or {@code "rollback [13, 15]"}. */
    protected abstract List<String> outbox() throws Exception;

    protected void close() throws Exception {}

    @BeforeEach
    void openStore() throws Exception {
        store = open();
        store.advanceFinalized(1, 100);
    }

    @AfterEach
    void closeStore() throws Exception {
        close();
    }

    public static Hash hash(long n, int salt) {
        byte[] b = new byte[32];
        ByteBuffer.wrap(b).putLong(0, n).putInt(8, salt).put(31, (byte) 1);
        return Hash.of(b);
    }

    /** A header as a node gives it: with a logs bloom and a receipts root. */
    public static BlockHeader header(long n, int salt, int parentSalt) {
        byte[] bloom = new byte[LogsBloom.SIZE];
        bloom[(int) (n % LogsBloom.SIZE)] = 1;
        return new BlockHeader(n, hash(n, salt), hash(n - 1, parentSalt), 1_700_000_000L + n, LogsBloom.of(bloom),
                Optional.of(hash(n, 1000 + salt)));
    }

    /** Two transfers per block in {@code [from, to]}, decoded through the real decoder. */
    public static TableRows rows(long from, long to, int salt) {
        List<Log> logs = new ArrayList<>();
        for (long n = from; n <= to; n++) {
            for (int i = 0; i < 2; i++) {
                byte[] v = new byte[32];
                ByteBuffer.wrap(v).putLong(24, n * 10 + i + salt);
                logs.add(new Log(TOKEN, List.of(TRANSFER.topic0(), pad(1), pad(2)), v, n, hash(n, salt), hash(n, 100 + i), i, i));
            }
        }
        return new LogRouter().route(List.of(TABLE), logs, n -> header(n, salt, salt)).get(0);
    }

    public static Hash pad(int b) {
        byte[] x = new byte[32];
        x[31] = (byte) b;
        return Hash.of(x);
    }

    private long epoch() {
        return store.chain(1).epoch();
    }

    /** Blocks 0..10 by a range, 10 as the anchor, then 11..15 one tip block at a time; returns the tip headers. */
    public static List<BlockHeader> rangeToTenThenTipTo15(EventStore store, long epoch) {
        store.commitRange(1, epoch, new Span(0, 10), List.of(rows(0, 10, 0)), false, null);
        store.storeAnchor(1, epoch, header(10, 0, 0));
        StoredHeader tip = header(10, 0, 0).stored();
        List<BlockHeader> above = new ArrayList<>();
        for (long n = 11; n <= 15; n++) {
            BlockHeader b = header(n, 0, 0);
            store.commitBlocks(1, epoch, tip, List.of(new TipBlock(b, List.of(rows(n, n, 0)))));
            above.add(b);
            tip = b.stored();
        }
        return above;
    }

    /** What the store keeps of each of {@code headers}. */
    private static List<StoredHeader> stored(List<BlockHeader> headers) {
        return headers.stream().map(BlockHeader::stored).toList();
    }

    @Test
    void headersReadBackAreTheNumberHashesAndTimeOfTheNodesHeaders() {
        // a stored header has no bloom and no receipts root (StoredHeader has no such fields): bloom checks and proofs
        // need the node's; what it has must come back as written
        List<BlockHeader> above = rangeToTenThenTipTo15(store, epoch());
        StoredHeader tip = store.tip(1).orElseThrow();
        assertEquals(above.get(4).stored(), tip);
        assertEquals(15, tip.number());
        assertEquals(above.get(4).hash(), tip.hash());
        assertEquals(above.get(4).parentHash(), tip.parentHash());
        assertEquals(above.get(4).timestamp(), tip.timestamp());
        assertEquals(above.get(1).stored(), store.header(1, 12).orElseThrow());
        assertEquals(header(10, 0, 0).stored(), store.anchor(1).orElseThrow());
        assertTrue(store.header(1, 16).isEmpty());
    }

    @Test
    void tipBlocksNeedTheStoredParentAndAreOneCommitEach() throws Exception {
        long epoch = epoch();
        rangeToTenThenTipTo15(store, epoch);
        StoredHeader stale = header(13, 0, 0).stored();
        assertThrows(TipMovedException.class,
                () -> store.commitBlocks(1, epoch, stale, List.of(new TipBlock(header(14, 1, 0), List.of(rows(14, 14, 1))))));
        assertEquals(32, rows("transfers", 0));
        assertEquals(15, store.tip(1).orElseThrow().number());

        StoredHeader tip = store.tip(1).orElseThrow();
        store.commitBlocks(1, epoch, tip, List.of(new TipBlock(header(16, 0, 0), List.of(rows(16, 16, 0))),
                new TipBlock(header(17, 0, 0), List.of(rows(17, 17, 0)))));
        assertEquals(17, store.tip(1).orElseThrow().number());
        assertEquals(List.of(new Span(18, 20)), store.uncovered(TABLE, 0, 20));
        assertEquals("commit transfers [16, 17]", outbox().get(outbox().size() - 1), "two blocks, one entry");
    }

    @Test
    void rollbackRemovesEverythingAboveTheAncestorAndBumpsTheEpoch() throws Exception {
        long epoch = epoch();
        rangeToTenThenTipTo15(store, epoch);
        store.halt(1, epoch, "walk-back reached the anchor");
        assertEquals("walk-back reached the anchor", store.chain(1).haltedReason().orElseThrow());

        RollbackResult r = store.rollback(1, epoch, 12, "reorg");
        assertEquals(new RollbackResult(12, 15, 6, epoch + 1), r);
        assertEquals(epoch + 1, epoch());
        assertFalse(store.chain(1).halted(), "a rollback clears a halt");
        assertEquals(12, store.tip(1).orElseThrow().number());
        assertEquals(0, rows("transfers", 13));
        assertEquals(26, rows("transfers", 0));
        assertEquals(List.of(new Span(13, 20)), store.uncovered(TABLE, 0, 20));
        assertEquals("rollback [13, 15]", outbox().get(outbox().size() - 1));
    }

    @Test
    void workPlannedUnderAnOldEpochIsRefusedAndWritesNothing() throws Exception {
        long epoch = epoch();
        List<BlockHeader> above = rangeToTenThenTipTo15(store, epoch);
        store.rollback(1, epoch, 12, "reorg");
        int entries = outbox().size();
        StoredHeader tip = store.tip(1).orElseThrow();
        assertThrows(EpochChangedException.class,
                () -> store.commitRange(1, epoch, new Span(20, 29), List.of(rows(20, 29, 0)), false, null));
        assertThrows(EpochChangedException.class,
                () -> store.commitBlocks(1, epoch, tip, List.of(new TipBlock(header(13, 1, 0), List.of(rows(13, 13, 1))))));
        assertThrows(EpochChangedException.class, () -> store.commitCatchUp(1, epoch, stored(above.subList(0, 2)), rows(11, 12, 0)));
        assertThrows(EpochChangedException.class, () -> store.storeAnchor(1, epoch, header(40, 0, 0)));
        assertThrows(EpochChangedException.class, () -> store.halt(1, epoch, "stale walk-back"));
        assertThrows(EpochChangedException.class, () -> store.rollback(1, epoch, 5, "stale"));
        assertEquals(26, rows("transfers", 0));
        assertEquals(12, store.tip(1).orElseThrow().number());
        assertFalse(store.chain(1).halted());
        assertEquals(entries, outbox().size());
    }

    @Test
    void replayingARangeIsANoOpUnlessForced() throws Exception {
        long epoch = epoch();
        assertEquals(20, store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, null));
        assertEquals(0, store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), false, null));
        assertEquals(10, store.commitRange(1, epoch, new Span(5, 14), List.of(rows(5, 14, 0)), false, null));
        assertEquals(30, rows("transfers", 0));
        assertEquals(List.of(new Span(15, 20)), store.uncovered(TABLE, 0, 20));
        assertEquals(List.of("commit transfers [0, 9]", "commit transfers [10, 14]"), outbox(),
                "a replay of a covered range writes no second entry; [5, 14] announced only 10..14");
        assertEquals(20, store.commitRange(1, epoch, new Span(0, 9), List.of(rows(0, 9, 0)), true, null), "force rewrites");
        assertEquals(30, rows("transfers", 0));
        assertEquals(3, outbox().size());
    }

    @Test
    void aRangeAboveFinalizedIsRefusedAndWritesNothing() throws Exception {
        long epoch = epoch();
        assertThrows(RuntimeException.class,
                () -> store.commitRange(1, epoch, new Span(95, 105), List.of(rows(95, 105, 0)), false, null));
        assertEquals(0, rows("transfers", 0));
        assertEquals(List.of(), outbox());
        assertEquals(List.of(new Span(0, 200)), store.uncovered(TABLE, 0, 200));
    }

    @Test
    void coverageIsWhatWasCommittedWithItsHoles() {
        long epoch = epoch();
        store.commitRange(1, epoch, new Span(10, 19), List.of(rows(10, 19, 0)), false, null);
        store.commitRange(1, epoch, new Span(30, 39), List.of(rows(30, 39, 0)), false, null);
        assertEquals(List.of(new Span(0, 9), new Span(20, 29), new Span(40, 50)), store.uncovered(TABLE, 0, 50));
        assertEquals(List.of(), store.uncovered(TABLE, 12, 18));
        assertEquals(List.of(new Span(20, 25)), store.uncovered(TABLE, 15, 25));
    }

    @Test
    void aCatchUpWritesOnlyOntoTheStoredHeadersItWasPlannedOn() throws Exception {
        long epoch = epoch();
        List<BlockHeader> above = rangeToTenThenTipTo15(store, epoch);
        long now = epoch;
        List<StoredHeader> otherFork = new ArrayList<>(stored(above));
        otherFork.set(2, header(13, 1, 0).stored());
        int entries = outbox().size();
        assertThrows(TipMovedException.class, () -> store.commitCatchUp(1, now, otherFork, rows(11, 15, 5)));
        assertEquals(entries, outbox().size(), "nothing written");

        store.commitCatchUp(1, now, stored(above), rows(11, 15, 5));
        assertEquals(10, rows("transfers", 11), "the tip's rows of 11..15 replaced, not added to");
        assertEquals(List.of(), store.uncovered(TABLE, 0, 15));
        assertEquals("commit transfers [11, 15]", outbox().get(outbox().size() - 1));

        List<StoredHeader> pastTip = List.of(header(16, 0, 0).stored());
        assertThrows(TipMovedException.class, () -> store.commitCatchUp(1, now, pastTip, rows(16, 16, 0)),
                "no stored header #16");
    }

    @Test
    void theAnchorOnlyMovesUpAndPrunesWhatIsBelowIt() {
        long epoch = epoch();
        store.storeAnchor(1, epoch, header(10, 0, 0));
        store.storeAnchor(1, epoch, header(5, 0, 0));
        assertEquals(10, store.anchor(1).orElseThrow().number(), "an anchor below the tip is ignored");
        StoredHeader tip = header(10, 0, 0).stored();
        for (long n = 11; n <= 13; n++) {
            store.commitBlocks(1, epoch, tip, List.of(new TipBlock(header(n, 0, 0), List.of(rows(n, n, 0)))));
            tip = header(n, 0, 0).stored();
        }
        store.pruneHeaders(1, 12);
        assertEquals(12, store.anchor(1).orElseThrow().number(), "the highest header at or below F stays");
        assertEquals(13, store.tip(1).orElseThrow().number());
        store.storeAnchor(1, epoch, header(20, 0, 0));
        assertEquals(20, store.anchor(1).orElseThrow().number());
        assertEquals(20, store.tip(1).orElseThrow().number());
        assertTrue(store.header(1, 13).isEmpty(), "headers below a new anchor are pruned");
    }

    @Test
    void theFinalizedBlockNeverMovesBackAndTheFinalityRuleIsOneForAll() {
        store.advanceFinalized(1, 150);
        store.advanceFinalized(1, 120);
        assertEquals(150, store.chain(1).finalized());
        store.finalityRule(1, "depth 12");
        store.finalityRule(1, "depth 12");
        assertThrows(RuntimeException.class, () -> store.finalityRule(1, "tag finalized"));
    }

    @Test
    void aClaimedSpanIsNobodyElsesUntilReleasedOrCovered() {
        assertEquals(List.of(new Span(0, 9), new Span(10, 19)),
                store.claim(1, TABLE, List.of(new Span(0, 9), new Span(10, 19)), "a", TTL));
        assertEquals(List.of(new Span(20, 29)), store.claim(1, TABLE, List.of(new Span(5, 29)), "b", TTL),
                "b gets only what a does not hold");
        assertEquals(List.of(new Span(0, 9)), store.claim(1, TABLE, List.of(new Span(0, 9)), "a", TTL), "a's own claim is a's");
        store.renewClaims(1, "a", TTL);

        store.commitRange(1, epoch(), new Span(0, 9), List.of(rows(0, 9, 0)), false, null);
        assertEquals(List.of(), store.claim(1, TABLE, List.of(new Span(0, 19)), "c", TTL),
                "[0, 9] is covered now (its claim gone with it), [10, 19] is a's");
        store.releaseClaims(1, "a");
        assertEquals(List.of(new Span(10, 19)), store.claim(1, TABLE, List.of(new Span(0, 19)), "c", TTL));
        assertEquals(List.of(), store.claim(1, TABLE, List.of(new Span(20, 29)), "c", TTL), "still b's");
    }
}
