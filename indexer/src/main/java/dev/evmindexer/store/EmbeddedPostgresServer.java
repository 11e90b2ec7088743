package dev.evmindexer.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 17 server run from the binaries zonky packages on Maven Central, for running the indexer with
 * nothing installed ({@code run} without a database URL, {@code demo}). It keeps its data in a directory of
 * the caller's choosing between runs and listens on 127.0.0.1 only, for role {@code postgres} with a generated
 * password (scram-sha-256; {@link EmbeddedPgAuth}).
 *
 * <h2>Why not zonky's {@code EmbeddedPostgres} class itself</h2>
 * zonky's {@code EmbeddedPostgres} runs {@code initdb} and {@code pg_ctl} as the JVM's user, which PostgreSQL
 * refuses when that user is root (as in most containers and CI), and its start fails when a server from a
 * killed JVM still holds the data directory. So this class takes zonky's binaries
 * ({@link EmbeddedPgBinaries}) and drives {@code initdb}/{@code pg_ctl} itself ({@link EmbeddedPgRunner},
 * {@link EmbeddedPgCluster}).
 *
 * <h2>Running as root</h2>
 * When the JVM runs as root, {@code initdb} and {@code pg_ctl} run through {@code runuser -u nobody}, the data
 * directory is chowned to {@code nobody} on every start, and every parent directory must be searchable by
 * other users (a data directory under {@code /root} is refused with a message saying so).
 *
 * <h2>Layout of the data directory</h2>
 * <ul>
 *   <li>{@code cluster/}: the PostgreSQL data directory ({@code PGDATA});</li>
 *   <li>{@code password}, {@code pgpass}: the superuser's password, plain and in libpq's format (mode 0600);</li>
 *   <li>{@code port}: the port last used; reused by the next start so {@code psql} commands keep working;</li>
 *   <li>{@code server.log}: the server's log (rotated once past 16 MB);</li>
 *   <li>{@code lock}: held (OS file lock) by the process owning the server, for as long as the server runs.</li>
 * </ul>
 *
 * <h2>Owners and attached processes</h2>
 * {@link #start} makes this process the owner: it takes the lock (refusing a directory another process holds),
 * starts the server and stops it in {@link #close}. {@link #startOrAttach} does the same when the lock is free;
 * when another process holds it, it waits until that owner's server is ready (its {@code postmaster.pid} says
 * {@code ready}) and attaches: it connects to the owner's server, and its {@link #close} leaves the server
 * running. Should the owner exit (stopping its server) or die while an attached process still needs the
 * server, a watcher thread blocked on the lock gets it and starts the server again on the same port: that
 * process is the owner from then on, and its connection pool reconnects as after any database restart.
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
    /** How long an attaching process waits for the lock holder's server to become ready (initdb included). */
    private static final Duration ATTACH_WAIT = Duration.ofMinutes(5);
    private static final Duration ATTACH_POLL = Duration.ofMillis(200);

    private final Path dataDir;
    private final Path cluster;
    private final FileChannel lockChannel;
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Thread shutdownHook;
    private volatile String password;
    private volatile int port;
    private FileLock lock;            // non-null while this process owns the server
    private EmbeddedPgRunner runner;  // set with lock
    private boolean closed;

    private EmbeddedPostgresServer(Path dataDir, FileChannel lockChannel) {
        this.dataDir = dataDir;
        this.cluster = dataDir.resolve("cluster");
        this.lockChannel = lockChannel;
        this.shutdownHook = Thread.ofPlatform().name("embedded-postgres-stop").unstarted(this::close);
    }

    /** Starts (creating it if needed) the server in {@code dataDir}, preferring port {@value #DEFAULT_PORT}. */
    public static EmbeddedPostgresServer start(Path dataDir) {
        return start(dataDir, DEFAULT_PORT);
    }

    /**
     * Starts the server in {@code dataDir} as its owner. The port stored in the directory by an earlier run wins;
     * otherwise {@code preferredPort} (0: any free port); a port that is taken is replaced by a free one and
     * stored. A directory whose lock another process holds is refused.
     */
    public static EmbeddedPostgresServer start(Path dataDir, int preferredPort) {
        if (preferredPort < 0 || preferredPort > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + preferredPort);
        }
        return open(dataDir, server -> {
            FileLock held = tryLock(server.lockChannel, server.dataDir);
            if (held == null) {
                throw new IllegalStateException("embedded PostgreSQL data directory " + server.dataDir
                        + " is in use by another running process (it holds " + server.dataDir.resolve("lock") + ")");
            }
            server.becomeOwner(held, preferredPort);
        });
    }

    /**
     * Uses the server in {@code dataDir}: starts it as owner when no process holds the directory, otherwise
     * attaches to the holder's server (waiting up to 5 minutes for it to become ready).
     */
    public static EmbeddedPostgresServer startOrAttach(Path dataDir) {
        return open(dataDir, server -> {
            long deadline = System.nanoTime() + ATTACH_WAIT.toNanos();
            boolean said = false;
            while (true) {
                FileLock held = tryLock(server.lockChannel, server.dataDir);
                if (held != null) {
                    server.becomeOwner(held, DEFAULT_PORT);
                    return;
                }
                Optional<EmbeddedPgCluster.Running> running = EmbeddedPgCluster.running(server.cluster);
                if (running.isPresent()) {
                    server.attach(running.get());
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("another process holds " + server.dataDir.resolve("lock")
                            + " but no embedded PostgreSQL became ready in " + server.cluster + " within "
                            + ATTACH_WAIT.toMinutes() + " minutes; see " + server.dataDir.resolve("server.log"));
                }
                if (!said) {
                    LOG.info("Waiting for the process holding {} to start its embedded PostgreSQL", server.dataDir);
                    said = true;
                }
                try {
                    Thread.sleep(ATTACH_POLL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the embedded PostgreSQL", e);
                }
            }
        });
    }

    private interface Opening {
        void run(EmbeddedPostgresServer server) throws IOException;
    }

    private static EmbeddedPostgresServer open(Path dataDir, Opening opening) {
        Path dir = dataDir.toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(dir, channel);
            opening.run(server);
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            return server;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("starting the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** With the directory lock held: create the cluster (or move it off trust authentication) and start it. */
    private void becomeOwner(FileLock held, int preferredPort) throws IOException {
        EmbeddedPgRunner pg = EmbeddedPgRunner.forCurrentUser(EmbeddedPgBinaries.installDir());
        boolean exists = EmbeddedPgCluster.exists(cluster);
        boolean trust = exists && EmbeddedPgAuth.trustsLocalUsers(cluster);
        String secret = !exists || trust ? EmbeddedPgAuth.createOrKeepSecret(dataDir, USER)
                : EmbeddedPgAuth.existingSecret(dataDir, USER);
        pg.prepareDataDir(dataDir);
        if (!exists) {
            EmbeddedPgCluster.initdb(pg, dataDir, cluster, USER, dataDir.resolve(EmbeddedPgAuth.PASSWORD_FILE));
            EmbeddedPgAuth.writeHba(cluster);
        }
        EmbeddedPgCluster.stopOrphanOrRemoveStalePid(pg, cluster);
        int started = EmbeddedPgCluster.launch(pg, dataDir, cluster, preferredPort);
        lock = held;
        runner = pg;
        password = secret;
        port = started;
        if (trust) {
            EmbeddedPgAuth.migrateFromTrust(cluster, started, USER, secret);
            LOG.info("Embedded PostgreSQL in {} was made by an earlier version that let every local user connect as"
                    + " superuser (trust); it now takes password (scram-sha-256) connections only, the password"
                    + " is in {} (mode 0600)", cluster, dataDir.resolve(EmbeddedPgAuth.PASSWORD_FILE));
        }
        LOG.info("Embedded PostgreSQL {} running on 127.0.0.1:{} as OS user '{}', data in {}; connect with: {}",
                EmbeddedPgCluster.MAJOR_VERSION, started, pg.osUser(), cluster, psqlCommand());
    }

    private void attach(EmbeddedPgCluster.Running running) {
        password = EmbeddedPgAuth.readSecret(dataDir);
        port = running.port();
        LOG.info("Embedded PostgreSQL in {} is run by another process (postmaster pid {}): using it on 127.0.0.1:{}",
                cluster, running.pid(), port);
        Thread.ofPlatform().daemon().name("embedded-postgres-watch").start(this::takeOverWhenTheOwnerLeaves);
    }

    /** Blocks on the directory lock; once the owner is gone, starts the server here (unless closed meanwhile). */
    private void takeOverWhenTheOwnerLeaves() {
        FileLock held;
        try {
            held = lockChannel.lock();
        } catch (ClosedChannelException closedMeanwhile) { // close() while waiting (AsynchronousCloseException)
            return;
        } catch (IOException e) {
            LOG.warn("Watching the lock of {} failed: {}; if its owner exits, this process loses the database",
                    dataDir, e.getMessage());
            return;
        }
        stateLock.lock();
        try {
            if (closed) {
                return; // close() closes the channel, which releases the lock
            }
            LOG.info("The process that ran the embedded PostgreSQL in {} has exited; this process starts it again"
                    + " and runs it until it exits", dataDir);
            becomeOwner(held, port);
        } catch (IOException | RuntimeException e) {
            LOG.error("Starting the embedded PostgreSQL in {} again failed: {}", dataDir, e.getMessage());
        } finally {
            stateLock.unlock();
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}; connect as {@link #user()} with {@link #password()}. */
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

    /** The superuser's password: pass it to the driver, never to a log. */
    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** True while this process runs the server (it started it, or took it over); false while attached. */
    public boolean owner() {
        stateLock.lock();
        try {
            return lock != null;
        } finally {
            stateLock.unlock();
        }
    }

    /** The libpq password file holding the password, for {@code PGPASSFILE}. */
    public Path passFile() {
        return dataDir.resolve(EmbeddedPgAuth.PGPASS_FILE);
    }

    /** A shell command an operator can paste to look at the data (the password comes from {@link #passFile()}). */
    public String psqlCommand() {
        return psqlCommand(DATABASE);
    }

    /** {@link #psqlCommand()} for another database on this server. */
    public String psqlCommand(String database) {
        return "PGPASSFILE=" + passFile() + " psql -h 127.0.0.1 -p " + port + " -U " + USER + " " + database;
    }

    /**
     * The owner stops the server (fast shutdown: open sessions, attached processes' too, are ended) and releases
     * the directory; an attached process only lets go of it. Idempotent.
     */
    @Override
    public void close() {
        stateLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (lock != null) {
                EmbeddedPgRunner.Result stop = EmbeddedPgCluster.stop(runner, cluster);
                if (stop.ok()) {
                    LOG.info("Embedded PostgreSQL on port {} stopped", port);
                } else {
                    LOG.error("Stopping the embedded PostgreSQL in {} failed (exit {}): {}", cluster,
                            stop.exitCode(), stop.output());
                }
                try {
                    lock.release();
                } catch (IOException e) {
                    LOG.warn("Releasing the lock on {} failed: {}", dataDir, e.getMessage());
                }
            }
            closeQuietly(lockChannel); // also ends a watcher blocked on the lock
            removeShutdownHook();
        } finally {
            stateLock.unlock();
        }
    }

    private void removeShutdownHook() {
        if (Thread.currentThread() == shutdownHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException notRegistered) {
            // the JVM is already running hooks (ours will find the server closed), or open() failed before adding it
        }
    }

    /** The lock, or null when another process holds it. */
    private static FileLock tryLock(FileChannel channel, Path dir) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("embedded PostgreSQL data directory " + dir
                    + " is already in use by a server started in this process");
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
