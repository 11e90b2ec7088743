package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Factories in the pipeline: a child table is planned no further than its factory's table is covered, fetched with the
 * children of each unit, and kept by the child set; the tip phase follows a child from its creation block; a rollback
 * takes a child created above the ancestor away with its rows.
 */
class FactoryTest {
    static final Address FACTORY = Address.fromHex("0x00000000000000000000000000000000000000fa");
    static final EventSignature PAIR_CREATED = EventSignature.parse(
            "event PairCreated(address indexed token0, address indexed token1, address pair, uint256 n)");
    static final EventSignature SWAP = EventSignature.parse("event Swap(address indexed sender, uint256 amount)");
    /** Children of {@link #FACTORY} on chain c: {@link FactoryConfigTest#YAML}. */
    static final String YAML = FactoryConfigTest.YAML;

    private final FakeChain chain = new FakeChain();
    private final MemoryStore store = new MemoryStore();
    /** Child address to its creation block, as mined. */
    private final Map<Address, Long> created = new HashMap<>();

    static List<EventTable> tables() throws Exception {
        return IndexPlan.from(ConfigLoader.parse(YAML, "test.yaml", Map.of())).allTables();
    }

    static Address child(int i) {
        return Address.fromHex("0x%040x".formatted(0xc000L + i));
    }

    static Hash word(long v) {
        byte[] b = new byte[32];
        ByteBuffer.wrap(b).putLong(24, v);
        return Hash.of(b);
    }

    static FakeChain.Extra pairCreated(Address pair, long n) {
        byte[] data = new byte[64];
        System.arraycopy(pair.unsafeBytes(), 0, data, 12, 20);
        ByteBuffer.wrap(data).putLong(56, n);
        return new FakeChain.Extra(FACTORY, List.of(PAIR_CREATED.topic0(), word(1), word(2)), data);
    }

    static FakeChain.Extra swap(Address pair, long amount) {
        return new FakeChain.Extra(pair, List.of(SWAP.topic0(), word(7)), word(amount).unsafeBytes().clone());
    }

    /**
     * Blocks 1..{@code blocks}: child {@code i} is created in block {@code 10 * (i + 1)} and swaps in the same block (after
     * its creation, in the same transaction) and in every later block; child 0 also "swaps" one block before it exists,
     * which must not be kept (it is not a child yet).
     */
    private void mine(int blocks, int children) {
        for (int n = 1; n <= blocks; n++) {
            List<FakeChain.Extra> extra = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                long at = 10L * (i + 1);
                if (n == at) {
                    extra.add(pairCreated(child(i), i));
                    created.put(child(i), at);
                }
                if (n >= at || (i == 0 && n == at - 1)) extra.add(swap(child(i), n));
            }
            chain.mine(1, extra);
        }
    }

    /** The swaps the chain holds from children at or after their creation, in chain order. */
    private List<Log> expectedSwaps() {
        List<Log> out = new ArrayList<>();
        for (long n = 0; n <= chain.head(); n++) {
            for (Log l : chain.logsAt(n)) {
                Long at = created.get(l.address());
                if (l.topic0() != null && l.topic0().equals(SWAP.topic0()) && at != null && at <= n) out.add(l);
            }
        }
        return out;
    }

    private RangePhase phase() {
        var settings = new ChainSettings(1, "test", OptionalInt.of(0), 128, 1, 20, 2, 8);
        return new RangePhase(chain, store, new LogRouter(), settings, new MemoryBudget(1 << 24));
    }

    @Test
    void theFactoryComesFirstAndAChildTableLinksToItsEventParameter() throws Exception {
        List<EventTable> t = tables();
        assertEquals(List.of("pairs_created", "swaps"), t.stream().map(EventTable::name).toList(), "factory before child");
        EventTable factory = t.get(0);
        EventTable swaps = t.get(1);
        assertEquals(List.of(new ChildSource("public.pairs_created.pair", "pair", false, 0)), factory.childSources());
        assertNotNull(swaps.factory());
        assertEquals("public.pairs_created.pair", swaps.factory().key());
        assertEquals(List.of(), swaps.filter().addresses(), "the child table names no address itself");
        assertNull(factory.factory());
    }

    @Test
    void aChildTableIsPlannedNoFurtherThanItsFactorysTableIsCovered() throws Exception {
        mine(100, 5);
        store.advanceFinalized(1, 100);
        List<EventTable> t = tables();
        EventTable factory = t.get(0);
        EventTable swaps = t.get(1);
        RangePhase p = phase();
        // nothing of the factory covered: only factory units (each fetcher one unit per plan)
        List<RangePhase.Unit> first = p.plan(t, 0, 100, 8);
        assertTrue(first.stream().allMatch(u -> u.table().equals(factory)), first.toString());
        assertEquals(0, Children.plannableThrough(store, swaps, 100) + 1, "nothing plannable for the child table yet");
        p.run(first, 0, false);
        long factoryThrough = store.uncovered(factory, 0, 100).get(0).from() - 1;
        assertTrue(factoryThrough >= 0 && factoryThrough < 100, "the factory is partly covered: " + factoryThrough);
        List<RangePhase.Unit> second = p.plan(t, 0, 100, 8);
        for (RangePhase.Unit u : second) {
            if (u.table().equals(swaps)) {
                assertTrue(u.span().to() <= factoryThrough, "child unit " + u.span() + " beyond the factory's coverage " + factoryThrough);
            }
        }
        while (true) {
            List<RangePhase.Unit> units = p.plan(t, 0, 100, 8);
            if (units.isEmpty()) break;
            p.run(units, 0, false);
        }
        assertFalse(p.pending(t, 0, 100));
        assertEquals(expectedSwaps(), store.rowsOf("swaps").stream().map(EventRow::log).toList());
        assertEquals(5, store.children(1, "public.pairs_created.pair", 100).size());
        assertEquals(List.of(new Child(child(0), 10)), store.children(1, "public.pairs_created.pair", 19));
    }

    @Test
    void aUnitIsFetchedWithTheChildrenCreatedUpToItsEndByAddressOrByTopicBeyondTheLimit() throws Exception {
        EventTable swaps = tables().get(1);
        Children none = Children.none();
        assertNull(Children.fetchFilter(swaps, none), "no child: nothing to ask (an empty list would be every contract)");
        Children some = Children.none();
        EventTable factory = tables().get(0);
        List<EventRow> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FakeChain.Extra e = pairCreated(child(i), i);
            rows.add(new EventRow(new Log(FACTORY, e.topics(), e.data(), 5 + i, Hash.ZERO, Hash.ZERO, 0, 0), 0, new Object[0]));
        }
        some.addFrom(List.of(new TableRows(factory, rows)));
        LogFilter byAddress = Children.fetchFilter(swaps, some);
        assertEquals(java.util.Set.of(child(0), child(1), child(2)), java.util.Set.copyOf(byAddress.addresses()));
        assertEquals(List.of(SWAP.topic0()), byAddress.topic0s());
        Log early = new Log(child(2), List.of(SWAP.topic0(), word(7)), new byte[32], 6, Hash.ZERO, Hash.ZERO, 0, 0);
        assertFalse(some.allows(swaps, early), "child 2 is created in block 7: not followed in block 6");
        assertTrue(some.allows(swaps, new Log(child(2), early.topics(), early.data(), 7, Hash.ZERO, Hash.ZERO, 0, 0)));
        List<EventRow> many = new ArrayList<>();
        for (int i = 0; i <= Children.ADDRESS_LIST_MAX; i++) {
            FakeChain.Extra e = pairCreated(child(i), i);
            many.add(new EventRow(new Log(FACTORY, e.topics(), e.data(), 5, Hash.ZERO, Hash.ZERO, 0, 0), 0, new Object[0]));
        }
        Children lots = Children.none();
        lots.addFrom(List.of(new TableRows(factory, many)));
        assertEquals(swaps.filter(), Children.fetchFilter(swaps, lots), "beyond the limit: by topic, kept by the child set");
    }

    @Test
    void theTipFollowsAChildFromItsCreationBlockAndARollbackTakesItAway() throws Exception {
        mine(30, 2); // children 0 and 1 created in blocks 10 and 20
        List<EventTable> t = tables();
        var settings = new ChainSettings(1, "test", OptionalInt.of(25), 128, 1, 8, 2, 4);
        ChainPipeline p = new ChainPipeline(chain, store, t, settings, new LogRouter());
        for (int i = 0; i < 200 && store.tip(1).map(h -> h.number() < chain.head()).orElse(true); i++) p.step();
        assertEquals(chain.head(), store.tip(1).get().number());
        assertTrue(store.finalized < 20, "child 1 is created by the tip phase: F " + store.finalized);
        // children created at the tip: one in a block of its own swap, swapping in the same transaction
        List<FakeChain.Extra> extra = new ArrayList<>();
        extra.add(pairCreated(child(7), 7));
        extra.add(swap(child(7), 1));
        chain.mine(1, extra);
        created.put(child(7), chain.head());
        chain.mine(1, List.of(swap(child(7), 2), swap(child(0), 3)));
        for (int i = 0; i < 20 && store.tip(1).get().number() < chain.head(); i++) p.step();
        assertEquals(expectedSwaps(), store.rowsOf("swaps").stream().map(EventRow::log).toList());
        assertEquals(3, store.children(1, "public.pairs_created.pair", chain.head()).size());
        // a reorg replaces the block that created child 7: its creation, its rows and the child itself go
        chain.reorg(2);
        created.remove(child(7));
        for (int i = 0; i < 20; i++) p.step();
        assertEquals(chain.head(), store.tip(1).get().number());
        assertTrue(store.rollbacks > 0);
        assertEquals(List.of(child(0), child(1)), store.children(1, "public.pairs_created.pair", chain.head()).stream()
                .map(Child::address).toList());
        assertEquals(expectedSwaps(), store.rowsOf("swaps").stream().map(EventRow::log).toList());
        assertTrue(store.rowsOf("swaps").stream().noneMatch(r -> r.log().address().equals(child(7))));
    }
}
