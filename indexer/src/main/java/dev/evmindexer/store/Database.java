package dev.evmindexer.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.evmindexer.pipeline.BackoffPolicy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer's connection pool (HikariCP) to one PostgreSQL database, with the session settings every
 * connection must carry: {@code lock_timeout} {@value #LOCK_TIMEOUT} and {@code statement_timeout}
 * {@value #STATEMENT_TIMEOUT}, so a stuck lock or query surfaces as a retriable error instead of a hang.
 *
 * <p>Connections are in autocommit mode; callers that need a transaction turn it off and commit themselves.
 * {@link #open} waits for a server that is not reachable yet (a database container still starting), checks
 * that it is PostgreSQL {@value #MIN_SERVER_MAJOR} or newer, and only then builds the pool. Once open, the pool
 * never fails for a lost server: borrowing a connection fails with an error that {@link #isConnectionLoss}
 * recognises, and the pool reconnects on its own when the server is back.
 */
public final class Database implements AutoCloseable {
    /** Waiting for the server: 250 ms doubling to 15 s, equal jitter so indexers that lost it do not return in step. */
    static final BackoffPolicy RECONNECT = new BackoffPolicy(Duration.ofMillis(250), Duration.ofSeconds(15));


    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    public static final String LOCK_TIMEOUT = "5s";
    public static final String STATEMENT_TIMEOUT = "60s";
    public static final int MIN_SERVER_MAJOR = 14;
    /** How long borrowing a pooled connection may wait before failing with a (transient) error. */
    public static final Duration BORROW_TIMEOUT = Duration.ofSeconds(10);
    /** TCP connect timeout of the start-up probe, in seconds (pgjdbc's unit). */
    private static final int PROBE_CONNECT_TIMEOUT_SECONDS = 10;

    /**
     * No transaction of ours waits on anything but the database (invariant 5), so a session idle inside one this long
     * has lost its client (a host cut off mid-commit): the server ends it and its row locks, which would otherwise hold
     * up the next leader of the chain, go with it.
     */
    public static final String IDLE_IN_TRANSACTION_TIMEOUT = "15s";

    private static final String SESSION_SETTINGS_SQL =
            "SET lock_timeout = '" + LOCK_TIMEOUT + "'; SET statement_timeout = '" + STATEMENT_TIMEOUT + "'; "
                    + "SET idle_in_transaction_session_timeout = '" + IDLE_IN_TRANSACTION_TIMEOUT + "'";

    private final HikariDataSource pool;
    private final String redactedUrl;
    private final String serverVersion;

    private Database(HikariDataSource pool, String redactedUrl, String serverVersion) {
        this.pool = pool;
        this.redactedUrl = redactedUrl;
        this.serverVersion = serverVersion;
    }

    /** Opens the pool, waiting as long as it takes for the server to become reachable. */
    public static Database open(String jdbcUrl, String user, String password, int poolSize, String applicationName)
            throws SQLException {
        return open(jdbcUrl, user, password, poolSize, applicationName, null);
    }

    /**
     * Opens the pool, waiting at most {@code maxWait} for the server ({@code null}: forever).
     *
     * @param user     role name, or null to use the one in the URL
     * @param password password, or null/empty for none (trust or peer authentication)
     * @throws SQLException the server stayed unreachable for {@code maxWait} (the last connection error, transient
     *                      per {@link #isConnectionLoss}); a permanent error such as a failed login or missing
     *                      database (thrown at once); an interrupt while waiting (interrupt flag restored); or a
     *                      server older than PostgreSQL {@value #MIN_SERVER_MAJOR} ({@link SQLFeatureNotSupportedException})
     */
    public static Database open(String jdbcUrl, String user, String password, int poolSize, String applicationName,
                                Duration maxWait) throws SQLException {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(applicationName, "applicationName");
        if (!PgUrls.isPostgresUrl(jdbcUrl)) {
            throw new IllegalArgumentException("database URL must look like jdbc:postgresql://host:port/database, got "
                    + PgUrls.redact(jdbcUrl));
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("database pool size must be at least 1, got " + poolSize);
        }
        if (maxWait != null && maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
        }
        String redacted = PgUrls.redact(jdbcUrl);
        String version = waitForServer(jdbcUrl, user, password, applicationName, maxWait);
        HikariDataSource pool = new HikariDataSource(poolConfig(jdbcUrl, user, password, poolSize, applicationName));
        LOG.info("Database pool '{}' open: {} connections to {} (PostgreSQL {})",
                pool.getPoolName(), poolSize, redacted, version);
        return new Database(pool, redacted, version);
    }

    /** True when the error means "the database is away, busy or timed out: wait and retry", false for bugs. */
    public static boolean isConnectionLoss(SQLException e) {
        return SqlErrors.isTransient(e);
    }

    public DataSource dataSource() {
        return pool;
    }

    /** The server's {@code server_version} as reported at open, e.g. {@code 17.6}. */
    public String serverVersion() {
        return serverVersion;
    }

    /** The URL with credentials and parameters removed, for log lines. */
    public String redactedUrl() {
        return redactedUrl;
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * Throws unless {@code versionNum} ({@code server_version_num}, e.g. 170006) is PostgreSQL
     * {@value #MIN_SERVER_MAJOR} or newer: multiranges (coverage) arrived in 14.
     */
    static void requireSupportedVersion(int versionNum, String versionText, String hostPort)
            throws SQLFeatureNotSupportedException {
        if (versionNum / 10000 >= MIN_SERVER_MAJOR) {
            return;
        }
        throw new SQLFeatureNotSupportedException("PostgreSQL " + MIN_SERVER_MAJOR
                + " or newer is required (multiranges); server at " + hostPort + " is " + versionText);
    }

    /** Probes until one connection succeeds, checks the version on it and returns {@code server_version}. */
    private static String waitForServer(String jdbcUrl, String user, String password, String applicationName,
                                        Duration maxWait) throws SQLException {
        String redacted = PgUrls.redact(jdbcUrl);
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                return probe(jdbcUrl, user, password, applicationName);
            } catch (SQLException e) {
                if (!isConnectionLoss(e)) {
                    throw e;
                }
                Duration delay = RECONNECT.delay(attempt, ThreadLocalRandom.current());
                if (maxWait != null) {
                    Duration left = maxWait.minusNanos(System.nanoTime() - start);
                    if (left.compareTo(delay) < 0) {
                        throw new SQLException("PostgreSQL at " + redacted + " still not reachable after "
                                + maxWait + " (" + attempt + " attempts): " + e.getMessage(), e.getSQLState(), e);
                    }
                }
                LOG.warn("PostgreSQL at {} not reachable (attempt {}): {} [{}]; retrying in {} ms",
                        redacted, attempt, e.getMessage(), e.getSQLState(), delay.toMillis());
                sleep(delay, redacted);
            }
        }
    }

    private static String probe(String jdbcUrl, String user, String password, String applicationName)
            throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("connectTimeout", Integer.toString(PROBE_CONNECT_TIMEOUT_SECONDS));
        try (Connection c = new Driver().connect(jdbcUrl, props);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT current_setting('server_version_num')::int, current_setting('server_version')")) {
            rs.next();
            int versionNum = rs.getInt(1);
            String versionText = rs.getString(2);
            requireSupportedVersion(versionNum, versionText, PgUrls.hostPort(jdbcUrl));
            return versionText;
        }
    }

    private static HikariConfig poolConfig(String jdbcUrl, String user, String password, int poolSize,
                                           String applicationName) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("db-" + applicationName);
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setAutoCommit(true);
        config.setConnectionTimeout(BORROW_TIMEOUT.toMillis());
        // The server answered a moment ago; should it vanish before the pool fills, the pool must still
        // start and reconnect later rather than fail the whole open.
        config.setInitializationFailTimeout(-1);
        // Init SQL rather than the "options" startup parameter: a URL that sets its own options would
        // silently replace ours, while SET always runs.
        config.setConnectionInitSql(SESSION_SETTINGS_SQL);
        config.addDataSourceProperty("ApplicationName", applicationName);
        config.addDataSourceProperty("tcpKeepAlive", "true");
        return config;
    }

    private static void sleep(Duration delay, String redacted) throws SQLException {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for PostgreSQL at " + redacted, e);
        }
    }
}
