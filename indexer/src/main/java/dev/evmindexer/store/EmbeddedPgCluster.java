package dev.evmindexer.store;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps that bring an embedded cluster up and down, run by the process holding the data directory's lock
 * ({@link EmbeddedPostgresServer}): initdb, recovery from a killed owner, start on a free port, stop. Also reads
 * a running server's {@code postmaster.pid} for processes that attach to it.
 */
final class EmbeddedPgCluster {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPgCluster.class);

    static final String MAJOR_VERSION = "17";
    static final long LOG_ROTATE_BYTES = 16L << 20;
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(5);
    static final Duration PG_CTL_TIMEOUT = Duration.ofMinutes(2);
    private static final int START_ATTEMPTS = 3;

    /** A server found running in a data directory: its postmaster's pid and the port it listens on. */
    record Running(long pid, int port) {
    }

    private EmbeddedPgCluster() {
    }

    /** True when {@code cluster} holds a PostgreSQL data directory of the embedded major version. */
    static boolean exists(Path cluster) throws IOException {
        Path versionFile = cluster.resolve("PG_VERSION");
        if (Files.exists(versionFile)) {
            String version = Files.readString(versionFile, StandardCharsets.US_ASCII).strip();
            if (!version.equals(MAJOR_VERSION)) {
                throw new IllegalStateException("embedded PostgreSQL data directory " + cluster + " was created by"
                        + " PostgreSQL " + version + " but this build embeds PostgreSQL " + MAJOR_VERSION
                        + ": dump it with that version or move the directory away");
            }
            return true;
        }
        if (Files.exists(cluster)) {
            throw new IllegalStateException(cluster + " exists but holds no PostgreSQL data directory (no PG_VERSION):"
                    + " move it away so a new one can be created");
        }
        return false;
    }

    /**
     * Creates the cluster with superuser {@code user}, password authentication (scram-sha-256) and the password
     * in {@code passwordFile}; initdb writes into {@code cluster.initdb/}, renamed when done, so a run killed
     * during initdb is simply redone.
     */
    static void initdb(EmbeddedPgRunner runner, Path dir, Path cluster, String user, Path passwordFile)
            throws IOException {
        Path staging = dir.resolve("cluster.initdb");
        EmbeddedPgBinaries.deleteTree(staging);
        LOG.info("Creating a new PostgreSQL {} data directory in {}", MAJOR_VERSION, cluster);
        EmbeddedPgRunner.Result initdb = runner.run("initdb", List.of("-D", staging.toString(), "-U", user,
                "-A", "scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8", "--locale=C", "--no-instructions"),
                INITDB_TIMEOUT);
        if (!initdb.ok()) {
            throw new IllegalStateException("initdb of " + staging + " failed (exit " + initdb.exitCode() + "): "
                    + initdb.output());
        }
        Files.move(staging, cluster, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * With the directory lock held (so no live owner exists): a {@code postmaster.pid} naming a live
     * {@code postgres} is an orphan of a killed owner and is stopped; one naming no such process is stale and
     * deleted.
     */
    static void stopOrphanOrRemoveStalePid(EmbeddedPgRunner runner, Path cluster) throws IOException {
        Path pidFile = cluster.resolve("postmaster.pid");
        Optional<Long> pid = EmbeddedPgPidFile.readPid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        if (!EmbeddedPgPidFile.isRunningPostgres(pid.get())) {
            LOG.info("Removing stale {} (process {} is gone; the previous run was killed)", pidFile, pid.get());
            Files.deleteIfExists(pidFile);
            return;
        }
        LOG.info("Stopping orphaned PostgreSQL server (pid {}) left running on {} by a killed process", pid.get(),
                cluster);
        for (String mode : List.of("fast", "immediate")) {
            EmbeddedPgRunner.Result stop = runner.run("pg_ctl",
                    List.of("stop", "-D", cluster.toString(), "-m", mode, "-w", "-t", "30"), PG_CTL_TIMEOUT);
            if (stop.ok() || !Files.exists(pidFile)) {
                return;
            }
            LOG.warn("pg_ctl stop -m {} of the orphaned server failed (exit {}): {}", mode, stop.exitCode(),
                    stop.output());
        }
        throw new IllegalStateException("could not stop the orphaned PostgreSQL server (pid " + pid.get()
                + ") running on " + cluster + "; stop it by hand and start again");
    }

    /**
     * Starts the postmaster on 127.0.0.1 only (no Unix socket), moving to a free port if the chosen one turns out
     * to be taken; returns the port, also stored in {@code dir/port} for the next start.
     */
    static int launch(EmbeddedPgRunner runner, Path dir, Path cluster, int preferredPort) throws IOException {
        Path portFile = dir.resolve("port");
        Path logFile = dir.resolve("server.log");
        int port = readPort(portFile).orElse(preferredPort);
        for (int attempt = 1; ; attempt++) {
            if (port == 0 || !isFree(port)) {
                int free = freePort();
                if (port != 0) {
                    LOG.info("Port {} is taken; the embedded PostgreSQL moves to port {}", port, free);
                }
                port = free;
            }
            Files.writeString(portFile, port + "\n", StandardCharsets.US_ASCII);
            rotate(logFile);
            String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
            EmbeddedPgRunner.Result start = runner.run("pg_ctl", List.of("start", "-D", cluster.toString(),
                    "-l", logFile.toString(), "-o", options, "-w", "-t", "60"), PG_CTL_TIMEOUT);
            if (start.ok()) {
                return port;
            }
            if (attempt >= START_ATTEMPTS || isFree(port)) {
                throw new IllegalStateException("pg_ctl start of " + cluster + " on port " + port + " failed (exit "
                        + start.exitCode() + "): " + start.output() + "\nlast lines of " + logFile + ":\n"
                        + tail(logFile, 20));
            }
            LOG.warn("Port {} was taken while the embedded PostgreSQL started; trying another", port);
        }
    }

    /** {@code pg_ctl stop -m fast}: open sessions are ended. */
    static EmbeddedPgRunner.Result stop(EmbeddedPgRunner runner, Path cluster) {
        return runner.run("pg_ctl", List.of("stop", "-D", cluster.toString(), "-m", "fast", "-w", "-t", "60"),
                PG_CTL_TIMEOUT);
    }

    /**
     * The server running in {@code cluster} and accepting connections, read from its {@code postmaster.pid}
     * (pid on line 1, port on line 4, status {@code ready} on line 8); empty while none is, or while it starts or
     * stops.
     */
    static Optional<Running> running(Path cluster) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(cluster.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalStateException("cannot read " + e.getFile() + ": the embedded PostgreSQL in "
                    + cluster.getParent() + " belongs to another user; run as that user or configure a database URL");
        }
        if (lines.size() < 8 || !lines.get(7).strip().equals("ready")) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(lines.get(0).strip());
            int port = Integer.parseInt(lines.get(3).strip());
            return EmbeddedPgPidFile.isRunningPostgres(pid) ? Optional.of(new Running(pid, port)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Integer> readPort(Path portFile) throws IOException {
        if (!Files.exists(portFile)) {
            return Optional.empty();
        }
        String text = Files.readString(portFile, StandardCharsets.US_ASCII).strip();
        try {
            int port = Integer.parseInt(text);
            return port > 0 && port <= 65535 ? Optional.of(port) : Optional.empty();
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring {}: '{}' is not a port number", portFile, text);
            return Optional.empty();
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void rotate(Path logFile) throws IOException {
        if (Files.exists(logFile) && Files.size(logFile) > LOG_ROTATE_BYTES) {
            Files.move(logFile, logFile.resolveSibling(logFile.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
