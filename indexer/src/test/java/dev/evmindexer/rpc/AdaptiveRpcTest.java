package dev.evmindexer.rpc;

import static dev.evmindexer.rpc.FakeChain.TOKEN;
import static dev.evmindexer.rpc.FakeChain.TRANSFER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.RangeLogs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Range control, batch fallback, throttling and address splitting against scripted nodes. */
class AdaptiveRpcTest {
    private static final LogFilter TRANSFERS = new LogFilter(List.of(TOKEN), List.of(TRANSFER));

    private final FakeChain chain = new FakeChain(1, 60);
    private final List<FakeRpcServer> servers = new ArrayList<>();

    AdaptiveRpcTest() {
        for (int n = 1; n <= 60; n += 2) chain.log(n, TOKEN, TRANSFER, n);
    }

    @AfterEach
    void stop() {
        servers.forEach(FakeRpcServer::close);
    }

    private FakeRpcServer server() throws Exception {
        FakeRpcServer s = new FakeRpcServer(chain);
        servers.add(s);
        return s;
    }

    private void assertWhole(RangeLogs r, long from, long to) {
        assertWhole(r, from, to, TRANSFERS);
    }

    private void assertWhole(RangeLogs r, long from, long to, LogFilter filter) {
        assertEquals(chain.logs(from, to, filter), r.logs());
        for (var l : r.logs()) assertEquals(chain.block(l.blockNumber()), r.headers().get(l.blockNumber()));
    }

    private static long span(FakeRpcServer.Received r) {
        return Hex.quantity(r.params().get(0).get("toBlock").asText())
                - Hex.quantity(r.params().get(0).get("fromBlock").asText()) + 1;
    }

    private static List<Long> rangeSpans(FakeRpcServer s) {
        return s.received.stream().filter(r -> r.method().equals("eth_getLogs") && r.params().get(0).has("toBlock"))
                .map(AdaptiveRpcTest::span).toList();
    }

    /** Alchemy's answer to a range over {@code max} blocks, suggesting one that fits. */
    private static FakeRpcServer.Script alchemyLimit(long max) {
        return (m, p, normal) -> {
            if (!m.equals("eth_getLogs") || p.get(0).has("blockHash")) return normal.get();
            long from = Hex.quantity(p.get(0).get("fromBlock").asText());
            long to = Hex.quantity(p.get(0).get("toBlock").asText());
            if (to - from + 1 <= max) return normal.get();
            return FakeChain.error(-32600, "You can make eth_getLogs requests with up to a " + max + " block range. "
                    + "Based on your parameters, this block range should work: [" + Hex.quantity(from) + ", "
                    + Hex.quantity(from + max - 1) + "]");
        };
    }

    @Test
    void theRangeShrinksToTheProvidersSuggestionAtOnceAndGrowsBackWhenAllowed() throws Exception {
        FakeRpcServer a = server().script(alchemyLimit(7));
        try (RpcChainSource s = RpcTesting.connect(1, true, 2_000, a.url())) {
            assertWhole(s.rangeLogs(0, 60, TRANSFERS), 0, 60);
            assertEquals(LogRange.START_BLOCKS, rangeSpans(a).get(0), "an unknown chain is approached with a small range");
            assertTrue(rangeSpans(a).subList(1, rangeSpans(a).size()).stream().allMatch(n -> n <= 7),
                    "after one refusal every range is the suggested 7 blocks: " + rangeSpans(a));
            assertEquals(7, s.endpointMetrics().get(0).currentBlockRange());
            assertEquals(1, s.endpointMetrics().get(0).errors("range_too_large"));

            for (int i = 0; i < 10; i++) assertWhole(s.rangeLogs(0, 60, TRANSFERS), 0, 60);
            long refusedLater = rangeSpans(a).stream().filter(n -> n > 7).count() - 1;
            assertTrue(refusedLater >= 1, "it tries to grow back now and then");
            assertTrue(refusedLater <= 10, "but rarely: " + refusedLater);

            a.script((m, p, normal) -> normal.get());
            for (int i = 0; i < 20; i++) assertWhole(s.rangeLogs(0, 60, TRANSFERS), 0, 60);
            assertTrue(s.endpointMetrics().get(0).currentBlockRange() > 20,
                    "grown back once the provider allows it: " + s.endpointMetrics().get(0));
        }
    }

    @Test
    void withoutASuggestionTheRangeHalves() throws Exception {
        FakeRpcServer a = server().script((m, p, normal) -> m.equals("eth_getLogs") && p.get(0).has("toBlock")
                && Hex.quantity(p.get(0).get("toBlock").asText()) - Hex.quantity(p.get(0).get("fromBlock").asText()) >= 10
                ? FakeChain.error(-32600, "block range is too wide") : normal.get());
        try (RpcChainSource s = RpcTesting.connect(1, true, 100, a.url())) {
            assertWhole(s.rangeLogs(0, 60, TRANSFERS), 0, 60);
        }
        assertEquals(List.of(8L, 16L, 8L), rangeSpans(a).subList(0, 3), "8, doubled to 16 (refused), halved to 8");
        assertTrue(rangeSpans(a).subList(3, rangeSpans(a).size()).stream().allMatch(n -> n <= 10), rangeSpans(a).toString());
    }

    @Test
    void refusedBatchesShrinkDownToSingleCalls() throws Exception {
        FakeRpcServer limited = server().batchLimit(4);
        try (RpcChainSource s = RpcTesting.connect(1, limited.url())) {
            assertEquals(chain.block(0), s.headers(0, 30).get(0));
            assertEquals(31, s.headers(0, 30).size());
            // 31 calls: refused as 31, 15 and 7 blocks, sent as batches of 3, then grown back to the limit of 4.
            assertEquals(4, s.endpointMetrics().get(0).currentBatchSize());
            assertEquals(List.of(1, 31, 15, 7, 3), limited.batchSizes.subList(0, 5), "eth_chainId, then the batches");
            assertTrue(limited.batchSizes.stream().skip(4).allMatch(n -> n <= 4), limited.batchSizes.toString());
            assertWhole(s.rangeLogs(0, 60, TRANSFERS), 0, 60);
        }
        FakeRpcServer noBatches = server().batchLimit(1);
        try (RpcChainSource s = RpcTesting.connect(1, noBatches.url())) {
            assertEquals(31, s.headers(0, 30).size());
            assertEquals(1, s.endpointMetrics().get(0).currentBatchSize());
            int refusedSoFar = noBatches.batchSizes.size();
            assertEquals(Optional.of(chain.block(9)), s.header(9));
            assertFalse(s.blockLogs(chain.block(9), TRANSFERS).isEmpty());
            assertWhole(s.rangeLogs(0, 60, TRANSFERS), 0, 60);
            assertTrue(noBatches.batchSizes.subList(refusedSoFar, noBatches.batchSizes.size()).stream().allMatch(n -> n == 1),
                    "only single calls once batches were refused: " + noBatches.batchSizes);
        }
    }

    @Test
    void aThrottledEndpointIsCutAndCallsGoElsewhere() throws Exception {
        FakeRpcServer throttled = server();
        FakeRpcServer good = server();
        try (RpcChainSource s = RpcTesting.connect(1, throttled.url(), good.url())) {
            throttled.httpStatus(429);
            for (int i = 0; i < 20; i++) {
                assertEquals(Optional.of(chain.block(i)), s.header(i));
                assertWhole(s.rangeLogs(0, 60, TRANSFERS), 0, 60);
            }
            EndpointMetrics m = s.endpointMetrics().get(0);
            assertTrue(m.errors("rate_limited") > 0, m.toString());
            assertTrue(m.currentRps() < AdaptiveRate.START_RPS, "rate cut: " + m);
            assertEquals(0, s.endpointMetrics().get(1).errors(), s.endpointMetrics().get(1).toString());
        }
    }

    @Test
    void longAddressListsAreSplit() throws Exception {
        FakeRpcServer a = server();
        List<Address> many = new ArrayList<>();
        for (int i = 0; i < 2_400; i++) many.add(Address.fromHex(String.format("0x%040x", 0x10000 + i)));
        many.add(1_234, TOKEN);
        LogFilter filter = new LogFilter(many, List.of(TRANSFER));
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            assertWhole(s.rangeLogs(0, 60, filter), 0, 60, filter);
        }
        List<Integer> listSizes = a.received.stream().filter(r -> r.method().equals("eth_getLogs"))
                .map(r -> r.params().get(0).get("address").size()).toList();
        assertEquals(0, listSizes.size() % 3, "each piece of the range in three calls: " + listSizes);
        for (int i = 0; i < listSizes.size(); i += 3) assertEquals(List.of(1_000, 1_000, 401), listSizes.subList(i, i + 3));
    }

    @Test
    void slowTipCallsAreHedgedToASecondEndpointButRangeCallsAreNot() throws Exception {
        FakeRpcServer a = server();
        FakeRpcServer b = server();
        try (RpcChainSource s = RpcTesting.connect(1, a.url(), b.url())) {
            for (int i = 0; i < 100; i++) s.header(i % 60); // latency samples on both
            a.script((m, p, normal) -> {
                if (m.equals("eth_getLogs")) sleep(Duration.ofMillis(300));
                return normal.get();
            });
            // endpoints in equal health are chosen at random: ask until the slow one got range calls too (bounded)
            int ranges = 0;
            dev.evmindexer.pipeline.MemoryBudget budget = new dev.evmindexer.pipeline.MemoryBudget(1 << 30);
            while (ranges < 6 || (a.count("eth_getLogs") == 0 && ranges < 60)) {
                try (var piece = s.rangePiece(0, 60, TRANSFERS, budget)) {
                    assertWhole(piece.logs(), 0, piece.to());
                }
                ranges++;
            }
            assertEquals(ranges, a.count("eth_getLogs") + b.count("eth_getLogs"), "one eth_getLogs per piece: no hedging");
            assertTrue(a.count("eth_getLogs") > 0, "the slow endpoint got range calls");

            a.script((m, p, normal) -> {
                sleep(Duration.ofSeconds(1));
                return normal.get();
            });
            long hedgesBefore = s.endpointMetrics().get(1).hedgesWon();
            for (int i = 0; i < 20; i++) assertEquals(Optional.of(chain.block(i)), s.header(i));
            assertTrue(s.endpointMetrics().get(1).hedgesWon() > hedgesBefore, "the fast endpoint answered hedged calls");
        }
    }

    @Test
    void aLaggingEndpointGetsNoTipCallsUnlessItIsTheOnlyOneLeft() throws Exception {
        FakeRpcServer lagging = server().head(40);
        FakeRpcServer good = server();
        try (RpcChainSource s = RpcTesting.connect(1, lagging.url(), good.url())) {
            assertEquals(60, s.heads().head());
            long before = lagging.count("eth_getBlockByNumber");
            for (int i = 0; i < 30; i++) assertEquals(Optional.of(chain.block(i)), s.header(i));
            assertEquals(before, lagging.count("eth_getBlockByNumber"), "20 blocks behind: no tip calls");
            assertEquals(40, s.endpointMetrics().get(0).head());
            good.close();
            for (int i = 0; i < 5; i++) assertEquals(Optional.of(chain.block(i)), s.header(i));
            assertTrue(lagging.count("eth_getBlockByNumber") > before, "never drop the only endpoint left");
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
