package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.TestPostgres;
import dev.evmindexer.testsupport.TestTokenContract;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database goes away (a server restart) while the daemon runs: it waits, retries, and ends equal to the chain. */
class DatabaseOutageIT {
    @TempDir
    Path dir;

    @Test
    void aServerRestartIsWaitedOutNotAReasonToExit() throws Exception {
        String user = TestPostgres.user();
        String url = TestPostgres.newDatabase();
        try (Anvil anvil = Anvil.start()) {
            TestTokenContract token = TestTokenContract.deploy(anvil);
            var acc = anvil.accounts();
            for (int i = 0; i < 10; i++) token.batch(token.deployer(), List.of(acc.get(1), acc.get(2)), List.of(BigInteger.ONE, BigInteger.TWO));
            Wiring w = Wiring.load(ChainCheck.config(dir, url, user, anvil, token.address(), "4"));
            w.openDatabase("outage test");
            Daemon daemon = RunCommand.start(w);
            try {
                ChainCheck.awaitInSync(anvil, token.address(), url, user);
                for (int i = 0; i < 5; i++) token.transfer(acc.get(1), acc.get(3), BigInteger.valueOf(i));
                // down for longer than the pool's borrow timeout (10 s): steps fail and must be retried
                TestPostgres.restartServer(java.time.Duration.ofSeconds(12));
                for (int i = 0; i < 5; i++) token.transfer(acc.get(1), acc.get(3), BigInteger.valueOf(i));
                anvil.reorg(3, List.of());
                ChainCheck.awaitInSync(anvil, token.address(), url, user);
                var status = daemon.loops().get(0).status();
                assertTrue(status.errors.get() > 0, "the outage made steps fail, and the loop went on");
            } finally {
                daemon.requestStop();
                daemon.close();
                w.close();
            }
        }
    }
}
