package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.Driver;

/**
 * The embedded server against real PostgreSQL processes. Each test uses the JUnit temporary directory itself
 * as the data directory: when the tests run as root the server runs as {@code nobody}, and JUnit's temporary
 * directory (mode 700, owned by root) can only be handed over, not traversed.
 */
class EmbeddedPostgresServerIT {

    @TempDir
    Path dataDir;

    @Test
    void startsAcceptsConnectionsAndKeepsDataAcrossRestarts() throws Exception {
        int port;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            port = server.port();
            assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/postgres", server.jdbcUrl());
            assertEquals("postgres", server.user());
            assertEquals("psql -h 127.0.0.1 -p " + port + " -U postgres postgres", server.psqlCommand());
            assertEquals(Integer.toString(port), Files.readString(dataDir.resolve("port")).strip());
            try (Connection c = connect(server); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('across restarts')");
                assertEquals("17", queryOne(s, "SELECT current_setting('server_version_num')::int / 10000").toString());
                assertEquals(dataDir.resolve("cluster").toString(), queryOne(s, "SHOW data_directory"));
            }
        }
        assertThrows(SQLException.class, () -> connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres"),
                "the server must be down after close()");

        try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(dataDir, 0)) {
            assertEquals(port, again.port(), "the stored port is reused");
            try (Connection c = connect(again); Statement s = c.createStatement()) {
                assertEquals("across restarts", queryOne(s, "SELECT v FROM kept"));
            }
        }
    }

    @Test
    void serverRunsAsUnprivilegedUserEvenWhenTheJvmIsRoot() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
             Connection c = connect(server); Statement s = c.createStatement()) {
            int backendPid = ((Number) queryOne(s, "SELECT pg_backend_pid()")).intValue();
            String owner = Files.getOwner(Path.of("/proc/" + backendPid)).getName();
            String expected = EmbeddedPgRunner.isRoot() ? "nobody" : System.getProperty("user.name");
            assertEquals(expected, owner, "OS user of the PostgreSQL backend process");
            assertNotEquals("root", owner);
        }
    }

    @Test
    void recoversWhenTheOwningJvmWasKilledAndLeftItsServerRunning() throws Exception {
        Process child = new ProcessBuilder(javaExecutable(), "-cp", System.getProperty("java.class.path"),
                EmbeddedPostgresChild.class.getName(), dataDir.toString())
                .redirectErrorStream(true).start();
        int childPort = awaitReady(child);
        long orphanPid = EmbeddedPgPidFile.readPid(dataDir.resolve("cluster/postmaster.pid")).orElseThrow();

        child.destroyForcibly(); // SIGKILL: no shutdown hook runs
        child.waitFor();
        assertTrue(EmbeddedPgPidFile.isRunningPostgres(orphanPid), "the killed JVM's server must still be running");

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
             Connection c = connect(server); Statement s = c.createStatement()) {
            assertEquals(childPort, server.port());
            assertEquals(42, ((Number) queryOne(s, "SELECT x FROM written_by_child")).intValue());
            long newPid = EmbeddedPgPidFile.readPid(dataDir.resolve("cluster/postmaster.pid")).orElseThrow();
            assertNotEquals(orphanPid, newPid, "the orphan was stopped and a new postmaster started");
            assertFalse(EmbeddedPgPidFile.isRunningPostgres(orphanPid), "the orphan is gone");
        }
    }

    @Test
    void startsDespiteAStalePidFileNamingADeadProcess() throws Exception {
        EmbeddedPostgresServer.start(dataDir, 0).close();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path pidFile = dataDir.resolve("cluster/postmaster.pid");
        Files.writeString(pidFile, gone.pid() + "\n" + dataDir.resolve("cluster") + "\n");

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
             Connection c = connect(server); Statement s = c.createStatement()) {
            assertEquals(1, ((Number) queryOne(s, "SELECT 1")).intValue());
        }
    }

    @Test
    void refusesASecondServerOnTheSameDirectory() {
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dataDir, 0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EmbeddedPostgresServer.start(dataDir, 0));
            assertTrue(e.getMessage().contains("already in use"), e.getMessage());
        }
    }

    @Test
    void movesToAFreePortWhenTheStoredOneIsTaken() throws Exception {
        int firstPort;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            firstPort = server.port();
        }
        try (ServerSocket squatter = new ServerSocket(firstPort, 1, InetAddress.getLoopbackAddress());
             EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
             Connection c = connect(server); Statement s = c.createStatement()) {
            assertNotEquals(firstPort, server.port());
            assertEquals(Integer.toString(server.port()), Files.readString(dataDir.resolve("port")).strip());
            assertEquals(1, ((Number) queryOne(s, "SELECT 1")).intValue());
        }
    }

    @Test
    void asRootRefusesADataDirectoryTheServerUserCannotReach() throws IOException {
        assumeTrue(EmbeddedPgRunner.isRoot(), "only root hands the server to another user");
        Path hidden = Files.createDirectory(dataDir.resolve("private"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddedPostgresServer.start(hidden.resolve("pgdata"), 0));
        assertTrue(e.getMessage().contains(hidden + " is not searchable by other users"), e.getMessage());
    }

    private static int awaitReady(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("READY ")) {
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> { })); // keep draining
                return Integer.parseInt(line.substring("READY ".length()).strip());
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("child JVM exited before starting its server:\n" + seen);
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    static Connection connect(EmbeddedPostgresServer server) throws SQLException {
        return connect(server.jdbcUrl());
    }

    static Connection connect(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        return new Driver().connect(url, props);
    }

    private static Object queryOne(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), "no row from " + sql);
            return rs.getObject(1);
        }
    }
}
