package dev.evmindexer.devchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each {@link ProviderLimits} behaviour over real HTTP, on a chain of 100-log blocks with one dense block. */
class ProviderLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SUGGESTED = Pattern.compile("this block range should work: \\[(0x[0-9a-f]+), (0x[0-9a-f]+)]$");
    private static final String TOKEN = DevChain.TOKENS.get(0).hex();
    private static final long DENSE = 51;

    /** Blocks 1..50 and 52..101 hold 100 logs each, block 51 holds 10,000: 20,000 logs in all. */
    private static DevChain chain;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<DevChainServer> servers = new ArrayList<>();

    @BeforeAll
    static void denseChain() {
        chain = new DevChain(1, 10);
        Random random = new Random(7);
        chain.pregenerate(50, 100, random);
        chain.pregenerate(1, 10_000, random);
        chain.pregenerate(50, 100, random);
        assertEquals(101, chain.head());
        assertEquals(10_000, chain.logs(DENSE, DENSE).size());
    }

    @AfterEach
    void stop() {
        servers.forEach(DevChainServer::close);
    }

    @Test
    void refusesOverTheCapWithAlchemysMessageAndARangeThatFits() throws Exception {
        DevChainServer server = start(ProviderLimits.NONE.withLogCap(10_000, 0));

        JsonNode refused = post(server, getLogs(1, 101));
        assertEquals(-32602, refused.at("/error/code").asInt(), refused.toString());
        assertEquals("Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no"
                + " limit on the response size, or you can request any block range with a cap of 10K logs in the response."
                + " Based on your parameters, this block range should work: [0x1, 0x32]", refused.at("/error/message").asText());
        assertEquals(chain.logs(1, 50), logs(post(server, getLogs(1, 50))), "the suggested range is served");

        // from every start, the suggestion holds at most the cap and is the longest prefix that does
        for (long from : new long[] {1, 2, 45, DENSE}) {
            long[] range = suggested(post(server, getLogs(from, 101)));
            assertEquals(from, range[0]);
            List<Log> served = logs(post(server, getLogs(range[0], range[1])));
            assertTrue(served.size() <= 10_000, "suggested " + List.of(range[0], range[1]) + " holds " + served.size());
            assertTrue(chain.logs(range[0], range[1] + 1).size() > 10_000, "one block more would be over the cap");
        }
        assertEquals(10_000, logs(post(server, getLogs(DENSE, DENSE))).size(), "exactly the cap is served");

        // the cap counts the logs the filter matches, not the blocks' logs: this range holds 20,000 logs
        List<Log> fromToken = chain.logs(1, 101).stream().filter(l -> l.address().hex().equals(TOKEN)).toList();
        assertTrue(fromToken.size() < 10_000, "precondition: " + fromToken.size());
        assertEquals(fromToken, logs(post(server, getLogs(1, 101, TOKEN))));

        assertEquals(5, server.injected().refusals());
    }

    @Test
    void suggestsOneBlockWhenTheFirstBlockAloneIsOverTheCap() throws Exception {
        DevChainServer server = start(ProviderLimits.NONE.withLogCap(5_000, 0));
        assertArrayEquals(new long[] {DENSE, DENSE}, suggested(post(server, getLogs(DENSE, 60))));
        assertEquals(-32602, post(server, getLogs(DENSE, DENSE)).at("/error/code").asInt(), "still over the cap");
    }

    @Test
    void neverRefusesRangesWithinTheUncappedRange() throws Exception {
        DevChainServer server = start(ProviderLimits.NONE.withLogCap(10_000, 101));
        assertEquals(20_000, logs(post(server, getLogs(1, 101))).size(), "101 blocks: no cap");
        assertArrayEquals(new long[] {0, 50}, suggested(post(server, getLogs(0, 101))), "102 blocks: capped");
        assertEquals(1, server.injected().refusals());
    }

    @Test
    void realisticRefusesLongRangesOverTenThousandLogsButServesADenseBlock() throws Exception {
        DevChain sparse = new DevChain(1, 10);
        sparse.pregenerate(2_100, 5, new Random(3));
        sparse.pregenerate(1, 12_000, new Random(4));
        DevChainServer server = start(sparse, ProviderLimits.realistic());
        assertArrayEquals(new long[] {1, 2_000}, suggested(post(server, getLogs(1, 2_100))));
        assertEquals(12_000, logs(post(server, getLogs(2_101, 2_101))).size(), "a dense block alone is served");
    }

    @Test
    void latencyGrowsWithTheLogsOfAnAnswer() throws Exception {
        Duration base = Duration.ofMillis(1);
        Duration perLog = Duration.ofNanos(2_000);
        DevChainServer server = start(ProviderLimits.NONE.withLatency(base, perLog));

        assertEquals("0x65", post(server, request("eth_blockNumber")).get("result").asText());
        assertEquals(base, server.injected().latency(), "a call without logs costs the base latency");

        assertEquals(5_000, logs(post(server, getLogs(1, 50))).size());
        Duration fiveThousand = server.injected().latency().minus(base);
        assertEquals(base.plus(perLog.multipliedBy(5_000)), fiveThousand);

        assertEquals(10_000, logs(post(server, getLogs(DENSE, DENSE))).size());
        Duration tenThousand = server.injected().latency().minus(base).minus(fiveThousand);
        assertEquals(base.plus(perLog.multipliedBy(10_000)), tenThousand);
        assertTrue(tenThousand.compareTo(fiveThousand) > 0);

        int fromToken = logs(post(server, getLogs(1, 101, TOKEN))).size();
        Duration before = server.injected().latency();
        String batch = "[" + getLogs(1, 2) + "," + getLogs(3, 3).put("id", 2) + "]";
        assertEquals(2, post(server, batch).size());
        assertEquals(base.plus(perLog.multipliedBy(300)), server.injected().latency().minus(before),
                "a batch is one answer holding the logs of all its calls");
        assertEquals(base.multipliedBy(5).plus(perLog.multipliedBy(15_300 + fromToken)), server.injected().latency());
        assertEquals(5, server.injected().delayedAnswers());
    }

    @Test
    void hangsOnOversizedAnswersThenClosesWithoutAnswering() throws Exception {
        DevChainServer server = start(ProviderLimits.NONE.hangAbove(1_000, Duration.ofSeconds(2)));
        assertEquals(1_000, logs(post(server, getLogs(1, 10))).size(), "at the threshold: served");

        assertThrows(HttpTimeoutException.class, () -> send(server, getLogs(1, 11).toString(), Duration.ofMillis(500)));
        assertEquals(1, server.injected().hangs());

        IOException closed = assertThrows(IOException.class,
                () -> send(server, getLogs(DENSE, DENSE).toString(), Duration.ofSeconds(30)));
        assertFalse(closed instanceof HttpTimeoutException, "after the hang the connection closes: " + closed);
        assertEquals(2, server.injected().hangs());
        assertEquals(new DevChainServer.Injected(0, 2, 0, 0, Duration.ZERO), server.injected());
    }

    @Test
    void cutsOversizedAnswersOffAfterTheHeaders() throws Exception {
        DevChainServer server = start(ProviderLimits.NONE.closeAbove(1_000));
        assertEquals(1_000, logs(post(server, getLogs(1, 10))).size(), "at the threshold: served");

        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(server.url())
                        .POST(HttpRequest.BodyPublishers.ofString(getLogs(1, 101).toString())).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode(), "the headers went out");
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (InputStream body = response.body()) {
            assertThrows(IOException.class, () -> body.transferTo(received), "the body ends with the connection");
        }
        String start = received.toString(StandardCharsets.UTF_8);
        assertTrue(start.startsWith("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"address\""), "part of the body came: " + start);
        assertTrue(received.size() < 20_000 * 300, "well under the answer's 20,000 logs: " + received.size());

        assertThrows(IOException.class, () -> send(server, getLogs(1, 11).toString(), Duration.ofSeconds(30)));
        assertEquals(new DevChainServer.Injected(0, 0, 2, 0, Duration.ZERO), server.injected());
    }

    @Test
    void noneChangesNothing() throws Exception {
        for (DevChainServer server : List.of(start(ProviderLimits.NONE),
                track(DevChainServer.start(chain, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))))) {
            assertEquals(chain.logs(1, 101), logs(post(server, getLogs(1, 101))));
            assertEquals(chain.logs(0, 101), logs(post(server, getLogs(0, 101))));
            assertEquals("0x65", post(server, request("eth_blockNumber")).get("result").asText());
            assertEquals(new DevChainServer.Injected(0, 0, 0, 0, Duration.ZERO), server.injected());
        }
        assertEquals(Duration.ZERO, ProviderLimits.NONE.latency(1_000_000));
        assertFalse(ProviderLimits.NONE.oversized(Long.MAX_VALUE));
    }

    @Test
    void rejectsNegativeLimits() {
        assertThrows(IllegalArgumentException.class, () -> ProviderLimits.NONE.withLogCap(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> ProviderLimits.NONE.hangAbove(1, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> ProviderLimits.NONE.withLatency(Duration.ofMillis(-1), Duration.ZERO));
    }

    // --- helpers

    private DevChainServer start(ProviderLimits limits) throws IOException {
        return start(chain, limits);
    }

    private DevChainServer start(DevChain on, ProviderLimits limits) throws IOException {
        return track(DevChainServer.start(on, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits));
    }

    private DevChainServer track(DevChainServer server) {
        servers.add(server);
        return server;
    }

    private JsonNode post(DevChainServer server, Object body) throws Exception {
        return JSON.readTree(send(server, body.toString(), Duration.ofSeconds(30)));
    }

    private String send(DevChainServer server, String body, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.url()).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static ObjectNode request(String method) {
        return JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", method);
    }

    private static ObjectNode getLogs(long from, long to) {
        ObjectNode request = request("eth_getLogs");
        request.putArray("params").addObject().put("fromBlock", Hex.quantity(from)).put("toBlock", Hex.quantity(to));
        return request;
    }

    /** {@link #getLogs(long, long)} of the logs of one contract. */
    private static ObjectNode getLogs(long from, long to, String address) {
        ObjectNode request = getLogs(from, to);
        ((ObjectNode) request.get("params").get(0)).put("address", address);
        return request;
    }

    private static List<Log> logs(JsonNode answer) {
        assertTrue(answer.has("result"), "no error: " + answer);
        List<Log> out = new ArrayList<>();
        answer.get("result").forEach(n -> out.add(DevChainServerTest.toLog(n)));
        return out;
    }

    /** The range a refusal suggests, as {@code [from, to]}. */
    private static long[] suggested(JsonNode refusal) {
        assertEquals(-32602, refusal.at("/error/code").asInt(), "refused: " + refusal);
        Matcher m = SUGGESTED.matcher(refusal.at("/error/message").asText());
        assertTrue(m.find(), "a suggested range in " + refusal);
        return new long[] {Hex.quantity(m.group(1)), Hex.quantity(m.group(2))};
    }
}
