package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import dev.evmindexer.proof.OrderedTrie;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;

/**
 * Not a test: prints what a receipts-root proof costs per block on real mainnet blocks (see
 * {@code src/test/resources/mainnet/PROVENANCE.md}): the bytes of the {@code eth_getBlockReceipts} answer against those
 * of an {@code eth_getLogs} answer holding every log of the block (the most a tip call without proof fetches), and the
 * time one thread takes to parse, check and prove the answer (warmed-up loop). Run by {@code scripts/bench-proof}.
 */
public final class ProofSpeed {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProofSpeed() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Endpoint ep = new Endpoint(new EndpointSpec("http://127.0.0.1:1/"), new OkHttpClient(),
                new EndpointHealth(System::nanoTime, Duration.ofMillis(1), Duration.ofMillis(2)), System::nanoTime);
        try {
            JsonNode fixture = MainnetReceiptsTest.fixture("block-18000000.json.gz");
            BlockHeader header = Answers.header(fixture.get("block"), ep);
            JsonNode receipts = fixture.get("receipts");
            byte[] receiptsBody = envelope(receipts);
            ArrayNode allLogs = JSON.createArrayNode();
            for (JsonNode r : receipts) r.get("logs").forEach(allLogs::add);
            byte[] logsBody = envelope(allLogs);

            // parse + check + prove, as the tip phase does per block (the parse from bytes included)
            int[] count = new int[1];
            double perBlock = time(seconds, () -> {
                JsonNode tree = JSON.readTree(receiptsBody).get("result");
                List<Log> logs = BlockReceipts.prove(tree, header, header.receiptsRoot().orElseThrow(), ep);
                count[0] = logs.size();
            });
            double parseOnly = time(seconds, () -> JSON.readTree(receiptsBody));
            System.out.printf("proof-bench block=%d receipts=%d logs=%d receipts_json_bytes=%d getlogs_json_bytes=%d "
                            + "bytes_ratio=%.2f prove_ms_per_block=%.3f of_which_json_parse_ms=%.3f%n",
                    header.number(), receipts.size(), count[0], receiptsBody.length, logsBody.length,
                    (double) receiptsBody.length / logsBody.length, perBlock, parseOnly);

            JsonNode raw = MainnetReceiptsTest.fixture("block-20000000-raw.json.gz");
            List<byte[]> encoded = new ArrayList<>();
            long rawBytes = 0;
            for (JsonNode r : raw.get("rawReceipts")) {
                byte[] b = Hex.decode(r.asText());
                encoded.add(b);
                rawBytes += b.length;
            }
            double trie = time(seconds, () -> OrderedTrie.root(encoded));
            System.out.printf("proof-bench block=20000000 receipts=%d encoded_bytes=%d trie_root_ms_per_block=%.3f%n",
                    encoded.size(), rawBytes, trie);
        } finally {
            ep.close();
        }
    }

    private static byte[] envelope(JsonNode result) throws Exception {
        return JSON.writeValueAsString(java.util.Map.of("jsonrpc", "2.0", "id", 1, "result", result))
                .getBytes(StandardCharsets.UTF_8);
    }

    interface Work {
        void run() throws Exception;
    }

    /** Milliseconds per run of {@code work}: a warm-up of half the time, then the mean over the rest. */
    private static double time(double seconds, Work work) throws Exception {
        long warmUntil = System.nanoTime() + (long) (seconds * 5e8);
        while (System.nanoTime() < warmUntil) work.run();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 5e8);
        long runs = 0;
        while (System.nanoTime() < end) {
            work.run();
            runs++;
        }
        return (System.nanoTime() - start) / 1e6 / runs;
    }
}
