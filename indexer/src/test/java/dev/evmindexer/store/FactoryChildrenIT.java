package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.Child;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.pipeline.EventStoreContract;
import dev.evmindexer.pipeline.LogRouter;
import dev.evmindexer.pipeline.Span;
import dev.evmindexer.pipeline.TableRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code indexer.factory_children} on a real PostgreSQL: written in the transaction of the factory table's rows (and
 * not at all when it fails), replaced with a rewritten span, removed by a rollback above their block and by a reset
 * of the factory table.
 */
class FactoryChildrenIT extends StoreTestBase {
    static final Address FACTORY = Address.fromHex("0x00000000000000000000000000000000000000fa");
    static final EventSignature CREATED = EventSignature.parse(
            "event PairCreated(address indexed token0, address indexed token1, address pair, uint256 n)");
    static final String KEY = "public.pairs_created.pair";

    private EventTable factory;

    @BeforeEach
    void tables() throws Exception {
        // PairCreated of FACTORY into pairs_created, its pairs' Swaps into swaps, on chain 1
        List<EventTable> all = IndexPlan.from(ConfigLoader.parse(dev.evmindexer.pipeline.FactoryConfigTest.YAML, "f.yaml", Map.of()))
                .allTables();
        factory = all.get(0);
        TableDdl.ensure(db.dataSource(), all, Map.of(1L, "test"));
    }

    static Address pair(long n, int salt) {
        return Address.fromHex("0x%040x".formatted(0xbeef0000L + n * 16 + salt));
    }

    /** One PairCreated per block in {@code [from, to]}, creating {@link #pair}{@code (n, salt)}. */
    private TableRows created(long from, long to, int salt) {
        List<Log> logs = new ArrayList<>();
        for (long n = from; n <= to; n++) {
            byte[] data = new byte[64];
            System.arraycopy(pair(n, salt).unsafeBytes(), 0, data, 12, 20);
            logs.add(new Log(FACTORY, List.of(CREATED.topic0(), EventStoreContract.pad(1), EventStoreContract.pad(2)), data, n,
                    EventStoreContract.hash(n, salt), EventStoreContract.hash(n, 50), 0, 0));
        }
        return new LogRouter().route(List.of(factory), logs, n -> PgEventStoreIT.header(n, salt, salt)).get(0);
    }

    private List<Child> children(long upTo) {
        return store.children(1, KEY, upTo).stream().sorted(java.util.Comparator.comparingLong(Child::block)).toList();
    }

    private static List<Child> expected(long from, long to, int salt) {
        List<Child> out = new ArrayList<>();
        for (long n = from; n <= to; n++) out.add(new Child(pair(n, salt), n));
        return out;
    }

    @Test
    void childrenAreWrittenRewrittenAndRolledBackWithTheFactoryRows() throws Exception {
        long epoch = store.chain(1).epoch();
        assertThrows(StoreException.class, () -> store.commitRange(1, epoch, new Span(95, 105), List.of(created(95, 105, 0)), false, null));
        assertEquals(List.of(), children(200), "a failed commit writes no child");

        store.commitRange(1, epoch, new Span(0, 19), List.of(created(0, 19, 0)), false, null);
        assertEquals(expected(0, 19, 0), children(19));
        assertEquals(expected(0, 9, 0), children(9), "only those created by the block asked");

        store.commitRange(1, epoch, new Span(10, 14), List.of(created(10, 14, 1)), true, null);
        List<Child> rewritten = new ArrayList<>(expected(0, 9, 0));
        rewritten.addAll(expected(10, 14, 1));
        rewritten.addAll(expected(15, 19, 0));
        assertEquals(rewritten, children(19), "a rewritten span's children replace the old ones");

        store.storeAnchor(1, epoch, PgEventStoreIT.header(19, 0, 0));
        store.rollback(1, epoch, 12, "reorg");
        assertEquals(rewritten.subList(0, 13), children(100), "children created above the ancestor go");

        assertEquals(13, TableDdl.reset(db.dataSource(), "public", "pairs_created", 1L));
        assertEquals(List.of(), children(100), "a reset of the factory table drops its children");
    }

    @Test
    void aChildCreatedTwiceCountsFromItsFirstCreation() throws Exception {
        long epoch = store.chain(1).epoch();
        store.commitRange(1, epoch, new Span(0, 4), List.of(created(0, 4, 0)), false, null);
        TableRows again = created(7, 7, 0);
        Log l = again.rows().get(0).log();
        byte[] data = l.data();
        System.arraycopy(pair(2, 0).unsafeBytes(), 0, data, 12, 20); // pair 2 named again in block 7
        Log twice = new Log(l.address(), l.topics(), data, 7, l.blockHash(), l.txHash(), 0, 0);
        store.commitRange(1, epoch, new Span(5, 9), List.of(new LogRouter().route(List.of(factory), List.of(twice),
                n -> PgEventStoreIT.header(n, 0, 0)).get(0)), false, null);
        assertEquals(expected(0, 4, 0), children(9));
    }
}
