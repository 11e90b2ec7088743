package dev.evmindexer.rpc;

import static dev.evmindexer.rpc.FakeChain.TOKEN;
import static dev.evmindexer.rpc.FakeChain.TRANSFER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Hex;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.RangeLogs;
import dev.evmindexer.pipeline.SourceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Range queries and endpoint failover: lagging and unreachable endpoints, "too many results". */
class FailoverTest {
    private static final LogFilter TRANSFERS = new LogFilter(List.of(TOKEN), List.of(TRANSFER));

    private final FakeChain chain = new FakeChain(1, 40);
    private final List<FakeRpcServer> servers = new ArrayList<>();

    FailoverTest() {
        for (int n = 1; n <= 40; n += 3) chain.log(n, TOKEN, TRANSFER, n);
        chain.log(22, TOKEN, TRANSFER, 100).log(22, FakeChain.OTHER, TRANSFER, 101).log(22, TOKEN, TRANSFER, 102);
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
        assertEquals(chain.logs(from, to, TRANSFERS), r.logs());
        for (var l : r.logs()) assertEquals(chain.block(l.blockNumber()), r.headers().get(l.blockNumber()));
        assertEquals(r.logs().stream().map(l -> l.blockNumber()).distinct().count(), r.headers().size());
    }

    @Test
    void rangeLogsChunksByMaxBlockRangeAndReturnsHeadersOfBlocksWithLogs() throws Exception {
        FakeRpcServer a = server();
        try (RpcChainSource s = RpcTesting.connect(1, true, 7, a.url())) {
            assertWhole(s.rangeLogs(0, 40, TRANSFERS), 0, 40);
            assertWhole(s.rangeLogs(2, 3, TRANSFERS), 2, 3);
            assertEquals(List.of(), s.rangeLogs(2, 3, TRANSFERS).logs());
        }
        for (var r : a.received) {
            if (!r.method().equals("eth_getLogs")) continue;
            long span = Hex.quantity(r.params().get(0).get("toBlock").asText())
                    - Hex.quantity(r.params().get(0).get("fromBlock").asText()) + 1;
            assertTrue(span <= 7, "asked for " + span + " blocks");
        }
        assertEquals(6 + 1 + 1, a.count("eth_getLogs"));
    }

    @Test
    void aLaggingEndpointIsNotTakenToMeanNoLogs() throws Exception {
        FakeRpcServer lagging = server().head(10);
        FakeRpcServer good = server();
        try (RpcChainSource s = RpcTesting.connect(1, lagging.url(), good.url())) {
            // Endpoints in equal health are chosen at random: ask until the lagging one was asked (bounded).
            for (int i = 0; i < 60 && lagging.count("eth_getLogs") == 0; i++) assertWhole(s.rangeLogs(0, 40, TRANSFERS), 0, 40);
            for (int i = 0; i < 4; i++) assertWhole(s.rangeLogs(0, 40, TRANSFERS), 0, 40);
        }
        assertTrue(lagging.count("eth_getLogs") > 0, "the lagging endpoint was never asked");
        try (RpcChainSource s = RpcTesting.connect(1, lagging.url())) {
            SourceException e = assertThrows(SourceException.class, () -> s.rangeLogs(0, 40, TRANSFERS));
            assertTrue(e.getMessage().matches(".*no block #\\d+: it is lagging.*"), e.getMessage());
            assertWhole(s.rangeLogs(0, 10, TRANSFERS), 0, 10);
        }
    }

    @Test
    void anUnreachableEndpointIsLeftOutAndCallsFailOver() throws Exception {
        FakeRpcServer good = server();
        String dead = RpcTesting.deadUrl();
        try (RpcChainSource s = RpcTesting.connect(1, dead, good.url())) {
            for (int i = 0; i < 6; i++) assertEquals(Optional.of(chain.block(i)), s.header(i));
        }
        FakeRpcServer dying = server();
        try (RpcChainSource s = RpcTesting.connect(1, dying.url(), good.url())) {
            dying.close();
            for (int i = 0; i < 6; i++) {
                assertEquals(Optional.of(chain.block(i)), s.header(i));
                assertWhole(s.rangeLogs(0, 40, TRANSFERS), 0, 40);
            }
        }
    }

    @Test
    void connectKeepsTryingWhileNoEndpointAnswers() throws Exception {
        AtomicInteger refusals = new AtomicInteger();
        FakeRpcServer slow = server().script((m, p, normal) -> m.equals("eth_chainId") && refusals.incrementAndGet() <= 3
                ? FakeChain.error(-32603, "node is starting") : normal.get());
        try (RpcChainSource s = RpcTesting.connect(1, slow.url())) {
            assertEquals(4, slow.count("eth_chainId"));
            assertEquals(Optional.of(chain.block(2)), s.header(2));
        }
    }

    @Test
    void anEndpointDownAtConnectIsProbedAgainAndJoinsTheRotation() throws Exception {
        AtomicInteger refusals = new AtomicInteger();
        FakeRpcServer late = server().script((m, p, normal) -> m.equals("eth_chainId") && refusals.incrementAndGet() == 1
                ? FakeChain.error(-32603, "node is starting") : normal.get());
        FakeRpcServer good = server();
        try (RpcChainSource s = RpcTesting.connect(1, late.url(), good.url())) {
            assertEquals(1, late.count("eth_chainId"));
            // The re-probe runs in the background once the backoff has passed; calls keep working meanwhile.
            for (int i = 0; i < 500 && late.count("eth_getBlockByNumber") == 0; i++) {
                assertEquals(Optional.of(chain.block(2)), s.header(2));
                Thread.sleep(2);
            }
        }
        assertEquals(2, late.count("eth_chainId"));
        assertTrue(late.count("eth_getBlockByNumber") > 0, "the late endpoint never joined the rotation");
    }

    @Test
    void whenEveryEndpointFailsTheErrorNamesTheCallButNotTheUrl() throws Exception {
        FakeRpcServer dying = server();
        try (RpcChainSource s = RpcTesting.connect(1, dying.url())) {
            dying.close();
            SourceException e = assertThrows(SourceException.class, () -> s.header(3));
            assertTrue(e.getMessage().startsWith("doing fetching headers [3, 3]: " + dying.redacted() + " failed"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("SECRETKEY123"), e.getMessage());
        }
    }

    @Test
    void tooManyResultsHalvesTheRange() throws Exception {
        List<Long> refused = new CopyOnWriteArrayList<>();
        FakeRpcServer a = server().script((m, p, normal) -> {
            if (!m.equals("eth_getLogs") || p.get(0).has("blockHash")) return normal.get();
            long span = Hex.quantity(p.get(0).get("toBlock").asText())
                    - Hex.quantity(p.get(0).get("fromBlock").asText()) + 1;
            if (span <= 5) return normal.get();
            refused.add(span);
            return FakeChain.error(-32005, "query returned more than 10000 results");
        });
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            assertWhole(s.rangeLogs(0, 40, TRANSFERS), 0, 40);
        }
        // a first call of 8 blocks is refused and halved to 4; the range grows back only after a run of successes
        assertEquals(List.of(LogRange.START_BLOCKS), refused.subList(0, 1));
        assertTrue(refused.stream().allMatch(n -> n == LogRange.START_BLOCKS || n == 6), "refused: " + refused);
        assertTrue(a.count("eth_getLogs") <= refused.size() + 11, "41 blocks in pieces of 4 and 5: " + a.count("eth_getLogs"));
    }

    @Test
    void aRangeRefusedEvenForOneBlockIsASourceException() throws Exception {
        FakeRpcServer a = server().script((m, p, normal) -> m.equals("eth_getLogs")
                ? FakeChain.error(-32005, "Log response size exceeded") : normal.get());
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            SourceException e = assertThrows(SourceException.class, () -> s.rangeLogs(0, 3, TRANSFERS));
            assertTrue(e.getMessage().contains("refused even for one block"), e.getMessage());
        }
    }
}
