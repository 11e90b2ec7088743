package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.eth.Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's workflows on the embedded default, as a user runs them: {@code run} as a process with no database
 * configured, started from another directory than the config's, and every other command as its own process beside
 * it. Each command shares the daemon's embedded server and exits 0; the daemon keeps running and indexing.
 */
class EmbeddedDefaultIT {
    private static final long CHAIN_ID = 1337;

    @TempDir
    Path dir;

    @Test
    void everyCommandRunsBesideTheDaemonOnItsEmbeddedServer() throws Exception {
        // under root the server runs as nobody, who must be able to reach the data directory
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path project = Files.createDirectories(dir.resolve("project"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        DevChain chain = new DevChain(CHAIN_ID, 12);
        chain.pregenerate(300, 3, new Random(13));
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0))) {
            Path cfg = project.resolve("indexer.yaml");
            Files.writeString(cfg, """
                    chains:
                      - name: dev
                        chain_id: %d
                        rpc:
                          - url: %s
                        finality: finalized
                        poll_interval: 100ms
                    sources:
                      - name: tokens
                        chain: dev
                        addresses: [%s]
                        events:
                          - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                            table: transfers
                    ops: {port: 0}
                    """.formatted(CHAIN_ID, server.url(),
                    String.join(", ", DevChain.TOKENS.stream().map(Address::hex).toList())));
            Process run = launch(elsewhere, "run", "run", "--config", cfg.toString());
            try {
                Path data = project.resolve(".indexer/pgdata");
                awaitTip(run, data, chain.head());
                assertFalse(Files.exists(elsewhere.resolve(".indexer")), "the data is beside the config, not in the"
                        + " working directory");

                String status = command(elsewhere, run, "status", "--config", cfg.toString());
                assertTrue(status.contains("chain dev (id " + CHAIN_ID + ")"), status);
                command(elsewhere, run, "migrate", "--config", cfg.toString());
                command(elsewhere, run, "backfill", "--config", cfg.toString(), "--from", "0", "--to", "200");
                command(elsewhere, run, "verify", "--config", cfg.toString(), "--from", "0", "--to", "250");
                String rollback = command(elsewhere, run, "rollback", "--config", cfg.toString(), "--chain", "dev",
                        "--to", "250", "--force");
                assertTrue(rollback.contains("250"), rollback);

                for (int i = 0; i < 20; i++) chain.mineRandom(new Random(i));
                awaitTip(run, data, chain.head()); // the daemon re-indexed what the rollback removed, and goes on
                DevChainTables.assertEqualsChain(url(data), "postgres", chain);
                assertTrue(run.isAlive(), "the daemon still runs; see " + log("run"));
            } finally {
                run.destroy(); // SIGTERM
                assertTrue(run.waitFor(60, TimeUnit.SECONDS), "run stops on SIGTERM");
            }
            assertEquals(0, run.exitValue(), "see " + log("run"));
            Path data = project.resolve(".indexer/pgdata");
            assertThrows(SQLException.class, () -> DriverManager.getConnection(url(data), "postgres", null).close(),
                    "the daemon, which started the server, stopped it");
        }
    }

    /** Runs a command as its own process from {@code cwd}; it must exit 0 while {@code run} stays up. */
    private String command(Path cwd, Process run, String... args) throws Exception {
        Process p = launch(cwd, args[0], args);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), args[0] + " finishes; see " + log(args[0]));
        String output = Files.readString(log(args[0]));
        assertEquals(0, p.exitValue(), args[0] + " exits 0:\n" + output);
        assertTrue(output.contains("is run by another process"), args[0] + " used the daemon's server:\n" + output);
        assertTrue(run.isAlive(), "run still runs after " + args[0] + "; see " + log("run"));
        return output;
    }

    private Process launch(Path cwd, String name, String... args) throws Exception {
        Path jar = Path.of(System.getProperty("indexer.jar", "target/indexer.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before integration tests: " + jar);
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log(name).toFile());
        builder.environment().remove(Wiring.DATA_DIR_ENV);
        builder.environment().remove("DATABASE_URL");
        return builder.start();
    }

    private Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** The embedded server's URL, with the password the daemon generated (read as an operator would). */
    private static String url(Path data) throws Exception {
        String port = Files.readString(data.resolve("port")).strip();
        String password = Files.readString(data.resolve("password")).strip();
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?password=" + password;
    }

    /** Waits (bounded) until the daemon's stored tip is {@code head}. */
    private void awaitTip(Process run, Path data, long head) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            assertTrue(run.isAlive(), "run died; see " + log("run"));
            try (Connection c = DriverManager.getConnection(url(data), "postgres", null);
                    ResultSet rs = c.createStatement().executeQuery(
                            "SELECT coalesce(max(block_number), -1) FROM indexer.headers")) {
                rs.next();
                if (rs.getLong(1) >= head) return;
            } catch (java.io.IOException | SQLException notYet) {
                // the server or the schema is not there yet
            }
            assertTrue(System.nanoTime() < deadline, "the daemon did not reach #" + head + "; see " + log("run"));
            Thread.sleep(200);
        }
    }
}
