package dev.evmindexer.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.eth.Hex;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each fault of the proxy, seen by a plain client in front of the devchain. */
class FaultProxyTest {
    private DevChain chain;
    private DevChainServer server;
    private FaultProxy proxy;
    private JsonRpcClient direct;
    private JsonRpcClient client;

    @BeforeEach
    void start() throws Exception {
        chain = new DevChain(DevChain.DEFAULT_CHAIN_ID, 10);
        chain.pregenerate(100, 4, new Random(7));
        server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0));
        proxy = FaultProxy.start(server.url());
        direct = new JsonRpcClient(server.url());
        client = new JsonRpcClient(URI.create(proxy.url()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        server.close();
    }

    private Map<String, Object> range(long from, long to) {
        return Map.of("fromBlock", Hex.quantity(from), "toBlock", Hex.quantity(to));
    }

    @Test
    void withoutFaultsItAnswersAsTheNode() {
        assertEquals(direct.call("eth_getBlockByNumber", "0x20", false), client.call("eth_getBlockByNumber", "0x20", false));
        assertEquals(direct.call("eth_getLogs", range(10, 20)), client.call("eth_getLogs", range(10, 20)));
    }

    @Test
    void transportFaults() {
        proxy.rate(FaultProxy.Fault.TOO_MANY_REQUESTS, 1);
        RuntimeException e = assertThrows(RuntimeException.class, () -> client.call("eth_blockNumber"));
        assertTrue(e.getMessage().contains("Too Many Requests"), e.getMessage());
        proxy.clear().rate(FaultProxy.Fault.INVALID_JSON, 1);
        e = assertThrows(IllegalStateException.class, () -> client.call("eth_blockNumber"));
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
        proxy.clear().rate(FaultProxy.Fault.DROP_MID_BODY, 1);
        assertThrows(UncheckedIOException.class, () -> client.call("eth_getLogs", range(0, 100)));
        proxy.clear().rate(FaultProxy.Fault.TIMEOUT, 1).hang(Duration.ofMillis(300));
        assertThrows(RuntimeException.class, () -> client.call(Duration.ofMillis(100), "eth_blockNumber"));
        assertEquals(1, proxy.injected(FaultProxy.Fault.TIMEOUT));
        assertEquals(1, proxy.injected(FaultProxy.Fault.DROP_MID_BODY));
    }

    @Test
    void contentFaults() {
        proxy.rate(FaultProxy.Fault.FORK_HEADER, 1);
        JsonNode forked = client.call("eth_getBlockByNumber", "0x20", false);
        JsonNode real = direct.call("eth_getBlockByNumber", "0x20", false);
        assertNotEquals(real.get("hash"), forked.get("hash"));
        assertEquals(FaultAnswers.forked(real.get("parentHash").asText()), forked.get("parentHash").asText());

        proxy.clear().rate(FaultProxy.Fault.WRONG_LOG_BLOCK_HASH, 1);
        JsonNode logs = client.call("eth_getLogs", range(30, 30));
        JsonNode realLogs = direct.call("eth_getLogs", range(30, 30));
        assertEquals(realLogs.size(), logs.size());
        assertNotEquals(realLogs, logs);

        proxy.clear().rate(FaultProxy.Fault.MISSING_LOGS, 1);
        String hash = real.get("hash").asText();
        assertEquals(0, client.call("eth_getLogs", Map.of("blockHash", hash)).size());
        JsonNode ranged = client.call("eth_getLogs", range(28, 30));
        assertTrue(ranged.size() > 0 && ranged.size() < direct.call("eth_getLogs", range(28, 30)).size());
        for (JsonNode l : ranged) assertNotEquals("0x1e", l.get("blockNumber").asText(), "the last block's logs are gone");
    }

    @Test
    void lagIsConsistent() {
        proxy.lag(20);
        long head = chain.head();
        assertEquals(head - 20, Hex.quantity(client.call("eth_blockNumber").asText()));
        assertTrue(client.call("eth_getBlockByNumber", Hex.quantity(head - 5), false).isNull());
        assertEquals(direct.call("eth_getBlockByNumber", Hex.quantity(head - 20), false),
                client.call("eth_getBlockByNumber", Hex.quantity(head - 20), false));
        assertEquals(direct.call("eth_getLogs", range(head - 30, head - 20)), client.call("eth_getLogs", range(head - 30, head)));
        String topHash = direct.call("eth_getBlockByNumber", Hex.quantity(head), false).get("hash").asText();
        assertTrue(client.call("eth_getBlockByHash", topHash, false).isNull());
        assertThrows(JsonRpcClient.RpcException.class, () -> client.call("eth_getLogs", Map.of("blockHash", topHash)));
        assertEquals(head - 30, Hex.quantity(client.call("eth_getBlockByNumber", "finalized", false).get("number").asText()));
    }

    @Test
    void rangeLimitsInEachProvidersWords() {
        for (ProviderMessage p : ProviderMessage.values()) {
            proxy.rangeLimit(10, p);
            RuntimeException e = assertThrows(RuntimeException.class, () -> client.call("eth_getLogs", range(0, 10)));
            assertTrue(e.getMessage().contains("range") || e.getMessage().contains("wide"), p + ": " + e.getMessage());
        }
        assertTrue(proxy.injected(FaultProxy.Fault.RANGE_LIMIT) >= ProviderMessage.values().length);
        List.of(1, 2).forEach(i -> assertEquals(direct.call("eth_getLogs", range(0, 9)), client.call("eth_getLogs", range(0, 9))));
    }
}
