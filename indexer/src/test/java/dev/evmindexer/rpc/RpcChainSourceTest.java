package dev.evmindexer.rpc;

import static dev.evmindexer.rpc.FakeChain.TOKEN;
import static dev.evmindexer.rpc.FakeChain.TRANSFER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.LogsBloom;
import dev.evmindexer.eth.StoredHeader;
import dev.evmindexer.pipeline.BlockGoneException;
import dev.evmindexer.pipeline.Heads;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.SourceException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RpcChainSourceTest {
    private static final LogFilter TRANSFERS = new LogFilter(List.of(TOKEN), List.of(TRANSFER));

    private final FakeChain chain = new FakeChain(1, 30)
            .log(5, TOKEN, TRANSFER, 1).log(5, TOKEN, TRANSFER, 2).log(5, TOKEN, TRANSFER, 3)
            .log(9, TOKEN, TRANSFER, 4).log(9, FakeChain.OTHER, TRANSFER, 5)
            .log(17, TOKEN, FakeChain.APPROVAL, 6).log(20, TOKEN, TRANSFER, 7)
            .finalized(10).safe(20);
    private FakeRpcServer a;
    private FakeRpcServer b;

    @AfterEach
    void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private void servers() throws Exception {
        a = new FakeRpcServer(chain);
        b = new FakeRpcServer(chain);
    }

    @Test
    void chainIdMismatchIsRefusedNamingTheRedactedEndpointAndBothIds() throws Exception {
        a = new FakeRpcServer(new FakeChain(5, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RpcTesting.connect(1, a.url()));
        assertTrue(e.getMessage().contains(a.redacted()), e.getMessage());
        assertTrue(e.getMessage().contains("serves chain id 5, expected 1"), e.getMessage());
        assertFalse(e.getMessage().contains("SECRETKEY123"), e.getMessage());
    }

    @Test
    void headsReadsTheFinalizedAndSafeTagsAndIsEmptyWhereTheNodeRejectsOne() throws Exception {
        servers();
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            assertEquals(new Heads(30, OptionalLong.of(10), OptionalLong.of(20)), s.heads());
            assertEquals(1, s.chainId());
        }
        try (RpcChainSource s = RpcTesting.connect(1, b.url())) {
            b.script((m, p, normal) -> p != null && p.size() > 0 && p.get(0).asText().equals("finalized")
                    ? FakeChain.error(-32602, "invalid block tag") : normal.get());
            assertEquals(new Heads(30, OptionalLong.empty(), OptionalLong.of(20)), s.heads());
            b.script((m, p, normal) -> p != null && p.size() > 0 && p.get(0).asText().equals("safe")
                    ? FakeChain.error(-32602, "invalid block tag") : normal.get());
            assertEquals(new Heads(30, OptionalLong.of(10), OptionalLong.empty()), s.heads());
        }
    }

    @Test
    void headersAreLinkedAndStopAtTheHead() throws Exception {
        servers();
        a.head(12);
        try (RpcChainSource s = RpcTesting.connect(1, true, 2000, a.url())) {
            List<BlockHeader> hs = s.headers(0, 200);
            assertEquals(13, hs.size());
            for (int i = 0; i < hs.size(); i++) assertEquals(chain.block(i), hs.get(i));
            assertEquals(Optional.empty(), s.header(13));
            assertEquals(Optional.of(chain.block(12)), s.header(12));
        }
    }

    @Test
    void wrongBlockNumberIsABadAnswerRetriedOnTheOtherEndpoint() throws Exception {
        servers();
        a.script((m, p, normal) -> m.equals("eth_getBlockByNumber") && p.get(0).asText().startsWith("0x")
                ? FakeChain.result(FakeChain.blockJson(chain.block(Hex.quantity(p.get(0).asText()) + 1)))
                : normal.get());
        try (RpcChainSource s = RpcTesting.connect(1, a.url(), b.url())) {
            // endpoints in equal health are chosen at random: ask until the bad one was asked too (bounded)
            for (int i = 0; i < 60 && (i < 4 || a.count("eth_getBlockByNumber") == 0); i++) {
                assertEquals(Optional.of(chain.block(7)), s.header(7));
            }
        }
        assertTrue(a.count("eth_getBlockByNumber") > 0, "the bad endpoint was never asked");
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            SourceException e = assertThrows(SourceException.class, () -> s.header(7));
            assertTrue(e.getMessage().contains("block #8 when asked for #7"), e.getMessage());
            assertTrue(e.getMessage().startsWith("doing fetching headers [7, 7]: "), e.getMessage());
            assertFalse(e.getMessage().contains("SECRETKEY123"), e.getMessage());
        }
    }

    @Test
    void headersThatDoNotLinkAreABadAnswer() throws Exception {
        servers();
        a.script((m, p, normal) -> {
            JsonNode n = normal.get();
            if (m.equals("eth_getBlockByNumber") && p.get(0).asText().equals("0x3")) {
                ((ObjectNode) n.get("result")).put("parentHash", Hash.ZERO.hex());
            }
            return n;
        });
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            SourceException e = assertThrows(SourceException.class, () -> s.headers(0, 5));
            assertTrue(e.getMessage().contains("does not link"), e.getMessage());
        }
    }

    @Test
    void logsWithAWrongBlockHashAreRefusedAndFetchedElsewhere() throws Exception {
        servers();
        a.script((m, p, normal) -> {
            JsonNode n = normal.get();
            if (m.equals("eth_getLogs")) n.get("result").forEach(l -> ((ObjectNode) l).put("blockHash", Hash.ZERO.hex()));
            return n;
        });
        try (RpcChainSource s = RpcTesting.connect(1, a.url(), b.url())) {
            for (int i = 0; i < 60 && (i < 4 || a.count("eth_getLogs") == 0); i++) {
                assertEquals(chain.logs(5, 5, TRANSFERS), s.blockLogs(chain.block(5), TRANSFERS));
            }
            assertEquals(chain.logs(0, 30, TRANSFERS), s.rangeLogs(0, 30, TRANSFERS).logs());
        }
        assertTrue(a.count("eth_getLogs") > 0, "the bad endpoint was never asked");
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            SourceException e = assertThrows(SourceException.class, () -> s.blockLogs(chain.block(5), TRANSFERS));
            assertTrue(e.getMessage().contains("with block hash 0x00000000"), e.getMessage());
        }
    }

    @Test
    void decreasingLogIndexIsRefused() throws Exception {
        servers();
        a.script((m, p, normal) -> {
            JsonNode n = normal.get();
            if (m.equals("eth_getLogs") && n.get("result").size() >= 2) {
                ArrayNode logs = (ArrayNode) n.get("result");
                JsonNode first = logs.remove(0);
                logs.insert(1, first);
            }
            return n;
        });
        try (RpcChainSource s = RpcTesting.connect(1, a.url(), b.url())) {
            for (int i = 0; i < 60 && (i < 4 || a.count("eth_getLogs") == 0); i++) {
                assertEquals(chain.logs(5, 5, TRANSFERS), s.blockLogs(chain.block(5), TRANSFERS));
            }
        }
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            SourceException e = assertThrows(SourceException.class, () -> s.blockLogs(chain.block(5), TRANSFERS));
            assertTrue(e.getMessage().contains("logs out of order: log#5/0"), e.getMessage());
            assertThrows(SourceException.class, () -> s.rangeLogs(0, 10, TRANSFERS));
        }
    }

    @Test
    void anEmptyAnswerTheBloomContradictsIsAskedAgainElsewhere() throws Exception {
        servers();
        a.script((m, p, normal) -> m.equals("eth_getLogs") ? FakeChain.result(FakeChain.JSON.createArrayNode()) : normal.get());
        // a header read back from the database has no bloom; the block fetched with the logs has one
        StoredHeader stored = chain.block(9).stored();
        try (RpcChainSource s = RpcTesting.connect(1, a.url(), b.url())) {
            for (int i = 0; i < 60 && (i < 4 || a.count("eth_getLogs") == 0); i++) {
                assertEquals(chain.logs(9, 9, TRANSFERS), s.blockLogs(chain.block(9), TRANSFERS));
                assertEquals(chain.logs(9, 9, TRANSFERS), s.blockLogs(stored, TRANSFERS));
                // The range's last block holds the log, so the bloom contradicts an empty answer there too.
                assertEquals(chain.logs(18, 20, TRANSFERS), s.rangeLogs(18, 20, TRANSFERS).logs());
            }
            assertEquals(0, s.acceptedBloomContradictions());
            // A block whose bloom has no match is not retried: block 17 holds only an Approval.
            assertEquals(List.of(), s.blockLogs(chain.block(17), TRANSFERS));
            assertEquals(0, s.acceptedBloomContradictions());
        }
        assertTrue(a.count("eth_getLogs") > 0, "the lying endpoint was never asked");
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            // Alone, the empty answer is accepted (blooms have false positives) and counted.
            assertEquals(List.of(), s.blockLogs(chain.block(9), TRANSFERS));
            assertEquals(1, s.acceptedBloomContradictions());
        }
    }

    @Test
    void aHedgeThatLostUnreadDoesNotKeepTheRetryOfAnEmptyAnswerFromItsEndpoint() throws Exception {
        servers();
        // a, nearly all the traffic by weight, answers eth_getLogs empty after 80 ms: slower than its usual latency, so
        // the call is hedged to b, which answers after 400 ms and loses. The bloom contradicts a's empty answer: the
        // retry must go to b, whose hedge was cut off unread, not back to a until the retries run out.
        a.script((m, p, normal) -> {
            if (!m.equals("eth_getLogs")) return normal.get();
            pause(80);
            return FakeChain.result(FakeChain.JSON.createArrayNode());
        });
        b.script((m, p, normal) -> {
            if (m.equals("eth_getLogs")) pause(400);
            return normal.get();
        });
        List<EndpointSpec> specs = List.of(weighted(a.url(), 1000), weighted(b.url(), 1));
        try (RpcChainSource s = RpcChainSource.connect("test", 1, specs, true)) {
            for (int i = 0; i < 100; i++) s.header(i % 20); // latency samples: a answers headers in about a millisecond
            long before = a.count("eth_getLogs");
            for (int i = 0; i < 3; i++) assertEquals(chain.logs(9, 9, TRANSFERS), s.blockLogs(chain.block(9), TRANSFERS));
            assertEquals(0, s.acceptedBloomContradictions(), "the empty answer was never accepted");
            assertTrue(a.count("eth_getLogs") > before && b.count("eth_getLogs") >= 3, "both were asked");
        }
    }

    private static EndpointSpec weighted(String url, double weight) {
        return new EndpointSpec(url, java.time.Duration.ofSeconds(5), 50, EndpointSpec.DEFAULT_MAX_BLOCK_RANGE, 0,
                EndpointSpec.DEFAULT_MAX_CONCURRENCY, weight, EndpointSpec.DEFAULT_LOGS_PER_CALL);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aLogNotInTheBloomIsRefusedUnlessBloomChecksAreOff() throws Exception {
        servers();
        a.script((m, p, normal) -> {
            JsonNode n = normal.get();
            if (m.equals("eth_getBlockByHash") || m.equals("eth_getBlockByNumber")) {
                JsonNode r = n.get("result");
                if (r != null && r.isObject()) ((ObjectNode) r).put("logsBloom", Hex.encode(new byte[256]));
            }
            return n;
        });
        // a node's header without a bloom: the logs are checked against the bloom of the block fetched with them
        BlockHeader emptyBloom = new BlockHeader(5, chain.block(5).hash(), chain.block(5).parentHash(),
                chain.block(5).timestamp(), LogsBloom.UNKNOWN);
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            SourceException e = assertThrows(SourceException.class, () -> s.blockLogs(emptyBloom, TRANSFERS));
            assertTrue(e.getMessage().contains("not in the logsBloom"), e.getMessage());
        }
        try (RpcChainSource s = RpcTesting.connect(1, false, 2000, a.url())) {
            assertEquals(chain.logs(5, 5, TRANSFERS), s.blockLogs(emptyBloom, TRANSFERS));
        }
    }

    @Test
    void aBlockUnknownByHashIsGone() throws Exception {
        servers();
        BlockHeader orphan = new BlockHeader(5, Hash.fromHex("0x" + "ab".repeat(32)), chain.block(4).hash(),
                chain.block(5).timestamp(), LogsBloom.UNKNOWN);
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            BlockGoneException e = assertThrows(BlockGoneException.class, () -> s.blockLogs(orphan, TRANSFERS));
            assertTrue(e.getMessage().contains("is gone"), e.getMessage());
        }
    }

    @Test
    void aLaggingEndpointIsNotAskedForBlocksByHashItCannotHaveYet() throws Exception {
        servers();
        a.head(3);
        try (RpcChainSource s = RpcTesting.connect(1, a.url(), b.url())) {
            // endpoints in equal health are chosen at random: ask until the lagging one was asked (bounded; 4 asks
            // missed it 1 time in 16)
            for (int i = 0; i < 4 || (a.count("eth_getLogs") == 0 && i < 60); i++) {
                assertEquals(chain.logs(9, 9, TRANSFERS), s.blockLogs(chain.block(9), TRANSFERS));
            }
        }
        assertTrue(a.count("eth_getLogs") > 0, "the lagging endpoint was never asked");
    }

    @Test
    void malformedAnswersAreSourceExceptions() throws Exception {
        servers();
        a.script((m, p, normal) -> m.equals("eth_blockNumber") ? FakeChain.result(FakeChain.JSON.getNodeFactory()
                .textNode("0xZZ")) : normal.get());
        try (RpcChainSource s = RpcTesting.connect(1, a.url())) {
            SourceException e = assertThrows(SourceException.class, s::heads);
            assertTrue(e.getMessage().contains("eth_blockNumber that is not a hex quantity: 0xZZ"), e.getMessage());
        }
    }
}
