package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.abi.Keccak;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import dev.evmindexer.proof.OrderedTrie;
import dev.evmindexer.proof.Receipt;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Receipts proofs against real Ethereum mainnet blocks (see {@code src/test/resources/mainnet/PROVENANCE.md}): the
 * receipts a mainnet node answered rebuild the receiptsRoot of the block's header, and any tampering with them does
 * not.
 */
class MainnetReceiptsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Endpoint ep = new Endpoint(new EndpointSpec("http://127.0.0.1:1/"), new OkHttpClient(),
            new EndpointHealth(System::nanoTime, Duration.ofMillis(1), Duration.ofMillis(2)), System::nanoTime);

    @AfterEach
    void close() {
        ep.close();
    }

    /** Block 18,000,000: legacy and EIP-1559 receipts as eth_getBlockReceipts answered them. */
    @Test
    void block18000000ProvesFromItsJsonReceipts() throws IOException {
        JsonNode fixture = fixture("block-18000000.json.gz");
        BlockHeader header = Answers.header(fixture.get("block"), ep);
        assertEquals(18_000_000, header.number());
        assertEquals("0xd925652022fa6da2ca5b9781ab2fd50cb05d3b4741a327f52322e2b7917d3a2f", header.receiptsRoot().orElseThrow().hex());
        JsonNode receipts = fixture.get("receipts");
        Map<Integer, Integer> types = new TreeMap<>();
        for (Receipt r : BlockReceipts.read(receipts, header, ep)) types.merge(r.type(), 1, Integer::sum);
        assertEquals(Map.of(0, 11, 2, 83), types);

        List<Log> logs = BlockReceipts.prove(receipts, header, header.receiptsRoot().orElseThrow(), ep);
        assertEquals(291, logs.size());
        for (int i = 0; i < logs.size(); i++) assertEquals(i, logs.get(i).logIndex());
    }

    @Test
    void aDroppedLogFailsTheProof() throws IOException {
        JsonNode fixture = fixture("block-18000000.json.gz");
        BlockHeader header = Answers.header(fixture.get("block"), ep);
        ArrayNode receipts = (ArrayNode) fixture.get("receipts");
        int tx = firstWithLogs(receipts);
        ((ArrayNode) receipts.get(tx).get("logs")).remove(0);
        renumberLogs(receipts); // positions stay consistent: only the root can tell
        RpcFault f = assertThrows(RpcFault.class, () -> BlockReceipts.prove(receipts, header, header.receiptsRoot().orElseThrow(), ep));
        assertTrue(f.getMessage().contains("is not the header's receiptsRoot"), f.getMessage());
        assertEquals(RpcFault.Kind.BAD_ANSWER, f.kind());
    }

    @Test
    void aChangedDataByteFailsTheProof() throws IOException {
        JsonNode fixture = fixture("block-18000000.json.gz");
        BlockHeader header = Answers.header(fixture.get("block"), ep);
        ArrayNode receipts = (ArrayNode) fixture.get("receipts");
        ObjectNode log = (ObjectNode) receipts.get(firstWithLogs(receipts)).get("logs").get(0);
        byte[] data = Hex.decode(log.get("data").asText());
        data[data.length - 1] ^= 1;
        log.put("data", Hex.encode(data));
        RpcFault f = assertThrows(RpcFault.class, () -> BlockReceipts.prove(receipts, header, header.receiptsRoot().orElseThrow(), ep));
        assertTrue(f.getMessage().contains("is not the header's receiptsRoot"), f.getMessage());
    }

    @Test
    void reorderedReceiptsFailTheProof() throws IOException {
        JsonNode fixture = fixture("block-18000000.json.gz");
        BlockHeader header = Answers.header(fixture.get("block"), ep);
        ArrayNode receipts = (ArrayNode) fixture.get("receipts");
        JsonNode a = receipts.get(3);
        JsonNode b = receipts.get(4);
        receipts.set(3, b);
        receipts.set(4, a);
        // as the node listed them, the indexes give the swap away
        RpcFault order = assertThrows(RpcFault.class, () -> BlockReceipts.prove(receipts, header, header.receiptsRoot().orElseThrow(), ep));
        assertTrue(order.getMessage().contains("out of order"), order.getMessage());
        // renumbered to look consistent, the root still does
        ((ObjectNode) receipts.get(3)).put("transactionIndex", "0x3");
        ((ObjectNode) receipts.get(4)).put("transactionIndex", "0x4");
        renumberLogs(receipts);
        RpcFault root = assertThrows(RpcFault.class, () -> BlockReceipts.prove(receipts, header, header.receiptsRoot().orElseThrow(), ep));
        assertTrue(root.getMessage().contains("receiptsRoot") || root.getMessage().contains("cumulativeGasUsed"),
                root.getMessage());
    }

    /**
     * Block 20,000,000 (after Dencun): its 134 consensus-encoded receipts, of all four types, build the receiptsRoot of
     * its RLP header, whose hash is the block's; and two of them, as JSON, encode to those exact bytes.
     */
    @Test
    void block20000000ProvesWithAllFourReceiptTypes() throws IOException {
        JsonNode fixture = fixture("block-20000000-raw.json.gz");
        byte[] rawHeader = Hex.decode(fixture.get("rawHeader").asText());
        JsonNode json = fixture.get("receipts");
        Hash blockHash = Hash.of(Keccak.keccak256(rawHeader));
        assertEquals(json.get(0).get("blockHash").asText(), blockHash.hex());
        Hash receiptsRoot = Hash.of(TestRlp.item(rawHeader, 5));
        assertEquals("0xb39f9f7a13a342751bd2c575eca303e224393d4e11d715866b114b7e824da608", receiptsRoot.hex());

        List<byte[]> raw = new ArrayList<>();
        Map<Integer, Integer> types = new TreeMap<>();
        for (JsonNode r : fixture.get("rawReceipts")) {
            byte[] b = Hex.decode(r.asText());
            raw.add(b);
            types.merge((b[0] & 0xff) >= 0xc0 ? 0 : (int) b[0], 1, Integer::sum);
        }
        assertEquals(Map.of(0, 24, 1, 1, 2, 108, 3, 1), types);
        assertEquals(receiptsRoot, OrderedTrie.root(raw));

        BlockHeader header = new BlockHeader(20_000_000, blockHash, Hash.of(TestRlp.item(rawHeader, 0)), 0,
                dev.evmindexer.eth.LogsBloom.UNKNOWN, java.util.Optional.of(receiptsRoot));
        for (JsonNode r : json) {
            int index = (int) Hex.quantity(r.get("transactionIndex").asText());
            int firstLog = r.get("logs").isEmpty() ? 0 : (int) Hex.quantity(r.get("logs").get(0).get("logIndex").asText());
            Receipt receipt = BlockReceipts.receipt(r, index, firstLog, header, ep);
            assertArrayEquals(raw.get(index), receipt.encode(), "receipt " + index);
        }
        List<byte[]> altered = new ArrayList<>(raw);
        byte[] last = altered.get(133).clone();
        last[last.length - 1] ^= 1;
        altered.set(133, last);
        assertTrue(!receiptsRoot.equals(OrderedTrie.root(altered)));
    }

    private static int firstWithLogs(ArrayNode receipts) {
        for (int i = 0; i < receipts.size(); i++) if (!receipts.get(i).get("logs").isEmpty()) return i;
        throw new AssertionError("no receipt with logs");
    }

    /** Rewrites every log's transactionIndex and logIndex to its position, as a careful liar would. */
    private static void renumberLogs(ArrayNode receipts) {
        int logIndex = 0;
        for (int i = 0; i < receipts.size(); i++) {
            for (JsonNode l : receipts.get(i).get("logs")) {
                ((ObjectNode) l).put("transactionIndex", Hex.quantity(i));
                ((ObjectNode) l).put("logIndex", Hex.quantity(logIndex++));
            }
        }
    }

    static JsonNode fixture(String name) throws IOException {
        try (InputStream in = MainnetReceiptsTest.class.getResourceAsStream("/mainnet/" + name)) {
            if (in == null) throw new IOException("missing test resource /mainnet/" + name);
            return JSON.readTree(new GZIPInputStream(in));
        }
    }

    /** Just enough RLP decoding to read one top-level item of a list (a header field). */
    static final class TestRlp {
        static byte[] item(byte[] list, int index) {
            int[] outer = header(list, 0);
            int pos = outer[0];
            for (int i = 0; i < index; i++) {
                int[] h = header(list, pos);
                pos = h[0] + h[1];
            }
            int[] h = header(list, pos);
            return java.util.Arrays.copyOfRange(list, h[0], h[0] + h[1]);
        }

        /** {payload start, payload length} of the item at {@code pos}. */
        private static int[] header(byte[] b, int pos) {
            int p = b[pos] & 0xff;
            if (p < 0x80) return new int[] {pos, 1};
            if (p <= 0xb7) return new int[] {pos + 1, p - 0x80};
            if (p < 0xc0) return longForm(b, pos, p - 0xb7);
            if (p <= 0xf7) return new int[] {pos + 1, p - 0xc0};
            return longForm(b, pos, p - 0xf7);
        }

        private static int[] longForm(byte[] b, int pos, int n) {
            int len = 0;
            for (int i = 1; i <= n; i++) len = (len << 8) | (b[pos + i] & 0xff);
            return new int[] {pos + 1 + n, len};
        }
    }
}
