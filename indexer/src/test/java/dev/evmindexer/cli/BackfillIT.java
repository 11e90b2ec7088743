package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.testsupport.Anvil;
import dev.evmindexer.testsupport.TestPostgres;
import dev.evmindexer.testsupport.TestTokenContract;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backfills: overlapping and concurrent ones, a kill -9 in the middle of COPYs, and a source added later. */
class BackfillIT {
    @TempDir
    Path dir;

    private final String user = TestPostgres.user();

    @Test
    void overlappingConcurrentBackfillsGiveTheSameRowsAsOnePass() throws Exception {
        try (Anvil anvil = Anvil.start()) {
            TestTokenContract token = TestTokenContract.deploy(anvil);
            var acc = anvil.accounts();
            for (int i = 0; i < 60; i++) {
                token.batch(token.deployer(), List.of(acc.get(1), acc.get(2), acc.get(3)),
                        List.of(BigInteger.valueOf(i), BigInteger.TEN, BigInteger.TWO.pow(100)));
                anvil.mine(2);
            }
            long f = anvil.finalizedNumber();
            String once = TestPostgres.newDatabase();
            Path cfgOnce = Files.createDirectories(dir.resolve("once"));
            ChainCheck.config(cfgOnce, once, user, anvil, token.address(), "finalized");
            assertEquals(0, Main.execute("backfill", "--config", cfgOnce.resolve("indexer.yaml").toString(), "--from", "0",
                    "--to", Long.toString(f)));

            String many = TestPostgres.newDatabase();
            Path cfgMany = Files.createDirectories(dir.resolve("many"));
            String cfg = ChainCheck.config(cfgMany, many, user, anvil, token.address(), "finalized").toString();
            Main.execute("migrate", "--config", cfg); // the concurrent runs below then race on data, not on DDL
            long[][] ranges = {{0, f / 2}, {f / 3, f}, {10, f - 10}, {0, f}};
            ExecutorService pool = Executors.newFixedThreadPool(ranges.length);
            List<Future<Integer>> codes = new ArrayList<>();
            for (long[] r : ranges) {
                codes.add(pool.submit(() -> Main.execute("backfill", "--config", cfg, "--from", Long.toString(r[0]),
                        "--to", Long.toString(r[1]))));
            }
            for (Future<Integer> c : codes) assertEquals(0, c.get());
            pool.shutdown();
            List<String> expected = ChainCheck.dbRows(once, user);
            assertTrue(expected.size() > 100);
            assertEquals(expected, ChainCheck.dbRows(many, user));
            assertEquals(1, count(many, "SELECT count(*) FROM indexer.event_tables WHERE coverage = int8multirange(int8range(0, "
                    + (f + 1) + "))"), "one contiguous coverage range");
        }
    }

    @Test
    void killNineDuringACopyBackfillLeavesNoGapAndNoDuplicate() throws Exception {
        Path jar = Path.of(System.getProperty("indexer.jar", "target/indexer.jar"));
        DevChain chain = new DevChain(1337, 0);
        chain.pregenerate(3_000, 110, new Random(3));
        String url = TestPostgres.newDatabase();
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0))) {
            Path cfg = DevChainTables.config(dir, url, user, server.url().toString(), "        max_block_range: 50\n");
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = List.of(java, "-jar", jar.toAbsolutePath().toString(), "backfill", "--config", cfg.toString(),
                    "--from", "0", "--to", Long.toString(chain.head()));
            assertEquals(0, Main.execute("migrate", "--config", cfg.toString()));
            Random random = new Random();
            Set<Long> rowCountsAtKill = new HashSet<>();
            for (int round = 0; round < 4; round++) {
                long before = count(url, "SELECT count(*) FROM transfers");
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("kill-" + round + ".log").toFile()).start();
                // kill once this run is writing (JVM start-up takes a while under load), at a random moment
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (count(url, "SELECT count(*) FROM transfers") == before && p.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(random.nextInt(600));
                assertTrue(p.isAlive(), "backfill finished before it could be killed; see " + dir.resolve("kill-" + round + ".log"));
                p.destroyForcibly();
                p.waitFor();
                rowCountsAtKill.add(count(url, "SELECT count(*) FROM transfers"));
            }
            assertTrue(rowCountsAtKill.size() >= 2, "kills landed while rows were being written: " + rowCountsAtKill);
            Process finish = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("finish.log").toFile()).start();
            assertEquals(0, finish.waitFor(), "see " + dir.resolve("finish.log"));
        }
        DevChainTables.assertEqualsChain(url, user, chain);
    }

    @Test
    void aSourceAddedLaterIsBackfilledAloneWithoutTouchingTheOthers() throws Exception {
        try (Anvil anvil = Anvil.start()) {
            TestTokenContract a = TestTokenContract.deploy(anvil);
            TestTokenContract b = TestTokenContract.deploy(anvil);
            mintTwentyEach(anvil, a, b);
            anvil.mine(70);
            String url = TestPostgres.newDatabase();
            Path cfg = ChainCheck.config(dir, url, user, anvil, a.address(), "finalized");
            String to = Long.toString(anvil.finalizedNumber());
            assertEquals(0, Main.execute("backfill", "--config", cfg.toString(), "--from", "0", "--to", to));
            String before = snapshot(url, "transfers");
            long outboxBefore = count(url, "SELECT count(*) FROM indexer.outbox");

            addSourceB(cfg, b.address());
            assertEquals(0, Main.execute("backfill", "--config", cfg.toString(), "--from", "0", "--to", to));
            assertEquals(20, count(url, "SELECT count(*) FROM transfers_b"));
            assertEquals(before, snapshot(url, "transfers"), "the first table's rows were not rewritten (same xmin)");
            assertEquals(0, count(url, "SELECT count(*) FROM indexer.outbox WHERE table_name = 'public.transfers' AND id > "
                    + outboxBefore), "no new commit for the first table");
        }
    }

    @Test
    void aSourceAddedWhileTheChainIsAtTheTipCatchesUpAboveFinalityWithoutWaitingForIt() throws Exception {
        try (Anvil anvil = Anvil.start()) {
            TestTokenContract a = TestTokenContract.deploy(anvil);
            TestTokenContract b = TestTokenContract.deploy(anvil);
            mintTwentyEach(anvil, a, b); // one block each: with finality depth 12, the last ones are above F
            String url = TestPostgres.newDatabase();
            Path cfg = ChainCheck.config(dir, url, user, anvil, a.address(), "12");
            try (Wiring w = openWiring(cfg)) {
                Daemon first = RunCommand.start(w);
                try {
                    ChainCheck.awaitInSync(anvil, a.address(), url, user);
                } finally {
                    first.close();
                }
            }
            addSourceB(cfg, b.address());
            long head = anvil.blockNumber();
            long f = head - 12;
            List<String> expected = new ArrayList<>();
            for (var l : anvil.getLogs(b.address(), 0, head)) {
                expected.add(Hex.quantity(l.get("blockNumber").asText()) + "/" + Hex.quantity(l.get("logIndex").asText())
                        + " " + l.get("blockHash").asText());
            }
            assertTrue(expected.stream().anyMatch(r -> Long.parseLong(r.substring(0, r.indexOf('/'))) > f),
                    "some of the new source's logs are above F: " + expected);

            try (Wiring w = openWiring(cfg)) {
                Daemon second = RunCommand.start(w); // no block is mined from here on: F stays put
                try {
                    ChainCheck.await(Duration.ofSeconds(60), () -> rowsOfB(url).equals(expected));
                } catch (AssertionError timedOut) {
                    // the comparison below says what differs
                } finally {
                    second.close();
                }
            }
            assertEquals(expected, rowsOfB(url), "the added table holds every log, also above the finalized block");
            assertEquals(head, anvil.blockNumber());
            assertEquals(head, ChainCheck.tip(url, user));
            assertEquals(1, count(url, "SELECT count(*) FROM indexer.event_tables WHERE table_name = 'transfers_b' "
                    + "AND coverage = int8multirange(int8range(0, " + (head + 1) + "))"), "covered from 0 to the tip");
        }
    }

    /** Twenty mints from each token, alternating, one block each. */
    private static void mintTwentyEach(Anvil anvil, TestTokenContract a, TestTokenContract b) {
        var acc = anvil.accounts();
        for (int i = 0; i < 20; i++) {
            a.mint(acc.get(1), BigInteger.valueOf(i));
            b.mint(acc.get(2), BigInteger.valueOf(i));
        }
    }

    /** Adds a second source, {@code token_b} into {@code transfers_b}, to the config file. */
    private static void addSourceB(Path cfg, Address b) throws Exception {
        Files.writeString(cfg, Files.readString(cfg) + """
                  - name: token_b
                    chain: anvil
                    addresses: [%s]
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers_b
                """.formatted(b.hex()));
    }

    private Wiring openWiring(Path cfg) throws Exception {
        Wiring w = Wiring.load(cfg);
        w.openDatabase("test daemon");
        return w;
    }

    private List<String> rowsOfB(String url) {
        try (Connection c = DriverManager.getConnection(url, user, null); ResultSet rs = c.createStatement().executeQuery(
                "SELECT block_number, log_index, block_hash FROM transfers_b ORDER BY block_number, log_index")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) out.add(rs.getLong(1) + "/" + rs.getLong(2) + " " + Hex.encode(rs.getBytes(3)));
            return out;
        } catch (SQLException e) {
            return List.of(); // not created yet
        }
    }

    /** Rows with their row versions: a rewrite changes xmin even when the values stay the same. */
    private String snapshot(String url, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, null);
                ResultSet rs = c.createStatement().executeQuery("SELECT string_agg(xmin::text || ':' || block_number || ':' "
                        + "|| log_index, ',' ORDER BY block_number, log_index) FROM " + table)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, null); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
