package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.eth.Address;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.FaultProxy.Fault;
import dev.evmindexer.testsupport.TestPostgres;
import dev.evmindexer.testsupport.TestTokenContract;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code receipts_proof: true} (ARCHITECTURE.md, invariant 9): the tip phase takes each block's logs from its receipts,
 * proven against the header's receiptsRoot. On anvil (real receipts and roots) the table ends equal to
 * {@code eth_getLogs}; an endpoint that drops a log from its {@code eth_getBlockReceipts} answers (renumbering the rest,
 * so no position check can see it) is refused, and the block is never committed from it.
 */
class ReceiptsProofIT {
    @TempDir
    Path dir;

    @Test
    void onAnvilATamperedReceiptsAnswerIsNeverCommittedAndTheTableEndsEqualToTheNode() throws Exception {
        String url = TestPostgres.newDatabase();
        String user = TestPostgres.user();
        try (Anvil anvil = Anvil.start(); FaultProxy proxy = FaultProxy.start(java.net.URI.create(anvil.url())).seed(7)) {
            TestTokenContract token = TestTokenContract.deploy(anvil);
            List<Address> accounts = anvil.accounts();
            for (int i = 0; i < 20; i++) transfers(token, accounts, i, anvil, 4); // ranges below anvil's finalized tag
            Path cfg = ChainCheck.config(dir, url, user, anvil, token.address(), "finalized");
            Files.writeString(cfg, Files.readString(cfg)
                    .replace("url: " + anvil.url(), "url: " + proxy.url())
                    .replace("    finality: finalized\n", "    finality: finalized\n    receipts_proof: true\n"));
            Daemon daemon = null;
            try (Wiring w = Wiring.load(cfg)) {
                w.openDatabase("receipts proof test");
                daemon = RunCommand.start(w);
                ChainCheck.awaitInSync(anvil, token.address(), url, user); // range phase and empty tip blocks
                long synced = anvil.blockNumber();

                proxy.rate(Fault.DROPPED_RECEIPT_LOG, 1.0); // the only endpoint now lies about every block with logs
                transfers(token, accounts, 100, anvil, 0);
                long lied = anvil.blockNumber();
                transfers(token, accounts, 101, anvil, 2);
                Daemon d = daemon;
                ChainCheck.await(Duration.ofSeconds(30), () -> proxy.injected(Fault.DROPPED_RECEIPT_LOG) >= 3
                        && d.loops().get(0).status().errors.get() > 0);
                assertTrue(ChainCheck.tip(url, user) < lied, "the block whose receipts were tampered with is not stored");
                assertTrue(ChainCheck.dbRows(url, user).stream().noneMatch(r -> r.startsWith(lied + "/")),
                        "no row of it either");
                assertTrue(ChainCheck.tip(url, user) >= synced);

                proxy.rate(Fault.DROPPED_RECEIPT_LOG, 0);
                ChainCheck.awaitInSync(anvil, token.address(), url, user);
                assertTrue(ChainCheck.dbRows(url, user).stream().anyMatch(r -> r.startsWith(lied + "/")));
            } finally {
                if (daemon != null) daemon.close();
            }
        }
    }

    /**
     * The devchain serves real receipts and roots: through two endpoints, one dropping a log from half its receipts
     * answers, while blocks are mined and reorged at the tip, the table ends equal to the canonical chain.
     */
    @Test
    void onTheDevchainAnEndpointDroppingReceiptLogsIsOutvoted() throws Exception {
        Random random = new Random(11);
        try (DevChainRun run = new DevChainRun(12, 200, 11);
                FaultProxy faulty = FaultProxy.start(run.server.url()).seed(11)) {
            faulty.rate(Fault.DROPPED_RECEIPT_LOG, 0.5);
            run.startDaemon(List.of(
                    Map.of("url", faulty.url(), "timeout", "1s", "weight", "50"),
                    Map.of("url", run.server.url().toString())), Map.of("receipts_proof", "true"));
            run.awaitTipPhase(3, Duration.ofSeconds(60));
            run.grow(40, 8, random, Duration.ofMillis(80));
            run.awaitInSync(Duration.ofSeconds(60));
            assertNull(run.halted(), run.status());
            assertTrue(faulty.injected(Fault.DROPPED_RECEIPT_LOG) > 0, "the fault was injected: " + faulty);
            assertTrue(run.endpointMetrics().get(0).errors("bad_answer") > 0, "the lies were refused as bad answers: "
                    + run.endpointMetrics().get(0));
        }
    }

    private static void transfers(TestTokenContract token, List<Address> accounts, int seq, Anvil anvil, int emptyBlocks) {
        token.batch(token.deployer(), List.of(accounts.get(1), accounts.get(2)),
                List.of(BigInteger.valueOf(seq + 1), BigInteger.valueOf(1000L * (seq + 1))));
        if (emptyBlocks > 0) anvil.mine(emptyBlocks);
    }
}
