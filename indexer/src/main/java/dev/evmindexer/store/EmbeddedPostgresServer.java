package dev.evmindexer.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 17 server run from the binaries zonky packages on Maven Central, for running the indexer with
 * nothing installed ({@code run} without a database URL, {@code demo}). It keeps its data in a directory of
 * the caller's choosing between runs and listens on 127.0.0.1 only, with trust authentication for role
 * {@code postgres} (no password).
 *
 * <h2>Why not zonky's {@code EmbeddedPostgres} class itself</h2>
 * zonky's {@code EmbeddedPostgres} runs {@code initdb} and {@code pg_ctl} as the JVM's user, which PostgreSQL
 * refuses when that user is root (as in most containers and CI), and its start fails when a server from a
 * killed JVM still holds the data directory. So this class takes zonky's binaries
 * ({@link EmbeddedPgBinaries}) and drives {@code initdb}/{@code pg_ctl} itself ({@link EmbeddedPgRunner}).
 *
 * <h2>Running as root</h2>
 * When the JVM runs as root, {@code initdb} and {@code pg_ctl} run through {@code runuser -u nobody}, the data
 * directory is chowned to {@code nobody} on every start, and every parent directory must be searchable by
 * other users (a data directory under {@code /root} is refused with a message saying so).
 *
 * <h2>Layout of the data directory</h2>
 * <ul>
 *   <li>{@code cluster/}: the PostgreSQL data directory ({@code PGDATA}), created by initdb into
 *       {@code cluster.initdb/} and renamed, so a run killed during initdb is simply redone;</li>
 *   <li>{@code port}: the port last used; reused by the next start so {@code psql} commands keep working;</li>
 *   <li>{@code server.log}: the server's log (rotated once past {@value #LOG_ROTATE_BYTES} bytes);</li>
 *   <li>{@code lock}: held (OS file lock) by the process owning the server; two processes never share one directory.</li>
 * </ul>
 *
 * <h2>Recovery after {@code kill -9}</h2>
 * A killed JVM cannot stop its server. On the next start, with the directory lock held (so no live owner
 * exists), a {@code cluster/postmaster.pid} naming a live {@code postgres} process is an orphan: it is stopped
 * with {@code pg_ctl stop -m fast} (then {@code -m immediate}) before starting afresh. A pid file naming no
 * process, or a process that is not {@code postgres} (pid reused), is stale and deleted.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    public static final int DEFAULT_PORT = 54329;
    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";
    static final long LOG_ROTATE_BYTES = 16L << 20;
    private static final String MAJOR_VERSION = "17";
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(120);
    private static final int START_ATTEMPTS = 3;

    private final Path dataDir;
    private final Path cluster;
    private final EmbeddedPgRunner runner;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final int port;
    private final ReentrantLock closeLock = new ReentrantLock();
    private final Thread shutdownHook;
    private boolean closed;

    private EmbeddedPostgresServer(Path dataDir, EmbeddedPgRunner runner, FileChannel lockChannel, FileLock lock,
                                   int port) {
        this.dataDir = dataDir;
        this.cluster = dataDir.resolve("cluster");
        this.runner = runner;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.port = port;
        this.shutdownHook = Thread.ofPlatform().name("embedded-postgres-stop").unstarted(this::close);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts (creating it if needed) the server in {@code dataDir}, preferring port {@value #DEFAULT_PORT}. */
    public static EmbeddedPostgresServer start(Path dataDir) {
        return start(dataDir, DEFAULT_PORT);
    }

    /**
     * Starts the server in {@code dataDir}. The port stored in the directory by an earlier run wins; otherwise
     * {@code preferredPort} (0: any free port); a port that is taken is replaced by a free one and stored.
     */
    public static EmbeddedPostgresServer start(Path dataDir, int preferredPort) {
        if (preferredPort < 0 || preferredPort > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + preferredPort);
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel, dir);
            EmbeddedPgRunner runner = EmbeddedPgRunner.forCurrentUser(EmbeddedPgBinaries.installDir());
            runner.prepareDataDir(dir);
            Path cluster = dir.resolve("cluster");
            initdbIfMissing(runner, dir, cluster);
            stopOrphanOrRemoveStalePid(runner, cluster);
            int port = launch(runner, dir, cluster, preferredPort);
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(dir, runner, channel, lock, port);
            LOG.info("Embedded PostgreSQL {} running on 127.0.0.1:{} as OS user '{}', data in {}; connect with: {}",
                    MAJOR_VERSION, port, runner.osUser(), cluster, server.psqlCommand());
            return server;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("starting the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}; connect as {@link #user()} with no password. */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    /** The URL of another database on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return USER;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A shell command an operator can paste to look at the data. */
    public String psqlCommand() {
        return "psql -h 127.0.0.1 -p " + port + " -U " + USER + " " + DATABASE;
    }

    /** Stops the server (fast shutdown: open sessions are ended) and releases the directory; idempotent. */
    @Override
    public void close() {
        closeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            EmbeddedPgRunner.Result stop = runner.run("pg_ctl",
                    List.of("stop", "-D", cluster.toString(), "-m", "fast", "-w", "-t", "60"), PG_CTL_TIMEOUT);
            if (stop.ok()) {
                LOG.info("Embedded PostgreSQL on port {} stopped", port);
            } else {
                LOG.error("Stopping the embedded PostgreSQL in {} failed (exit {}): {}", cluster, stop.exitCode(),
                        stop.output());
            }
            try {
                lock.release();
            } catch (IOException e) {
                LOG.warn("Releasing the lock on {} failed: {}", dataDir, e.getMessage());
            }
            closeQuietly(lockChannel);
            removeShutdownHook();
        } finally {
            closeLock.unlock();
        }
    }

    private void removeShutdownHook() {
        if (Thread.currentThread() == shutdownHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already running hooks; ours will find the server closed
        }
    }

    private static FileLock tryLock(FileChannel channel, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("embedded PostgreSQL data directory " + dir
                    + " is already in use by a server started in this process");
        }
        if (lock == null) {
            throw new IllegalStateException("embedded PostgreSQL data directory " + dir
                    + " is in use by another running process (it holds " + dir.resolve("lock") + ")");
        }
        return lock;
    }

    private static void initdbIfMissing(EmbeddedPgRunner runner, Path dir, Path cluster) throws IOException {
        Path versionFile = cluster.resolve("PG_VERSION");
        if (Files.exists(versionFile)) {
            String version = Files.readString(versionFile, StandardCharsets.US_ASCII).strip();
            if (!version.equals(MAJOR_VERSION)) {
                throw new IllegalStateException("embedded PostgreSQL data directory " + cluster + " was created by"
                        + " PostgreSQL " + version + " but this build embeds PostgreSQL " + MAJOR_VERSION
                        + ": dump it with that version or move the directory away");
            }
            return;
        }
        if (Files.exists(cluster)) {
            throw new IllegalStateException(cluster + " exists but holds no PostgreSQL data directory (no PG_VERSION):"
                    + " move it away so a new one can be created");
        }
        Path staging = dir.resolve("cluster.initdb");
        EmbeddedPgBinaries.deleteTree(staging);
        LOG.info("Creating a new PostgreSQL {} data directory in {}", MAJOR_VERSION, cluster);
        EmbeddedPgRunner.Result initdb = runner.run("initdb", List.of("-D", staging.toString(), "-U", USER,
                "-A", "trust", "-E", "UTF8", "--locale=C", "--no-instructions"), INITDB_TIMEOUT);
        if (!initdb.ok()) {
            throw new IllegalStateException("initdb of " + staging + " failed (exit " + initdb.exitCode() + "): "
                    + initdb.output());
        }
        Files.move(staging, cluster, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void stopOrphanOrRemoveStalePid(EmbeddedPgRunner runner, Path cluster) throws IOException {
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

    /** Starts the postmaster, moving to a free port if the chosen one turns out to be taken; returns the port. */
    private static int launch(EmbeddedPgRunner runner, Path dir, Path cluster, int preferredPort) throws IOException {
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

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a lock file cannot lose data
        }
    }
}
