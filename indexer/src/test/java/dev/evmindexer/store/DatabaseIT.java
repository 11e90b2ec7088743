package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.evmindexer.testsupport.TestPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class DatabaseIT {

    @Test
    void everyPooledConnectionCarriesTheSessionSettings() throws Exception {
        try (Database db = Database.open(TestPostgres.newDatabase(), TestPostgres.user(), TestPostgres.password(),
                3, "indexer-settings-test")) {
            assertTrue(db.serverVersion().startsWith("17."), db.serverVersion());
            // hold all three at once so the check covers every connection the pool made, not one reused
            Connection[] held = new Connection[3];
            try {
                for (int i = 0; i < held.length; i++) {
                    held[i] = db.dataSource().getConnection();
                    try (Statement s = held[i].createStatement()) {
                        assertEquals("5s", show(s, "lock_timeout"));
                        assertEquals("1min", show(s, "statement_timeout"));
                        assertEquals("indexer-settings-test", show(s, "application_name"));
                    }
                    assertTrue(held[i].getAutoCommit(), "connections start in autocommit mode");
                }
            } finally {
                for (Connection c : held) {
                    if (c != null) {
                        c.close();
                    }
                }
            }
        }
    }

    @Test
    void waitsForAServerThatStartsLateAndNeverLogsCredentials(@TempDir Path dataDir) throws Exception {
        int port = freePort();
        Files.writeString(dataDir.resolve("port"), port + "\n"); // the server will come up exactly there
        Files.writeString(dataDir.resolve("password"), "url-secret\n"); // and with this password
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?password=url-secret&ApplicationName=x";
        ListAppender<ILoggingEvent> logs = captureLogs();
        try (ExecutorService background = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Database> opening = background.submit(
                    () -> Database.open(url, "postgres", "arg-secret", 2, "late-start-test", Duration.ofMinutes(2)));
            Thread.sleep(2000);
            assertFalse(opening.isDone(), "open must still be waiting: nothing listens yet");
            try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
                 Database db = opening.get()) {
                assertEquals(port, server.port());
                try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertTrue(rs.next());
                }
            }
        } finally {
            detach(logs);
        }
        List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertFalse(warnings.isEmpty(), "one WARN line per failed attempt");
        for (String w : warnings) {
            assertTrue(w.contains("jdbc:postgresql://127.0.0.1:" + port + "/postgres "), w);
            assertFalse(w.contains("secret") || w.contains("ApplicationName"), "leaks URL parameters: " + w);
        }
    }

    @Test
    void givesUpAfterMaxWaitWithATransientError() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + freePort() + "/postgres";
        SQLException e = assertThrows(SQLException.class,
                () -> Database.open(url, "postgres", "", 1, "gives-up-test", Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("still not reachable after PT1S"), e.getMessage());
        assertTrue(Database.isConnectionLoss(e), "SQLState " + e.getSQLState());
    }

    @Test
    void failsAtOnceOnAPermanentError() {
        String url = TestPostgres.server().jdbcUrl("no_such_database");
        // no maxWait: a retried error would hang here, a permanent one must surface immediately
        SQLException e = assertThrows(SQLException.class,
                () -> Database.open(url, TestPostgres.user(), TestPostgres.password(), 1, "permanent-test"));
        assertEquals("3D000", e.getSQLState());
        assertFalse(Database.isConnectionLoss(e));
    }

    @Test
    void aTerminatedBackendIsConnectionLossAndThePoolRecovers() throws Exception {
        try (Database db = TestPostgres.open(TestPostgres.newDatabase())) {
            try (Connection victim = db.dataSource().getConnection()) {
                int pid;
                try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    pid = rs.getInt(1);
                }
                try (Connection killer = db.dataSource().getConnection(); Statement s = killer.createStatement();
                     ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(" + pid + ")")) {
                    rs.next();
                    assertTrue(rs.getBoolean(1));
                }
                SQLException lost = assertThrows(SQLException.class, () -> {
                    try (Statement s = victim.createStatement()) {
                        s.executeQuery("SELECT 1").close();
                    }
                });
                assertTrue(Database.isConnectionLoss(lost), "SQLState " + lost.getSQLState() + ": " + lost);
            }
            assertEquals(1, selectOne(db));
        }
    }

    @Test
    void timeoutsAreRetriableAndBugsAreNot() throws Exception {
        try (Database db = TestPostgres.open(TestPostgres.newDatabase());
             Connection holder = db.dataSource().getConnection();
             Connection waiter = db.dataSource().getConnection();
             Statement h = holder.createStatement();
             Statement w = waiter.createStatement()) {
            h.execute("CREATE TABLE contended (x int)");
            holder.setAutoCommit(false);
            h.execute("LOCK TABLE contended IN ACCESS EXCLUSIVE MODE");
            w.execute("SET lock_timeout = '50ms'");
            SQLException lockTimeout = assertThrows(SQLException.class, () -> w.execute("SELECT * FROM contended"));
            assertEquals("55P03", lockTimeout.getSQLState());
            assertTrue(Database.isConnectionLoss(lockTimeout));
            holder.rollback();

            w.execute("SET statement_timeout = '50ms'");
            SQLException statementTimeout = assertThrows(SQLException.class, () -> w.execute("SELECT pg_sleep(5)"));
            assertEquals("57014", statementTimeout.getSQLState());
            assertTrue(Database.isConnectionLoss(statementTimeout));

            SQLException bug = assertThrows(SQLException.class, () -> w.execute("SELEC 1"));
            assertEquals("42601", bug.getSQLState());
            assertFalse(Database.isConnectionLoss(bug));
        }
    }

    @Test
    void survivesTheServerRestartingUnderneath() throws Exception {
        try (Database db = TestPostgres.open(TestPostgres.newDatabase())) {
            assertEquals(1, selectOne(db));
            TestPostgres.restartServer();
            // connections pooled before the restart are dead: each use may fail once, always as connection loss
            Integer answer = null;
            for (int attempt = 0; attempt < 10 && answer == null; attempt++) {
                try {
                    answer = selectOne(db);
                } catch (SQLException e) {
                    assertTrue(Database.isConnectionLoss(e), "SQLState " + e.getSQLState() + ": " + e);
                }
            }
            assertNotNull(answer, "the pool must reconnect after the restart");
            assertEquals(1, answer);
        }
    }

    private static int selectOne(Database db) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String show(Statement s, String setting) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(Database.class)).addAppender(appender);
        return appender;
    }

    private static void detach(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(Database.class)).detachAppender(appender);
    }
}
