package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.store.EmbeddedPostgresServer;
import dev.evmindexer.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The query command the demo prints runs as printed: bash parses it, its password comes from the {@code PGPASSFILE}
 * it names, and its SQL runs on the real embedded PostgreSQL (with the real {@code psql} too where one is installed).
 */
class DemoQueryIT {
    private static final String DATABASE = "demo_query_it";

    @Test
    void thePrintedPsqlCommandRunsAsPrinted() throws Exception {
        EmbeddedPostgresServer server = TestPostgres.server();
        try (Connection c = TestPostgres.connect(TestPostgres.withPassword(server.jdbcUrl()));
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
            s.execute("CREATE DATABASE " + DATABASE);
        }
        try (Connection c = TestPostgres.connect(server.jdbcUrl(DATABASE)); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE demo_transfers (block_number int8, \"from\" bytea, \"to\" bytea, value numeric(78,0))");
            s.execute("INSERT INTO demo_transfers VALUES (7, '\\x01', '\\x02', 5)");
        }
        String printed = DemoCommand.queryCommand(server.psqlCommand(DATABASE));
        assertTrue(!printed.contains(server.password()), "the printed command holds no password: " + printed);

        // bash stands in for the user's shell; a psql function prints what psql would use: PGPASSFILE, then -p, -U,
        // the database and the SQL, one per line
        String script = "psql() { printf '%s\\n' \"$PGPASSFILE\"; while [ $# -gt 0 ]; do case \"$1\" in"
                + " -p|-U) printf '%s\\n' \"$2\"; shift;; -c) sql=\"$2\"; shift;; -h) shift;; *) printf '%s\\n' \"$1\";;"
                + " esac; shift; done; printf '%s' \"$sql\"; }; " + printed;
        String[] seen = run(script).split("\n", 5);
        String pgpass = Files.readString(Path.of(seen[0])).strip(); // host:port:database:user:password
        assertTrue(pgpass.startsWith("127.0.0.1:*:*:" + seen[2] + ":"), pgpass);
        String password = pgpass.substring(pgpass.lastIndexOf(':') + 1);
        String url = "jdbc:postgresql://127.0.0.1:" + seen[1] + "/" + seen[3];
        try (Connection c = DriverManager.getConnection(url, seen[2], password); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(seen[4])) {
            assertTrue(rs.next(), seen[4]);
            assertEquals(7, rs.getLong(1), seen[4]);
        }

        if (run("command -v psql || true").isBlank()) {
            return; // no psql on this machine: the function above is all we can run
        }
        String out = run(printed);
        assertTrue(out.contains("\\x01") && out.contains("(1 row)"), out);
    }

    private static String run(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
