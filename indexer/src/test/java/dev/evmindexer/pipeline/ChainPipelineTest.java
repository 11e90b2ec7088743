package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.eth.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChainPipelineTest {
    private final FakeChain chain = new FakeChain();
    private final MemoryStore store = new MemoryStore();
    private final LogRouter router = new LogRouter();

    static EventTable transfers(long startBlock) {
        EventSignature sig = EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)");
        return new EventTable("public", "transfers", 1, "token", startBlock,
                new LogFilter(List.of(FakeChain.TOKEN), List.of(sig.topic0())), sig, new EventDecoder(sig), "h");
    }

    private ChainPipeline pipeline(int depth, int maxReorg, long startBlock) {
        return pipeline(depth, maxReorg, List.of(transfers(startBlock)));
    }

    private ChainPipeline pipeline(int depth, int maxReorg, List<EventTable> tables) {
        var settings = new ChainSettings(1, "test", OptionalInt.of(depth), maxReorg, 1, 8, 3, 4);
        return new ChainPipeline(chain, store, tables, settings, router);
    }

    /** Steps until idle or halted; returns every outcome. */
    private static List<Outcome> sync(ChainPipeline p) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Outcome o = p.step();
            outcomes.add(o);
            if (o instanceof Outcome.Idle || o instanceof Outcome.Halted) return outcomes;
        }
        throw new AssertionError("pipeline did not settle: " + outcomes.subList(outcomes.size() - 5, outcomes.size()));
    }

    private void assertMatchesChain(long startBlock) {
        List<Log> expected = chain.canonicalTransfers(startBlock, chain.head());
        List<Log> actual = store.rowsOf("transfers").stream().map(EventRow::log).toList();
        assertEquals(expected, actual, "stored rows differ from the canonical chain");
        for (EventRow r : store.rowsOf("transfers")) {
            assertEquals(chain.headerAt(r.log().blockNumber()).timestamp(), r.blockTime());
            assertEquals(3, r.values().length);
        }
        // the stored headers form one linked chain ending at the node's head
        var hs = new ArrayList<>(store.headers.values());
        for (int i = 1; i < hs.size(); i++) assertTrue(hs.get(i - 1).ref().isParentOf(hs.get(i).ref()), "headers link");
        assertEquals(chain.headerAt(chain.head()).stored(), hs.get(hs.size() - 1));
    }

    @Test
    void linearGrowthFillsRangesThenFollowsTheTip() throws Exception {
        chain.mine(60, 2);
        ChainPipeline p = pipeline(10, 128, 3);
        sync(p);
        assertEquals(50, store.finalized);
        assertEquals(50, store.anchor(1).orElseThrow().number(), "anchor is header(F)");
        assertMatchesChain(3);
        assertTrue(router.rejected() > 0, "the ERC-721 Transfers were rejected by shape");
        for (int i = 0; i < 200 && !store.indexed.contains("transfers"); i++) Thread.sleep(10); // built off the loop's thread
        assertTrue(store.indexed.contains("transfers"), "secondary indexes built once the range phase was done");

        chain.mine(25, 1);
        sync(p);
        assertMatchesChain(3);
        assertEquals(75, store.finalized);
        assertEquals(75, store.anchor(1).orElseThrow().number(), "headers at or below F are pruned except the anchor");
        assertEquals(0, store.rollbacks);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 10})
    void reorgOfDepthIsRolledBackAndRewritten(int depth) throws Exception {
        chain.mine(40, 2);
        ChainPipeline p = pipeline(20, 128, 0);
        sync(p);
        List<EventRow> before = store.rowsOf("transfers");
        chain.reorg(depth);
        List<Outcome> outcomes = sync(p);
        assertTrue(outcomes.stream().anyMatch(o -> o instanceof Outcome.Reorged r && r.depth() == depth),
                "one rollback of depth " + depth + ": " + outcomes);
        assertMatchesChain(0);
        assertTrue(!before.equals(store.rowsOf("transfers")));

        chain.reorg(depth).mine(3, 1); // a reorg followed by growth: detected by the parent hash
        sync(p);
        assertMatchesChain(0);
        assertEquals(2, store.rollbacks);
    }

    @Test
    void reorgDuringWalkBackEndsOnTheNewestChain() throws Exception {
        chain.mine(40, 2);
        ChainPipeline p = pipeline(20, 128, 0);
        sync(p);
        chain.reorg(2).mine(1);
        boolean[] fired = {false};
        chain.onHeader(n -> {
            if (!fired[0] && n < 39) {
                fired[0] = true;
                chain.reorg(6); // the node switches forks again while we walk back
            }
        });
        sync(p);
        assertTrue(fired[0]);
        assertMatchesChain(0);
        assertTrue(store.rollbacks >= 1);
    }

    @Test
    void nodeWithAnOlderHeadIsLaggingNotAReorg() throws Exception {
        chain.mine(30, 2);
        ChainPipeline p = pipeline(5, 128, 0);
        sync(p);
        List<EventRow> before = store.rowsOf("transfers");
        chain.showHead(22L);
        Outcome o = p.step();
        Outcome.Idle idle = assertInstanceOf(Outcome.Idle.class, o);
        assertTrue(idle.why().contains("lagging"), idle.why());
        assertEquals(before, store.rowsOf("transfers"));
        assertEquals(0, store.rollbacks);
        chain.showHead(null).mine(4, 1);
        sync(p);
        assertMatchesChain(0);
    }

    @Test
    void nodeBelowOurTipOnAnotherForkIsAReorg() throws Exception {
        chain.mine(30, 2);
        ChainPipeline p = pipeline(20, 128, 0);
        sync(p);
        chain.reorg(8).showHead(26L); // blocks 23..30 replaced; the node shows only up to 26
        List<Outcome> outcomes = sync(p);
        assertTrue(outcomes.stream().anyMatch(o -> o instanceof Outcome.Reorged r && r.ancestor() == 22), outcomes.toString());
        chain.showHead(null);
        sync(p);
        assertMatchesChain(0);
    }

    @Test
    void reorgBelowFinalityHaltsAndWaitsForAManualRollback() throws Exception {
        chain.mine(40, 2);
        ChainPipeline p = pipeline(5, 128, 0);
        sync(p);
        List<EventRow> before = store.rowsOf("transfers");
        chain.reorg(10).mine(1);
        Outcome o = sync(p).getLast();
        Outcome.Halted halted = assertInstanceOf(Outcome.Halted.class, o);
        assertTrue(halted.reason().contains("anchor"), halted.reason());
        assertEquals(before, store.rowsOf("transfers"), "nothing rewritten past finality");
        assertInstanceOf(Outcome.Halted.class, p.step(), "stays halted");

        store.rollback(1, store.epoch, 25, "manual"); // the operator's way out: `rollback --to 25`
        sync(p);
        assertMatchesChain(0);
    }

    @Test
    void reorgDeeperThanMaxReorgDepthHalts() throws Exception {
        chain.mine(60, 1);
        ChainPipeline p = pipeline(50, 4, 0);
        sync(p);
        chain.reorg(6).mine(1);
        Outcome.Halted h = assertInstanceOf(Outcome.Halted.class, sync(p).getLast());
        assertTrue(h.reason().contains("max_reorg_depth 4"), h.reason());
    }

    @Test
    void reorgWhileStoppedIsFoundByTheStartCheck() throws Exception {
        chain.mine(30, 2);
        sync(pipeline(10, 128, 0));
        chain.reorg(3); // same height: only the start check can see it
        List<Outcome> outcomes = sync(pipeline(10, 128, 0));
        assertInstanceOf(Outcome.Reorged.class, outcomes.get(0));
        assertMatchesChain(0);
    }

    @Test
    void finalityAdvancingPastAStaleTipRefillsByRangesAfterCheckingTheTip() throws Exception {
        chain.mine(30, 2);
        ChainPipeline p = pipeline(10, 128, 0);
        sync(p);
        chain.mine(100, 1); // the daemon was away: F (120) is now far above our tip (30)
        sync(pipeline(10, 128, 0));
        assertEquals(120, store.anchor(1).orElseThrow().number());
        assertMatchesChain(0);
    }

    @Test
    void trustTheHeadModeUsesOnlyRanges() throws Exception {
        chain.mine(20, 3);
        ChainPipeline p = pipeline(0, 128, 0);
        sync(p);
        assertEquals(20, store.finalized);
        assertMatchesChain(0);
    }

    @Test
    void nodesFinalizedTagIsUsedWhenNoDepthIsConfigured() throws Exception {
        chain.mine(50, 1).finalizedTag(33);
        var settings = new ChainSettings(1, "test", OptionalInt.empty(), 128, 4, 8, 2, 4);
        ChainPipeline p = new ChainPipeline(chain, store, List.of(transfers(0)), settings, router);
        sync(p);
        assertEquals(33, store.finalized);
        assertMatchesChain(0);
    }

    /** The Transfer logs of the other contract: a table added to the config later. */
    private static EventTable others() {
        EventSignature sig = EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)");
        return new EventTable("public", "others", 1, "other", 0,
                new LogFilter(List.of(FakeChain.OTHER), List.of(sig.topic0())), sig, new EventDecoder(sig), "o");
    }

    /** Every canonical log of the other contract, as the {@link #others()} table must hold them. */
    private List<Log> otherLogs() {
        List<Log> out = new ArrayList<>();
        for (long n = 0; n <= chain.head(); n++) {
            out.addAll(chain.logsAt(n).stream().filter(l -> l.address().equals(FakeChain.OTHER)).toList());
        }
        return out;
    }

    @Test
    void aTableAddedAtTheTipCatchesUpTheBlocksAboveFinalityFromTheStoredHeaders() throws Exception {
        chain.mine(40, 2);
        sync(pipeline(10, 128, 0));
        assertEquals(30, store.anchor(1).orElseThrow().number());
        ChainPipeline restarted = pipeline(10, 128, List.of(transfers(0), others()));
        List<Outcome> outcomes = sync(restarted); // the chain has not grown: F is still 30

        assertEquals(otherLogs(), store.rowsOf("others").stream().map(EventRow::log).toList(),
                "the added table holds (F, tip] too, before F passes it: " + outcomes);
        assertEquals(List.of(), store.uncovered(others(), 0, chain.head()));
        assertTrue(store.outbox.contains("commit others [31, 40]"), store.outbox.toString());
        assertMatchesChain(0);

        chain.mine(3, 1);
        sync(restarted);
        assertEquals(chain.head() + 1, store.rowsOf("others").size(), "then it follows the tip with the others");
    }

    @Test
    void aCatchUpThatMeetsAReorgLetsTheTipWalkBackFirstThenFinishes() throws Exception {
        chain.mine(40, 2);
        sync(pipeline(10, 128, 0));
        chain.reorg(3); // blocks 38..40 of the stored chain are gone from the node
        ChainPipeline restarted = pipeline(10, 128, List.of(transfers(0), others()));
        List<Outcome> outcomes = sync(restarted);
        assertTrue(outcomes.stream().anyMatch(o -> o instanceof Outcome.Reorged r && r.ancestor() == 37), outcomes.toString());

        assertEquals(otherLogs(), store.rowsOf("others").stream().map(EventRow::log).toList(), outcomes.toString());
        assertMatchesChain(0);
    }

    @Test
    void aStandbyFillsRangesBelowTheStoredFinalizedBlockAndNothingElse() throws Exception {
        chain.mine(100, 2);
        ChainPipeline standby = pipeline(10, 128, 0);
        assertEquals(new Outcome.Idle("the leader checks the stored tip first"), standby.rangeWork(), "no F stored yet");
        store.advanceFinalized(1, 60); // the leader moved F
        List<Outcome> outcomes = new ArrayList<>();
        for (Outcome o = standby.rangeWork(); o instanceof Outcome.Advanced; o = standby.rangeWork()) outcomes.add(o);
        assertTrue(!outcomes.isEmpty());
        assertEquals(List.of(), store.uncovered(transfers(0), 0, 60), "the standby filled [0, F]");
        assertEquals(List.of(new Span(61, 100)), store.uncovered(transfers(0), 0, 100), "and nothing above F");
        assertTrue(store.headers.isEmpty(), "no anchor, no tip: those are the leader's");
        assertEquals(60, store.chain(1).finalized(), "F is the leader's to move");
        assertEquals(chain.canonicalTransfers(0, 60), store.rowsOf("transfers").stream().map(EventRow::log).toList());
    }

    @Test
    void aReorgADaemonMissedWhileBehindIsRolledBackNotHaltedWhenFinalityPassesIt() throws Exception {
        chain.mine(60, 2);
        ChainPipeline p = pipeline(12, 128, 0);
        sync(p); // at the tip: F = 48, blocks 49..60 stored above it
        // the node reorgs 53..60 (above F, legal) and grows 10 blocks while the daemon does not step (it fell behind)
        chain.reorg(8).mine(10, 2);
        // the first step sees F = 58: stored 53..58 are from the old fork and must not become final or the anchor
        List<Outcome> outcomes = sync(p);
        assertTrue(outcomes.stream().anyMatch(o -> o instanceof Outcome.Reorged), "rolled back: " + outcomes);
        assertTrue(outcomes.stream().noneMatch(o -> o instanceof Outcome.Halted), "not halted: " + outcomes);
        assertMatchesChain(0);
    }
}
