package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The query command the demo prints runs as printed: bash parses it, and its SQL runs on a real PostgreSQL. */
class DemoQueryIT {
    @Test
    void thePrintedPsqlCommandRunsAsPrinted() throws Exception {
        // bash stands in for the user's shell; a psql function prints the SQL it was given with -c
        String script = "psql() { while [ $# -gt 0 ]; do if [ \"$1\" = -c ]; then printf '%s' \"$2\"; fi; shift; done; }; "
                + DemoCommand.queryCommand("psql -h 127.0.0.1 -p 5432 -U postgres evm_indexer_demo");
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String sql = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), sql);
        try (Connection c = TestPostgres.connect(TestPostgres.newDatabase()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE demo_transfers (block_number int8, \"from\" bytea, \"to\" bytea, value numeric(78,0))");
            s.execute("INSERT INTO demo_transfers VALUES (7, '\\x01', '\\x02', 5)");
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                assertEquals(7, rs.getLong(1), sql);
            }
        }
    }
}
