package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Deep rollbacks and halts wait for a second endpoint to agree on the new chain (ARCHITECTURE.md, invariant 4). */
class WalkBackConfirmTest {
    private final FakeChain chain = new FakeChain();
    private final MemoryStore store = new MemoryStore();

    private ChainPipeline pipeline(int depth, int maxReorg) {
        var settings = new ChainSettings(1, "test", OptionalInt.of(depth), maxReorg, 1, 8, 3, 4);
        return new ChainPipeline(chain, store, List.of(ChainPipelineTest.transfers(0)), settings, new LogRouter());
    }

    private static List<Outcome> sync(ChainPipeline p) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Outcome o = p.step();
            outcomes.add(o);
            if (o instanceof Outcome.Idle || o instanceof Outcome.Halted) return outcomes;
        }
        throw new AssertionError("pipeline did not settle");
    }

    @Test
    void aDeepRollbackWaitsUntilASecondEndpointAgreesOnTheBlockAboveTheAncestor() throws Exception {
        chain.mine(40, 2);
        ChainPipeline p = pipeline(20, 128);
        sync(p);
        chain.secondEndpoint(false);
        chain.confirmations.clear();
        chain.reorg(WalkBack.CONFIRM_DEPTH + 2);
        long ancestor = chain.head() - WalkBack.CONFIRM_DEPTH - 2;
        for (int i = 0; i < 3; i++) {
            Outcome.Idle idle = assertInstanceOf(Outcome.Idle.class, sync(p).getLast());
            assertTrue(idle.why().contains("does not confirm"), idle.why());
        }
        assertEquals(0, store.rollbacks, "nothing rolled back on one endpoint's word");
        assertEquals(new FakeChain.BlockRefAsked(ancestor + 1, chain.headerAt(ancestor + 1).hash()),
                chain.confirmations.get(0), "asked about the new chain's block just above the ancestor");

        chain.secondEndpoint(true);
        List<Outcome> outcomes = sync(p);
        assertTrue(outcomes.stream().anyMatch(o -> o instanceof Outcome.Reorged r && r.ancestor() == ancestor),
                outcomes.toString());
        assertEquals(chain.canonicalTransfers(0, chain.head()),
                store.rowsOf("transfers").stream().map(EventRow::log).toList());
    }

    @Test
    void aShallowRollbackNeedsNoConfirmation() throws Exception {
        chain.mine(40, 2);
        ChainPipeline p = pipeline(20, 128);
        sync(p);
        chain.secondEndpoint(false);
        chain.confirmations.clear();
        chain.reorg(WalkBack.CONFIRM_DEPTH);
        List<Outcome> outcomes = sync(p);
        assertTrue(outcomes.stream().anyMatch(o -> o instanceof Outcome.Reorged), outcomes.toString());
        assertEquals(List.of(), chain.confirmations);
    }

    @Test
    void aHaltWaitsForASecondEndpointToo() throws Exception {
        chain.mine(40, 2);
        ChainPipeline p = pipeline(5, 128);
        sync(p);
        chain.secondEndpoint(false);
        chain.reorg(10).mine(1);
        assertInstanceOf(Outcome.Idle.class, sync(p).getLast(), "one endpoint's word does not halt the chain");
        assertTrue(store.chain(1).haltedReason().isEmpty());
        chain.secondEndpoint(true);
        Outcome.Halted halted = assertInstanceOf(Outcome.Halted.class, sync(p).getLast());
        assertTrue(halted.reason().contains("anchor"), halted.reason());
    }

    @Test
    void theAnchorIsStoredOnlyWhenASecondEndpointAgreesOnIt() throws Exception {
        chain.mine(40, 2).secondEndpoint(false);
        ChainPipeline p = pipeline(20, 128);
        for (int i = 0; i < 3; i++) {
            Outcome.Idle idle = assertInstanceOf(Outcome.Idle.class, sync(p).getLast());
            assertTrue(idle.why().contains("does not confirm the anchor"), idle.why());
        }
        assertTrue(store.tip(1).isEmpty(), "no anchor on one endpoint's word");
        for (int i = 3; i < Anchor.PATIENCE - 1; i++) assertInstanceOf(Outcome.Idle.class, p.step());
        SourceException persistent = assertThrows(SourceException.class, p::step, "a lasting disagreement fails the step");
        assertTrue(persistent.getMessage().contains("disagreed " + Anchor.PATIENCE + " times in a row"),
                persistent.getMessage());
        long f = chain.head() - 20;
        assertEquals(new FakeChain.BlockRefAsked(f, chain.headerAt(f).hash()), chain.confirmations.get(0));

        chain.secondEndpoint(true);
        sync(p);
        assertEquals(chain.headerAt(chain.head()).stored(), store.tip(1).orElseThrow(), "anchored, then followed to the head");
        assertEquals(chain.canonicalTransfers(0, chain.head()),
                store.rowsOf("transfers").stream().map(EventRow::log).toList());
    }
}
