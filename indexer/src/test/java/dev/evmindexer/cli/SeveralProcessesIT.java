package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.devchain.ProviderLimits;
import dev.evmindexer.testsupport.FaultProxy;
import dev.evmindexer.testsupport.TcpProxy;
import dev.evmindexer.testsupport.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several OS processes on one PostgreSQL (README, "Running on several machines"): backfills that share claimed
 * units, a worker killed with its claims, and `run` processes where a standby takes over from a leader killed with
 * SIGKILL or cut off from the database.
 */
class SeveralProcessesIT {
    @TempDir
    Path dir;

    private final String user = TestPostgres.user();
    private final Path jar = Path.of(System.getProperty("indexer.jar", "target/indexer.jar"));

    @Test
    void threeBackfillProcessesShareOneRangeAndFetchEachBlockOnce() throws Exception {
        DevChain chain = new DevChain(1337, 0);
        chain.pregenerate(12_000, 10, new Random(5));
        ProviderLimits slow = ProviderLimits.NONE.withLatency(Duration.ofMillis(100), Duration.ofNanos(20_000));
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0), slow);
                FaultProxy proxy = FaultProxy.start(server.url())) {
            String url = TestPostgres.newDatabase();
            // units of 250 blocks, so the range has 48 of them to share, and two fetchers a process
            Path cfg = DevChainTables.config(dir, url, user, proxy.url(), "        max_block_range: 250\n    max_fetchers: 2\n");
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < 3; i++) workers.add(launch(cfg, "worker-" + i, "backfill", "--from", "0", "--to", "" + chain.head()));
            List<Long> shares = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                assertEquals(0, workers.get(i).waitFor(), "worker " + i + " exits 0; see " + log("worker-" + i));
                shares.add(blocksWritten(log("worker-" + i)));
            }
            DevChainTables.assertEqualsChain(url, user, chain);

            List<long[]> calls = new ArrayList<>(proxy.getLogsRanges());
            calls.sort(Comparator.comparingLong(r -> r[0]));
            for (int i = 1; i < calls.size(); i++) {
                assertTrue(calls.get(i)[0] > calls.get(i - 1)[1], "blocks fetched twice: [" + calls.get(i - 1)[0] + ", "
                        + calls.get(i - 1)[1] + "] and [" + calls.get(i)[0] + ", " + calls.get(i)[1] + "]; warnings:\n"
                        + warnings("worker-0") + warnings("worker-1") + warnings("worker-2"));
            }
            assertEquals(chain.head() + 1, calls.stream().mapToLong(r -> r[1] - r[0] + 1).sum(), "every block fetched once");
            assertEquals(chain.head() + 1, shares.stream().mapToLong(Long::longValue).sum(), "shares: " + shares);
            assertTrue(shares.stream().allMatch(s -> s > 0), "each process did a share of the blocks: " + shares);
            System.out.println("three workers, blocks written each: " + shares + " of " + (chain.head() + 1));
        }
    }

    @Test
    void theUnitsOfAWorkerKilledWithItsClaimsAreDoneByAnother() throws Exception {
        DevChain chain = new DevChain(1337, 0);
        chain.pregenerate(8_000, 10, new Random(6));
        ProviderLimits slow = ProviderLimits.NONE.withLatency(Duration.ofMillis(150), Duration.ofNanos(20_000));
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0), slow)) {
            String url = TestPostgres.newDatabase();
            Path cfg = DevChainTables.config(dir, url, user, server.url().toString(), "        max_block_range: 500\n");
            Process doomed = launch(cfg, "doomed", "backfill", "--from", "0", "--to", "" + chain.head());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count(url, "SELECT count(*) FROM transfers") == 0 || count(url, "SELECT count(*) FROM indexer.range_claims") == 0) {
                assertTrue(doomed.isAlive() && System.nanoTime() < deadline, "the worker claimed and wrote; see " + log("doomed"));
                Thread.sleep(50);
            }
            doomed.destroyForcibly(); // SIGKILL, holding its claims
            doomed.waitFor();
            long left = count(url, "SELECT count(*) FROM indexer.range_claims");
            assertTrue(left > 0, "the dead worker's claims outlive it until they expire");

            Process heir = launch(cfg, "heir", "backfill", "--from", "0", "--to", "" + chain.head());
            assertEquals(0, heir.waitFor(), "see " + log("heir"));
            assertTrue(blocksWritten(log("heir")) > 0);
            DevChainTables.assertEqualsChain(url, user, chain);
            assertEquals(0, count(url, "SELECT count(*) FROM indexer.range_claims"), "no claim left behind");
        }
    }

    @Test
    void aStandbyTakesOverFromALeaderKilledOrCutOffAndTheTableStaysExact() throws Exception {
        DevChain chain = new DevChain(1337, 0);
        Random random = new Random(7);
        chain.pregenerate(200, 5, random);
        String url = TestPostgres.newDatabase();
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0));
                TcpProxy link = TcpProxy.start(host(url), port(url))) {
            String viaLink = url.replaceFirst("//[^/]+/", "//127.0.0.1:" + link.port() + "/");
            Path direct = withOpsOnAnyPort(DevChainTables.config(Files.createDirectories(dir.resolve("direct")), url, user,
                    server.url().toString(), ""));
            Path linked = withOpsOnAnyPort(DevChainTables.config(Files.createDirectories(dir.resolve("linked")), viaLink, user,
                    server.url().toString(), ""));

            Process first = launch(linked, "leader-1", "run");
            awaitGeneration(url, 1, first, "leader-1");
            Process standby = launch(direct, "standby-1", "run");
            awaitLog(log("standby-1"), "standby chain=dev", standby);

            // 1. the leader is cut off from the database (no reset, no FIN): the standby must notice without TCP's help
            for (int i = 0; i < 20; i++) chain.mineRandom(random, 3);
            long cutAt = System.nanoTime();
            link.cut();
            awaitGeneration(url, 2, standby, "standby-1");
            double partitionTakeover = (System.nanoTime() - cutAt) / 1e9;
            for (int i = 0; i < 20; i++) chain.mineRandom(random, 3);
            awaitTableEqualsChain(url, chain);
            link.restore(); // the old leader hears again: it must find itself fenced, and write nothing
            awaitLog(log("leader-1"), "standby chain=dev", first);

            // 2. the new leader is killed; the old one, now a standby, takes over
            long killAt = System.nanoTime();
            standby.destroyForcibly();
            standby.waitFor();
            awaitGeneration(url, 3, first, "leader-1");
            double killTakeover = (System.nanoTime() - killAt) / 1e9;
            for (int i = 0; i < 20; i++) chain.mineRandom(random, 3);
            awaitTableEqualsChain(url, chain);
            first.destroy();
            assertEquals(0, first.waitFor(), "SIGTERM exits 0; see " + log("leader-1"));
            System.out.printf("takeover after a cut connection: %.1fs; after kill -9: %.1fs%n", partitionTakeover, killTakeover);
        }
    }

    /** Two daemons on one host: each serves its ops endpoints on a port of its own. */
    private static Path withOpsOnAnyPort(Path cfg) throws java.io.IOException {
        Files.writeString(cfg, Files.readString(cfg) + "ops:\n  port: 0\n");
        return cfg;
    }

    private void awaitTableEqualsChain(String url, DevChain chain) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                DevChainTables.assertEqualsChain(url, user, chain);
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(200);
            }
        }
    }

    /** Waits (at most 60 s, a liveness bound, not a figure) until the chain's leader generation reaches {@code g}. */
    private void awaitGeneration(String url, long g, Process p, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count(url, "SELECT coalesce(max(leader_generation), 0) FROM indexer.chains") < g) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, name + " leads generation " + g + "; its log:\n" + tail(name));
            Thread.sleep(50);
        }
    }

    private void awaitLog(Path file, String text, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(file) || !Files.readString(file).contains(text)) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "'" + text + "' in " + file + ":\n"
                    + (Files.exists(file) ? Files.readString(file) : ""));
            Thread.sleep(50);
        }
    }

    /** The query's number; 0 while the processes have not created the table it reads yet. */
    private long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, TestPostgres.password());
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            if (List.of("42P01", "42703", "3F000").contains(e.getSQLState())) return 0; // migrations still running
            throw e;
        }
    }

    /** The blocks a backfill says it wrote ("... over N blocks ..."). */
    private static long blocksWritten(Path log) throws Exception {
        Matcher m = Pattern.compile("wrote \\d+ rows over (\\d+) blocks").matcher(Files.readString(log));
        assertTrue(m.find(), "a backfill summary in " + log);
        return Long.parseLong(m.group(1));
    }

    private static String host(String jdbcUrl) {
        return URI.create(jdbcUrl.substring("jdbc:".length())).getHost();
    }

    private static int port(String jdbcUrl) {
        return URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
    }

    private String warnings(String name) throws java.io.IOException {
        return name + ": " + String.join("\n", Files.readAllLines(log(name)).stream()
                .filter(l -> l.contains("WARN") || l.contains("ERROR")).limit(20).toList()) + "\n";
    }

    /** The last lines of a process's log, for failure messages (the directory goes with the test). */
    private String tail(String name) throws java.io.IOException {
        List<String> lines = Files.readAllLines(log(name));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private Path log(String name) {
        return dir.resolve(name + ".log");
    }

    private Process launch(Path cfg, String name, String... args) throws Exception {
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before integration tests: " + jar);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-jar", jar.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--config", cfg.toString()));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log(name).toFile()).start();
    }
}
