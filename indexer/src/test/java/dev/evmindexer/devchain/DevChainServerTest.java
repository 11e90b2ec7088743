package dev.evmindexer.devchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import dev.evmindexer.eth.LogsBloom;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The devchain's JSON-RPC over real HTTP, checked against the chain's own Java view. */
class DevChainServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Address ALICE = Address.fromHex("0x00000000000000000000000000000000000a11ce");
    private static final Address BOB = Address.fromHex("0x0000000000000000000000000000000000000b0b");
    private static final Address TOKEN = DevChain.TOKENS.get(0);

    private final HttpClient http = HttpClient.newHttpClient();
    private DevChain chain;
    private DevChainServer server;

    @BeforeEach
    void start() throws IOException {
        chain = new DevChain(1337, 4);
        chain.mine(List.of(
                LogSpec.transfer(TOKEN, ALICE, BOB, BigInteger.valueOf(5)),
                LogSpec.approval(TOKEN, ALICE, BOB, BigInteger.TEN),
                LogSpec.transfer(DevChain.OTHER, BOB, ALICE, BigInteger.ONE),
                new LogSpec(DevChain.OTHER, List.of(), new byte[0])));
        Random random = new Random(11);
        for (int i = 0; i < 19; i++) chain.mineRandom(random);
        server = DevChainServer.start(chain, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void answersIdentityAndHead() throws Exception {
        assertEquals("0x539", call("eth_chainId").get("result").asText());
        assertEquals("1337", call("net_version").get("result").asText());
        assertTrue(call("web3_clientVersion").get("result").asText().startsWith("devchain/"));
        assertEquals("0x14", call("eth_blockNumber").get("result").asText());
        assertTrue(server.url().getPort() > 0, "bound an ephemeral port: " + server.url());
    }

    @Test
    void servesBlocksByNumberAndTag() throws Exception {
        JsonNode block = call("eth_getBlockByNumber", "0x1", false).get("result");
        BlockHeader header = chain.header(1).orElseThrow();
        for (String field : List.of("number", "hash", "parentHash", "nonce", "sha3Uncles", "logsBloom",
                "transactionsRoot", "stateRoot", "receiptsRoot", "miner", "difficulty", "totalDifficulty",
                "extraData", "size", "gasLimit", "gasUsed", "timestamp", "transactions", "uncles",
                "baseFeePerGas", "mixHash")) {
            assertTrue(block.hasNonNull(field), "block has " + field);
        }
        assertEquals("0x1", block.get("number").asText());
        assertEquals(header.hash().hex(), block.get("hash").asText());
        assertEquals(header.parentHash().hex(), block.get("parentHash").asText());
        assertEquals(((LogsBloom.Known) header.logsBloom()).hex(), block.get("logsBloom").asText());
        assertEquals(header.timestamp(), Hex.quantity(block.get("timestamp").asText()));
        List<String> txs = new ArrayList<>();
        block.get("transactions").forEach(t -> txs.add(t.asText()));
        assertEquals(chain.logs(1, 1).stream().map(l -> l.txHash().hex()).distinct().toList(), txs);
        assertTrue(block.get("uncles").isEmpty());

        assertEquals("0x14", call("eth_getBlockByNumber", "latest", false).at("/result/number").asText());
        assertEquals("0x14", call("eth_getBlockByNumber", "pending", false).at("/result/number").asText());
        assertEquals("0x10", call("eth_getBlockByNumber", "finalized", false).at("/result/number").asText());
        assertEquals("0x10", call("eth_getBlockByNumber", "safe", false).at("/result/number").asText());
        assertEquals("0x0", call("eth_getBlockByNumber", "earliest", false).at("/result/number").asText());
        assertEquals(chain.header(20).orElseThrow().hash().hex(),
                call("eth_getBlockByNumber", "0x14", false).at("/result/hash").asText());
        JsonNode above = call("eth_getBlockByNumber", "0x15", false);
        assertTrue(above.has("result") && above.get("result").isNull(), "null above the head: " + above);
    }

    @Test
    void servesBlocksByHashOnlyWhileCanonical() throws Exception {
        Hash h5 = chain.header(5).orElseThrow().hash();
        Hash h19 = chain.header(19).orElseThrow().hash();
        assertEquals("0x5", call("eth_getBlockByHash", h5.hex(), false).at("/result/number").asText());
        assertTrue(call("eth_getBlockByHash", Hash.ZERO.hex().replace("0x00", "0x01"), false).get("result").isNull());

        chain.reorg(2, new Random(1));

        assertTrue(call("eth_getBlockByHash", h19.hex(), false).get("result").isNull(), "orphaned block is unknown");
        Hash new19 = chain.header(19).orElseThrow().hash();
        assertEquals("0x13", call("eth_getBlockByHash", new19.hex(), false).at("/result/number").asText());
        assertEquals(new19.hex(), call("eth_getBlockByNumber", "0x13", false).at("/result/hash").asText());
    }

    @Test
    void filtersLogsByRangeAddressAndTopics() throws Exception {
        List<Log> all = chain.logs(0, 20);
        assertEquals(all, logs(filter("0x0", "latest")));
        assertEquals(chain.logs(20, 20), logs(JSON.createObjectNode()), "no range: the latest block");
        assertEquals(chain.logs(3, 7), logs(filter("0x3", "0x7")));
        assertEquals(chain.logs(16, 20), logs(filter("finalized", "0x99")), "toBlock past the head stops there");
        assertEquals(List.of(), logs(filter("0x15", "0x20")), "a range above the head is empty");

        var byToken = filter("0x0", "latest").put("address", TOKEN.hex());
        assertEquals(select(all, l -> l.address().equals(TOKEN)), logs(byToken));
        var byTokens = filter("0x0", "latest");
        DevChain.TOKENS.forEach(t -> byTokens.withArray("address").add(t.hex()));
        assertEquals(select(all, l -> DevChain.TOKENS.contains(l.address())), logs(byTokens));

        var transfers = filter("0x0", "latest");
        transfers.withArray("topics").add(DevChain.TRANSFER_TOPIC.hex());
        List<Log> expectedTransfers = select(all, l -> DevChain.TRANSFER_TOPIC.equals(l.topic0()));
        assertEquals(expectedTransfers, logs(transfers));
        assertTrue(expectedTransfers.stream().anyMatch(l -> l.address().equals(DevChain.OTHER)));

        var fromAlice = filter("0x0", "latest");
        fromAlice.withArray("topics").addNull().add(LogSpec.pad(ALICE).hex());
        assertEquals(select(all, l -> l.topics().size() > 1 && l.topics().get(1).equals(LogSpec.pad(ALICE))),
                logs(fromAlice));
        assertEquals(2, logs(fromAlice).size());

        var either = filter("0x0", "latest");
        either.withArray("topics").addArray().add(DevChain.APPROVAL_TOPIC.hex()).add(DevChain.TRANSFER_TOPIC.hex());
        assertEquals(select(all, l -> l.topic0() != null), logs(either));

        var fourTopics = filter("0x0", "latest");
        fourTopics.withArray("topics").add(DevChain.TRANSFER_TOPIC.hex()).addNull().addNull().addNull();
        assertEquals(List.of(), logs(fourTopics), "3-topic logs never match a 4-position filter");
    }

    @Test
    void servesLogsByBlockHash() throws Exception {
        Hash h1 = chain.header(1).orElseThrow().hash();
        var byHash = JSON.createObjectNode().put("blockHash", h1.hex());
        assertEquals(chain.logs(1, 1), logs(byHash));
        assertEquals(2, logs(byHash.put("address", DevChain.OTHER.hex())).size());

        Hash h20 = chain.header(20).orElseThrow().hash();
        chain.reorg(1, new Random(2));
        JsonNode orphan = call("eth_getLogs", JSON.createObjectNode().put("blockHash", h20.hex()));
        assertEquals(-32000, orphan.at("/error/code").asInt());
        assertEquals("unknown block", orphan.at("/error/message").asText());

        JsonNode both = call("eth_getLogs", JSON.createObjectNode().put("blockHash", h1.hex()).put("fromBlock", "0x1"));
        assertEquals(-32602, both.at("/error/code").asInt());
    }

    @Test
    void servesLargeGeneratedRangesStreamed() throws Exception {
        DevChain big = new DevChain(1, 10);
        big.pregenerate(300, 100, new Random(3));
        try (DevChainServer bigServer = DevChainServer.start(big, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            JsonNode answer = post(bigServer, request(1, "eth_getLogs", filter("0x1", "0x12c")).toString());
            List<Log> served = new ArrayList<>();
            answer.get("result").forEach(n -> served.add(toLog(n)));
            assertEquals(30_000, served.size());
            assertEquals(big.logs(1, 300), served);

            var other = filter("0x1", "0x12c").put("address", DevChain.OTHER.hex());
            JsonNode otherAnswer = post(bigServer, request(2, "eth_getLogs", other).toString());
            List<Log> fromOther = new ArrayList<>();
            otherAnswer.get("result").forEach(n -> fromOther.add(toLog(n)));
            assertFalse(fromOther.isEmpty());
            assertEquals(select(big.logs(1, 300), l -> l.address().equals(DevChain.OTHER)), fromOther);
        }
    }

    @Test
    void answersBatchesInOrderAndSkipsNotifications() throws Exception {
        String batch = "[" + request(1, "eth_chainId") + "," + request("two", "eth_blockNumber")
                + ",{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"}," + request(3, "eth_nope") + "]";
        JsonNode replies = post(server, batch);
        assertTrue(replies.isArray());
        assertEquals(3, replies.size());
        assertEquals(1, replies.get(0).get("id").asInt());
        assertEquals("0x539", replies.get(0).get("result").asText());
        assertEquals("two", replies.get(1).get("id").asText());
        assertEquals("0x14", replies.get(1).get("result").asText());
        assertEquals(3, replies.get(2).get("id").asInt());
        assertEquals(-32601, replies.get(2).at("/error/code").asInt());
    }

    @Test
    void answersErrorsWithTheirCodes() throws Exception {
        JsonNode parse = post(server, "{\"jsonrpc\":\"2.0\",");
        assertEquals(-32700, parse.at("/error/code").asInt());
        assertTrue(parse.get("id").isNull());
        assertEquals(-32600, post(server, "[]").at("/error/code").asInt());
        assertEquals(-32600, post(server, "[1]").get(0).at("/error/code").asInt());
        assertEquals(-32600, post(server, "{\"id\":1,\"method\":\"eth_chainId\"}").at("/error/code").asInt());
        JsonNode unknown = call("eth_sendTransaction");
        assertEquals(-32601, unknown.at("/error/code").asInt());
        assertTrue(unknown.at("/error/message").asText().contains("eth_sendTransaction"));

        assertEquals(-32602, call("eth_getBlockByNumber", "0xzz", false).at("/error/code").asInt());
        assertEquals(-32602, call("eth_getBlockByNumber", "0x1", "yes").at("/error/code").asInt()); // full: a boolean
        assertEquals(-32602, call("eth_getBlockByNumber").at("/error/code").asInt());
        assertEquals(-32602, call("eth_getBlockByHash", "0x1234", false).at("/error/code").asInt());
        assertEquals(-32602, call("eth_chainId", 1).at("/error/code").asInt());
        JsonNode backwards = call("eth_getLogs", filter("0x5", "0x3"));
        assertEquals(-32602, backwards.at("/error/code").asInt());
        assertTrue(backwards.at("/error/message").asText().contains("fromBlock 0x5 is after toBlock 0x3"));
        assertEquals(-32602, call("eth_getLogs", filter("0x1", "0x2").put("address", "0x12")).at("/error/code").asInt());
        var fiveTopics = filter("0x1", "0x2");
        for (int i = 0; i < 5; i++) fiveTopics.withArray("topics").addNull();
        assertEquals(-32602, call("eth_getLogs", fiveTopics).at("/error/code").asInt());
        assertEquals(-32602, call("eth_getLogs", "latest").at("/error/code").asInt());

        HttpResponse<String> get = http.send(HttpRequest.newBuilder(server.url()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
    }

    // --- helpers

    private JsonNode call(String method, Object... params) throws Exception {
        return post(server, request(1, method, params).toString());
    }

    private List<Log> logs(JsonNode filter) throws Exception {
        JsonNode answer = call("eth_getLogs", filter);
        assertTrue(answer.has("result"), "no error: " + answer);
        List<Log> out = new ArrayList<>();
        for (JsonNode n : answer.get("result")) {
            assertFalse(n.get("removed").asBoolean(true));
            out.add(toLog(n));
        }
        return out;
    }

    private JsonNode post(DevChainServer target, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(target.url())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(response.body());
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode request(Object id, String method, Object... params) {
        var node = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        if (id instanceof Integer i) node.put("id", i); else node.put("id", id.toString());
        var array = node.putArray("params");
        for (Object p : params) array.add(JSON.<JsonNode>valueToTree(p)); // null adds a JSON null
        return node;
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode filter(String from, String to) {
        return JSON.createObjectNode().put("fromBlock", from).put("toBlock", to);
    }

    private static List<Log> select(List<Log> logs, Predicate<Log> p) {
        return logs.stream().filter(p).toList();
    }

    static Log toLog(JsonNode n) {
        List<Hash> topics = new ArrayList<>();
        n.get("topics").forEach(t -> topics.add(Hash.fromHex(t.asText())));
        return new Log(Address.fromHex(n.get("address").asText()), topics, Hex.decode(n.get("data").asText()),
                Hex.quantity(n.get("blockNumber").asText()), Hash.fromHex(n.get("blockHash").asText()),
                Hash.fromHex(n.get("transactionHash").asText()), (int) Hex.quantity(n.get("transactionIndex").asText()),
                (int) Hex.quantity(n.get("logIndex").asText()));
    }
}
