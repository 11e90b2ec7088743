package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.LogFilter;
import dev.evmindexer.pipeline.SourceException;
import dev.evmindexer.pipeline.TxData;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.FaultProxy.Fault;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RpcChainSource#txData} against the devchain, whose receipts and full-transaction blocks agree with its logs:
 * one batch per group of blocks, the values read, and an endpoint whose receipts or transactions name other
 * transactions than the logs is refused and the call answered by another.
 */
class TxFetchTest {
    private static final LogFilter TOKENS = new LogFilter(DevChain.TOKENS, List.of(DevChain.TRANSFER_TOPIC));
    private static final TxData.Needs ALL = new TxData.Needs(true, true, true);

    private DevChain chain;
    private DevChainServer server;
    private FaultProxy counter;
    private FaultProxy liar;

    @BeforeEach
    void start() throws Exception {
        chain = new DevChain(DevChain.DEFAULT_CHAIN_ID, 5);
        chain.pregenerate(40, 3, new Random(5));
        server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0));
        counter = FaultProxy.start(server.url());
        liar = FaultProxy.start(server.url()).seed(5);
        liar.rate(Fault.WRONG_TX_HASH, 1.0);
    }

    @AfterEach
    void stop() throws Exception {
        liar.close();
        counter.close();
        server.close();
    }

    private RpcChainSource source(String... urls) {
        List<EndpointSpec> specs = Arrays.stream(urls)
                .map(u -> new EndpointSpec(u, Duration.ofSeconds(5), 50, EndpointSpec.DEFAULT_MAX_BLOCK_RANGE)).toList();
        return RpcChainSource.connect("test", chain.chainId(), specs, true, false, RpcTesting.FAST);
    }

    @Test
    void everyLogGetsItsTransactionReceiptAndBlockFromOneCallPerBlockAndKind() {
        try (RpcChainSource s = source(counter.url())) {
            List<Log> logs = s.rangeLogs(1, chain.head(), TOKENS).logs();
            Set<Long> blocks = logs.stream().map(Log::blockNumber).collect(Collectors.toSet());
            assertTrue(blocks.size() > 10, "blocks with logs: " + blocks.size());
            long before = counter.requests();
            TxData data = s.txData(logs, ALL);
            assertEquals(2L * blocks.size(), counter.requests() - before, "receipts and a full block per block, not per log");
            for (Log l : logs) {
                TxData.Tx tx = data.txs().get(l.txHash());
                byte[] hash = l.txHash().toArray();
                assertArrayEquals(Arrays.copyOfRange(hash, 12, 32), tx.from().toArray(), "the devchain's sender");
                assertEquals(2, tx.type());
                assertEquals(BigInteger.ZERO, tx.value());
                assertArrayEquals(new byte[] {(byte) 0xa9, 0x05, (byte) 0x9c, (byte) 0xbb}, Arrays.copyOf(tx.input(), 4));
                assertEquals(l.blockNumber(), tx.nonce());
                assertEquals(true, tx.status());
                assertEquals(50_000L, tx.gasUsed());
                assertEquals(BigInteger.valueOf(1_000_000_000L), tx.effectiveGasPrice());
                assertEquals(BigInteger.valueOf(1_000_000_000L), data.blocks().get(l.blockHash()).baseFee());
            }
            long receiptsOnly = counter.requests();
            s.txData(logs, new TxData.Needs(true, false, false));
            assertEquals(blocks.size(), counter.requests() - receiptsOnly, "tx_from alone: one eth_getBlockReceipts per block");
            long blockOnly = counter.requests();
            TxData miner = s.txData(logs, new TxData.Needs(false, false, true));
            assertEquals(blocks.size(), counter.requests() - blockOnly, "block fields alone: one eth_getBlockByHash per block");
            assertEquals(Set.of(), miner.txs().keySet());
            for (Log l : logs) assertEquals(BigInteger.valueOf(1_000_000_000L), miner.blocks().get(l.blockHash()).baseFee());
        }
    }

    @Test
    void receiptsOrTransactionsNamingOtherTransactionsAreRefusedAndAskedElsewhere() {
        try (RpcChainSource onlyLiar = source(liar.url()); RpcChainSource both = source(liar.url(), server.url().toString())) {
            List<Log> logs = both.rangeLogs(1, 20, TOKENS).logs();
            for (TxData.Needs needs : List.of(new TxData.Needs(true, false, false), new TxData.Needs(false, true, false))) {
                SourceException e = assertThrows(SourceException.class, () -> onlyLiar.txData(logs, needs));
                assertTrue(e.getMessage().contains("where log#"), e.getMessage());
            }
            TxData right = source(server.url().toString()).txData(logs, ALL);
            // calls go to either endpoint at random: ask until the liar has been asked (bounded), every answer right
            for (int i = 0; i < 200 && both.endpointMetrics().get(0).errors("bad_answer") == 0; i++) {
                assertEquals(right.txs().keySet(), both.txData(logs, ALL).txs().keySet());
            }
            assertTrue(both.endpointMetrics().get(0).errors("bad_answer") > 0, both.endpointMetrics().get(0).toString());
        }
    }
}
