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
            assertEquals("PGPASSFILE=" + dataDir.resolve("pgpass") + " psql -h 127.0.0.1 -p " + port
                    + " -U postgres postgres", server.psqlCommand());
            assertEquals(Integer.toString(port), Files.readString(dataDir.resolve("port")).strip());
            try (Connection c = connect(server); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('across restarts')");
                assertEquals("17", queryOne(s, "SELECT current_setting('server_version_num')::int / 10000").toString());
                assertEquals(dataDir.resolve("cluster").toString(), queryOne(s, "SHOW data_directory"));
            }
        }
        String password = Files.readString(dataDir.resolve("password")).strip();
        assertThrows(SQLException.class, () -> connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres", password),
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
        Process child = startChild();
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

    @Test
    void aSecondProcessAttachesToTheRunningServerAndItsCloseLeavesTheServerRunning() throws Exception {
        Process owner = startChild();
        try {
            int ownerPort = awaitReady(owner);
            try (EmbeddedPostgresServer attached = EmbeddedPostgresServer.startOrAttach(dataDir)) {
                assertFalse(attached.owner(), "another process runs the server");
                assertEquals(ownerPort, attached.port());
                try (Connection c = connect(attached); Statement s = c.createStatement()) {
                    assertEquals(42, ((Number) queryOne(s, "SELECT x FROM written_by_child")).intValue());
                }
                attached.close();
                try (Connection c = connect(attached); Statement s = c.createStatement()) {
                    assertEquals(42, ((Number) queryOne(s, "SELECT x FROM written_by_child")).intValue(),
                            "the owner's server still runs after the attached process let go");
                }
            }
        } finally {
            owner.destroyForcibly();
            owner.waitFor();
        }
    }

    @Test
    void anAttachedProcessRunsTheServerOnWhenItsOwnerStopsItOrIsKilled() throws Exception {
        for (boolean kill : new boolean[] {false, true}) {
            Process owner = startChild();
            int ownerPort = awaitReady(owner);
            try (EmbeddedPostgresServer attached = EmbeddedPostgresServer.startOrAttach(dataDir)) {
                assertFalse(attached.owner());
                if (kill) {
                    owner.destroyForcibly(); // SIGKILL: the orphaned server is stopped and started again
                } else {
                    owner.destroy(); // SIGTERM: the owner's shutdown hook stops its server
                }
                owner.waitFor();
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (!attached.owner() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(attached.owner(), "the attached process took the server over (kill -9: " + kill + ")");
                assertEquals(ownerPort, attached.port(), "on the same port, so its connection URL stays valid");
                try (Connection c = connect(attached); Statement s = c.createStatement()) {
                    assertEquals(42, ((Number) queryOne(s, "SELECT x FROM written_by_child")).intValue());
                    s.execute("DROP TABLE written_by_child"); // the next child creates it again
                }
                attached.close();
                assertThrows(SQLException.class, () -> connect(attached), "the new owner stops it at close");
            }
        }
    }

    @Test
    void onlyPasswordConnectionsOverLoopbackAndTheSecretFilesArePrivate() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            for (String file : new String[] {"password", "pgpass"}) {
                assertEquals("rw-------", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dataDir.resolve(file))), file);
            }
            assertEquals(server.password(), Files.readString(dataDir.resolve("password")).strip());
            assertEquals("127.0.0.1:*:*:postgres:" + server.password(), Files.readString(server.passFile()).strip());
            assertThrows(SQLException.class, () -> connect(server.jdbcUrl(), null), "no password");
            SQLException wrong = assertThrows(SQLException.class, () -> connect(server.jdbcUrl(), "wrong"));
            assertEquals("28P01", wrong.getSQLState(), wrong.getMessage());
            try (Connection c = connect(server); Statement s = c.createStatement()) {
                assertEquals("127.0.0.1", queryOne(s, "SHOW listen_addresses"));
                assertEquals(0L, ((Number) queryOne(s, "SELECT count(*) FROM pg_hba_file_rules"
                        + " WHERE auth_method NOT IN ('scram-sha-256')")).longValue(), "no trust rule is left");
            }
        }
    }

    @Test
    void aClusterMadeWithTrustByAnEarlierVersionIsMovedToPasswordAuthentication() throws Exception {
        EmbeddedPostgresServer.start(dataDir, 0).close();
        // what earlier versions left: initdb -A trust, no password file
        Files.writeString(dataDir.resolve("cluster/pg_hba.conf"), """
                local   all   all                 trust
                host    all   all   127.0.0.1/32  trust
                host    all   all   ::1/128       trust
                """);
        Files.delete(dataDir.resolve("password"));
        Files.delete(dataDir.resolve("pgpass"));
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            assertEquals(server.password(), Files.readString(dataDir.resolve("password")).strip());
            assertThrows(SQLException.class, () -> connect(server.jdbcUrl(), null), "trust is gone");
            try (Connection c = connect(server); Statement s = c.createStatement()) {
                assertEquals(1, ((Number) queryOne(s, "SELECT 1")).intValue());
            }
            assertFalse(Files.readString(dataDir.resolve("cluster/pg_hba.conf")).contains("trust"));
        }
    }

    private Process startChild() throws IOException {
        return new ProcessBuilder(javaExecutable(), "-cp", System.getProperty("java.class.path"),
                EmbeddedPostgresChild.class.getName(), dataDir.toString())
                .redirectErrorStream(true).start();
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
        return connect(server.jdbcUrl(), server.password());
    }

    static Connection connect(String url, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        if (password != null) {
            props.setProperty("password", password);
        }
        return new Driver().connect(url, props);
    }

    private static Object queryOne(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), "no row from " + sql);
            return rs.getObject(1);
        }
    }
}
