package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.BlockGoneException;
import dev.evmindexer.pipeline.Heads;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.RangeLogs;
import dev.evmindexer.testsupport.Anvil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The source against a real anvil, compared with anvil's own answers. */
class RpcChainSourceIT {
    private static final Hash TRANSFER = FakeChain.TRANSFER;
    /**
     * Runtime: mem[0] = calldata word; LOG3(0, 32, Transfer, caller, word); STOP. Init code copies it and returns it.
     * 60003580 600052 33 7f<Transfer> 6020 6000 a3 00 (47 bytes) behind 602f 80 600b 6000 39 6000 f3 (11 bytes).
     */
    private static final String INIT_CODE = "0x602f80600b6000396000f3" + "6000358060005233" + "7f"
            + TRANSFER.hex().substring(2) + "60206000a300";

    private static Anvil anvil;
    private static String account;
    private static Address token;
    private static Address token2;

    @BeforeAll
    static void chainWithLogs() throws Exception {
        anvil = Anvil.start();
        account = anvil.rpc("eth_accounts").get(0).asText();
        token = deploy();
        token2 = deploy();
        for (int i = 1; i <= 6; i++) send(i % 2 == 0 ? token2 : token, i);
        // Several logs in one block, from different transactions: log indexes span transactions.
        anvil.rpc("evm_setAutomine", false);
        for (int i = 10; i < 14; i++) send(i % 2 == 0 ? token2 : token, i);
        anvil.rpc("evm_mine");
        anvil.rpc("evm_setAutomine", true);
        anvil.rpc("anvil_mine", "0x3");
        send(token, 20);
    }

    @AfterAll
    static void stop() throws Exception {
        if (anvil != null) anvil.close();
    }

    /** Through the test support, which waits for the receipt (anvil may answer before mining under load). */
    private static Address deploy() throws Exception {
        return anvil.deploy(Address.fromHex(account), INIT_CODE);
    }

    private static void send(Address to, long word) throws Exception {
        byte[] data = new byte[32];
        data[31] = (byte) word;
        anvil.sendTransaction(Address.fromHex(account), to, Hex.encode(data));
    }

    private static RpcChainSource connect(long maxBlockRange) {
        return RpcChainSource.connect("anvil", 31337,
                List.of(new EndpointSpec(anvil.url(), Duration.ofSeconds(10), 4, maxBlockRange)), true);
    }

    /** anvil's own eth_getLogs answer, parsed independently of the source's parser. */
    private static List<Log> anvilLogs(Map<String, Object> filter) throws Exception {
        List<Log> out = new ArrayList<>();
        for (JsonNode l : anvil.rpc("eth_getLogs", filter)) {
            List<Hash> topics = new ArrayList<>();
            l.get("topics").forEach(t -> topics.add(Hash.fromHex(t.asText())));
            out.add(new Log(Address.fromHex(l.get("address").asText()), topics, Hex.decode(l.get("data").asText()),
                    Hex.quantity(l.get("blockNumber").asText()), Hash.fromHex(l.get("blockHash").asText()),
                    Hash.fromHex(l.get("transactionHash").asText()),
                    (int) Hex.quantity(l.get("transactionIndex").asText()),
                    (int) Hex.quantity(l.get("logIndex").asText())));
        }
        return out;
    }

    private static long head() throws Exception {
        return Hex.quantity(anvil.rpc("eth_blockNumber").asText());
    }

    @Test
    void headsHeadersAndTheirLinks() throws Exception {
        try (RpcChainSource s = connect(2000)) {
            long head = head();
            Heads heads = s.heads();
            assertEquals(head, heads.head());
            // anvil's finalized tag is head - 64, clamped to genesis on a young chain.
            assertEquals(Math.max(0, head - 64), heads.finalized().orElseThrow());
            List<BlockHeader> headers = s.headers(0, head + 10);
            assertEquals(head + 1, headers.size());
            for (int i = 1; i < headers.size(); i++) assertTrue(headers.get(i - 1).ref().isParentOf(headers.get(i).ref()));
            JsonNode latest = anvil.rpc("eth_getBlockByNumber", "latest", false);
            assertEquals(Hash.fromHex(latest.get("hash").asText()), headers.get((int) head).hash());
            assertEquals(headers.get(3), s.header(3).orElseThrow());
            assertTrue(s.header(head + 1).isEmpty());
        }
    }

    @Test
    void blockLogsAndRangeLogsEqualAnvilsOwn() throws Exception {
        LogFilter filter = new LogFilter(List.of(token, token2), List.of(TRANSFER));
        try (RpcChainSource s = connect(3)) {
            long head = head();
            List<Log> expected = anvilLogs(Map.of("fromBlock", "0x0", "toBlock", Hex.quantity(head),
                    "address", List.of(token.hex(), token2.hex())));
            assertEquals(11, expected.size());
            RangeLogs range = s.rangeLogs(0, head, filter);
            assertEquals(expected, range.logs());
            assertTrue(range.logs().stream().anyMatch(l -> l.logIndex() == 3), "a block with several logs");
            List<Log> viaBlocks = new ArrayList<>();
            for (BlockHeader h : s.headers(0, head)) {
                List<Log> logs = s.blockLogs(h, filter);
                assertEquals(anvilLogs(Map.of("blockHash", h.hash().hex(), "address", List.of(token.hex(),
                        token2.hex()))), logs);
                viaBlocks.addAll(logs);
                if (!logs.isEmpty()) assertEquals(h, range.headers().get(h.number()));
            }
            assertEquals(expected, viaBlocks);
            LogFilter onlyToken2 = new LogFilter(List.of(token2), List.of());
            assertEquals(anvilLogs(Map.of("fromBlock", "0x0", "toBlock", Hex.quantity(head), "address", token2.hex())),
                    s.rangeLogs(0, head, onlyToken2).logs());
            assertEquals(List.of(), s.rangeLogs(0, head, new LogFilter(List.of(), List.of(FakeChain.APPROVAL))).logs());
            assertEquals(0, s.acceptedBloomContradictions());
        }
    }

    @Test
    void blockLogsOfAReorgedOrRolledBackBlockIsGone() throws Exception {
        LogFilter filter = new LogFilter(List.of(token), List.of(TRANSFER));
        try (RpcChainSource s = connect(2000)) {
            send(token, 30);
            BlockHeader reorged = s.header(head()).orElseThrow();
            assertEquals(1, s.blockLogs(reorged, filter).size());
            // the new block holds a different transaction (an empty replacement may come out identical: anvil can
            // mine the orphaned transaction again at the same timestamp)
            byte[] other = new byte[32];
            other[31] = 99;
            anvil.reorg(1, List.of(new dev.evmindexer.testsupport.TxSpec(Address.fromHex(account), token, Hex.encode(other), 0)));
            BlockHeader replacement = s.header(reorged.number()).orElseThrow();
            assertNotEquals(reorged.hash(), replacement.hash());
            assertThrows(BlockGoneException.class, () -> s.blockLogs(reorged, filter));
            List<Log> replaced = s.blockLogs(replacement, filter);
            assertEquals(1, replaced.size());
            assertEquals(99, replaced.get(0).data()[31]);

            send(token, 31);
            BlockHeader rolledBack = s.header(head()).orElseThrow();
            assertEquals(1, s.blockLogs(rolledBack, filter).size());
            anvil.rpc("anvil_rollback", 1);
            assertEquals(rolledBack.number() - 1, head());
            assertThrows(BlockGoneException.class, () -> s.blockLogs(rolledBack, filter));
            assertFalse(s.header(rolledBack.number()).isPresent());
        }
    }
}
