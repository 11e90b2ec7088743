package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.ProvenLogs;
import dev.evmindexer.pipeline.SourceException;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.FaultProxy.Fault;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RpcChainSource} with receipts proofs against the devchain, whose receipts and roots are real, directly and
 * through a {@link FaultProxy} that drops a log from every {@code eth_getBlockReceipts} answer (renumbering the rest).
 */
class ReceiptProofsTest {
    private static final LogFilter TOKENS = new LogFilter(DevChain.TOKENS, List.of(DevChain.TRANSFER_TOPIC));

    private DevChain chain;
    private DevChainServer server;
    private FaultProxy liar;

    @BeforeEach
    void start() throws Exception {
        chain = new DevChain(DevChain.DEFAULT_CHAIN_ID, 5);
        chain.pregenerate(40, 3, new Random(3));
        server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0));
        liar = FaultProxy.start(server.url()).seed(3);
        liar.rate(Fault.DROPPED_RECEIPT_LOG, 1.0);
    }

    @AfterEach
    void stop() throws Exception {
        liar.close();
        server.close();
    }

    private RpcChainSource source(boolean proof, String... urls) {
        List<EndpointSpec> specs = java.util.Arrays.stream(urls)
                .map(u -> new EndpointSpec(u, Duration.ofSeconds(5), 50, EndpointSpec.DEFAULT_MAX_BLOCK_RANGE)).toList();
        return RpcChainSource.connect("test", chain.chainId(), specs, true, proof, RpcTesting.FAST);
    }

    private List<Log> canonical(long from, long to) {
        return chain.logs(from, to).stream().filter(TOKENS::matches).toList();
    }

    @Test
    void tipBlockLogsFromProvenReceiptsEqualTheBlocksLogs() {
        try (RpcChainSource proven = source(true, server.url().toString());
                RpcChainSource plain = source(false, server.url().toString())) {
            int withLogs = 0;
            for (long n = 1; n <= chain.head(); n++) {
                BlockHeader h = proven.header(n).orElseThrow();
                assertTrue(h.receiptsRoot().isPresent(), "the devchain's headers carry a receiptsRoot");
                List<Log> logs = proven.blockLogs(h, TOKENS);
                assertEquals(plain.blockLogs(h, TOKENS), logs, "block " + n);
                assertEquals(canonical(n, n), logs);
                if (!logs.isEmpty()) withLogs++;
            }
            assertTrue(withLogs > 10, "blocks with logs: " + withLogs);
        }
    }

    @Test
    void aLyingEndpointIsRefusedAndTheCallRetriedOnAnother() {
        try (RpcChainSource onlyLiar = source(true, liar.url());
                RpcChainSource both = source(true, liar.url(), server.url().toString())) {
            BlockHeader h = blockWithLogs(onlyLiar);
            SourceException e = assertThrows(SourceException.class, () -> onlyLiar.blockLogs(h, TOKENS));
            assertTrue(e.getMessage().contains("is not the header's receiptsRoot"), e.getMessage());

            // calls go to either endpoint at random: ask until the liar has been asked (bounded), every answer right
            for (int i = 0; i < 200 && both.endpointMetrics().get(0).errors("bad_answer") == 0; i++) {
                assertEquals(canonical(h.number(), h.number()), both.blockLogs(h, TOKENS));
            }
            assertTrue(both.endpointMetrics().get(0).errors("bad_answer") > 0, both.endpointMetrics().get(0).toString());
            assertEquals(canonical(h.number(), h.number()), both.blockLogs(h, TOKENS));
            // without proofs the same lie passes where no bloom can see it: what receipts_proof is for
            try (RpcChainSource plain = source(false, liar.url())) {
                assertEquals(canonical(h.number(), h.number()), plain.blockLogs(h, TOKENS), "eth_getLogs is not tampered");
            }
        }
    }

    @Test
    void provenRangeReportsEachBlockThatDoesNotProve() {
        long head = chain.head();
        try (RpcChainSource honest = source(false, server.url().toString());
                RpcChainSource lying = source(false, liar.url())) {
            ProvenLogs ok = honest.provenLogs(0, head, TOKENS);
            assertTrue(ok.unproven().isEmpty(), ok.unproven().toString());
            assertEquals(canonical(0, head), ok.proven().logs());
            for (Log l : ok.proven().logs()) assertEquals(l.blockHash(), ok.proven().headers().get(l.blockNumber()).hash());

            ProvenLogs bad = lying.provenLogs(0, 12, TOKENS);
            Set<Long> withAnyLog = new TreeSet<>();
            for (Log l : chain.logs(0, 12)) withAnyLog.add(l.blockNumber());
            assertFalse(withAnyLog.isEmpty());
            assertEquals(withAnyLog, new TreeSet<>(bad.unproven().keySet()), "exactly the blocks the proxy tampered with");
            assertTrue(bad.unproven().values().iterator().next().contains("receiptsRoot"), bad.unproven().toString());
        }
    }

    private BlockHeader blockWithLogs(RpcChainSource s) {
        for (long n = 1; n <= chain.head(); n++) if (!canonical(n, n).isEmpty()) return s.header(n).orElseThrow();
        throw new AssertionError("no block with logs");
    }
}
