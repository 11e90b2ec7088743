package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Address;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.TestPostgres;
import dev.evmindexer.testsupport.TestTokenContract;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a separate process, killed with SIGKILL at random moments while the chain grows and
 * reorgs, restarted each time. At the end no row may be missing, duplicated, or from an orphaned block.
 */
class CrashIT {
    private static final int KILLS = 12;

    @TempDir
    Path dir;

    @Test
    void killNineAtRandomMomentsLosesAndDuplicatesNothing() throws Exception {
        Path jar = Path.of(System.getProperty("indexer.jar", "target/indexer.jar"));
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before integration tests: " + jar);
        Random random = new Random(Long.getLong("crash.seed", System.nanoTime()));
        String user = TestPostgres.user();
        String url = TestPostgres.newDatabase();
        try (Anvil anvil = Anvil.start()) {
            TestTokenContract token = TestTokenContract.deploy(anvil);
            List<Address> acc = anvil.accounts();
            for (int i = 0; i < 40; i++) {
                token.batch(token.deployer(), List.of(acc.get(1), acc.get(2)), List.of(BigInteger.valueOf(i), BigInteger.TEN));
                anvil.mine(3);
            }
            Path cfg = ChainCheck.config(dir, url, user, anvil, token.address(), "8");
            int kills = 0;
            java.util.Set<Long> tipsAtKill = new java.util.HashSet<>();
            int[] n = {0};
            for (int round = 0; round < KILLS; round++) {
                long tipBefore = ChainCheck.tip(url, user);
                Process daemon = launch(jar, cfg, round);
                if (round % 2 == 0) {
                    // every other round is killed only after it committed something: on a slow machine the JVM's
                    // start alone can outlast the random window, and then no round would be killed mid-write
                    long limit = System.currentTimeMillis() + 60_000;
                    while (ChainCheck.tip(url, user) <= tipBefore) {
                        assertTrue(System.currentTimeMillis() < limit && daemon.isAlive(),
                                "no progress within 60 s in round " + round + "; see " + log(round));
                        traffic(token, anvil, acc, random, round, n);
                    }
                }
                long deadline = System.currentTimeMillis() + 300 + random.nextInt(2_500);
                while (System.currentTimeMillis() < deadline) traffic(token, anvil, acc, random, round, n);
                assertTrue(daemon.isAlive(), "daemon died on its own in round " + round + "; see " + log(round));
                daemon.destroyForcibly(); // SIGKILL
                daemon.waitFor();
                kills++;
                tipsAtKill.add(ChainCheck.tip(url, user));
            }
            assertTrue(kills >= 10);
            assertTrue(tipsAtKill.size() >= 3, "the daemon was killed while making progress, tips seen: " + tipsAtKill);
            Process last = launch(jar, cfg, KILLS);
            try {
                token.mint(acc.get(7), BigInteger.valueOf(99)); // only the last daemon can index this one
                ChainCheck.awaitInSync(anvil, token.address(), url, user);
            } finally {
                last.destroy(); // SIGTERM: a clean stop
                assertEquals(0, last.waitFor(), "SIGTERM exits 0; see " + log(KILLS));
            }
            try (Connection c = DriverManager.getConnection(url, user, null);
                    ResultSet rs = c.createStatement().executeQuery("SELECT count(*), count(DISTINCT (t.block_number, t.log_index)), "
                            + "count(*) FILTER (WHERE h.block_hash IS NOT NULL AND h.block_hash <> t.block_hash) "
                            + "FROM transfers t LEFT JOIN indexer.headers h ON h.chain_id = 31337 AND h.block_number = t.block_number")) {
                rs.next();
                assertEquals(rs.getLong(1), rs.getLong(2), "no duplicates");
                assertEquals(0, rs.getLong(3), "no row from an orphaned block");
            }
        }
    }

    /** A block of transfers, sometimes a reorg replacing the top blocks by empty ones (their rows must go). */
    private static void traffic(TestTokenContract token, Anvil anvil, List<Address> acc, Random random, int round, int[] n)
            throws InterruptedException {
        token.batch(token.deployer(), List.of(acc.get(3), acc.get(4), acc.get(5)),
                List.of(BigInteger.valueOf(round), BigInteger.valueOf(n[0]++), BigInteger.ONE));
        if (random.nextInt(4) == 0) anvil.reorg(1 + random.nextInt(4), List.of());
        Thread.sleep(random.nextInt(150));
    }

    private Path log(int round) {
        return dir.resolve("daemon-" + round + ".log");
    }

    private Process launch(Path jar, Path cfg, int round) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "run", "--config", cfg.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log(round).toFile())
                .start();
    }
}
