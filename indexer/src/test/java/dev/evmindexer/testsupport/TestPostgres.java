package dev.evmindexer.testsupport;

import dev.evmindexer.store.Database;
import dev.evmindexer.store.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.postgresql.Driver;

/**
 * One embedded PostgreSQL per test JVM, started on first use in a temporary directory that is deleted when the
 * JVM exits. Tests isolate themselves by asking for a {@link #newDatabase() fresh database} each.
 */
public final class TestPostgres {

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final long RUN_ID = ProcessHandle.current().pid();
    private static Path dataDir;
    private static EmbeddedPostgresServer server;

    private TestPostgres() {
    }

    /** The running server, started on first call. */
    public static EmbeddedPostgresServer server() {
        LOCK.lock();
        try {
            if (server == null) {
                if (dataDir == null) {
                    dataDir = Files.createTempDirectory("evm-indexer-test-pg");
                    Runtime.getRuntime().addShutdownHook(
                            Thread.ofPlatform().name("test-postgres-cleanup").unstarted(TestPostgres::cleanUp));
                }
                server = EmbeddedPostgresServer.start(dataDir, 0);
            }
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("creating a temporary directory for the test PostgreSQL", e);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Creates an empty database with a name unique to this JVM and returns its JDBC URL. The URL carries the
     * server's generated password ({@code ?password=}), so that test configs and plain connections given only the
     * URL and {@link #user()} authenticate; the indexer redacts URL parameters in its logs.
     */
    public static String newDatabase() {
        String name = "test_" + RUN_ID + "_" + DATABASES.incrementAndGet();
        EmbeddedPostgresServer s = server();
        try (Connection c = connect(withPassword(s.jdbcUrl())); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("creating test database " + name + ": " + e.getMessage(), e);
        }
        return withPassword(s.jdbcUrl(name));
    }

    /** {@code url} with the embedded server's password as a parameter. */
    public static String withPassword(String url) {
        return url + (url.contains("?") ? "&" : "?") + "password=" + server().password();
    }

    public static String user() {
        return EmbeddedPostgresServer.USER;
    }

    /** The embedded server's generated password (scram-sha-256 authentication). */
    public static String password() {
        return server().password();
    }

    /** A small pool on {@code url} that gives up after 30 s if the server is away. */
    public static Database open(String url) throws SQLException {
        return Database.open(url, user(), password(), 4, "indexer-test", Duration.ofSeconds(30));
    }

    /** A plain connection (no pool) as the test user. */
    public static Connection connect(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user());
        props.setProperty("password", password());
        return new Driver().connect(url, props);
    }

    /** Stops the server and starts it again on the same data directory and port: "the database went away". */
    public static void restartServer() {
        restartServer(java.time.Duration.ZERO);
    }

    /** Like {@link #restartServer()}, with the server down for {@code downtime} in between. */
    public static void restartServer(java.time.Duration downtime) {
        LOCK.lock();
        try {
            server().close();
            server = null;
            try {
                Thread.sleep(downtime.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server();
        } finally {
            LOCK.unlock();
        }
    }

    private static void cleanUp() {
        LOCK.lock();
        try {
            if (server != null) {
                server.close();
                server = null;
            }
            if (dataDir != null) {
                try (Stream<Path> walk = Files.walk(dataDir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("could not delete the test PostgreSQL directory " + dataDir + ": " + e);
        } finally {
            LOCK.unlock();
        }
    }
}
