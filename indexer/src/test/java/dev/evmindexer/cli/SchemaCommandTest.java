package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code schema} touches no node and no database: their environment variables need not be set. */
class SchemaCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsTheDdlWithoutTheRpcAndDatabaseVariablesButNeedsTheOnesTheDdlUses() throws Exception {
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, """
                database:
                  url: ${EVMI_TEST_UNSET_DATABASE_URL}
                  password: ${EVMI_TEST_UNSET_PASSWORD}
                  schema: analytics
                chains:
                  - name: c
                    chain_id: 1
                    rpc:
                      - ${EVMI_TEST_UNSET_RPC_URL}
                      - url: ${EVMI_TEST_UNSET_RPC_URL_2}
                sources:
                  - name: s
                    chain: c
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers
                """);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "schema", "--config", cfg.toString()),
                err.toString());
        assertTrue(out.toString().contains("CREATE TABLE IF NOT EXISTS \"analytics\".\"transfers\""), out.toString());

        // a variable the DDL needs is still required, and named with its key
        Files.writeString(cfg, Files.readString(cfg).replace("schema: analytics", "schema: ${EVMI_TEST_UNSET_SCHEMA}"));
        err = new StringWriter();
        assertEquals(Main.EXIT_USAGE, Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "schema", "--config", cfg.toString()));
        assertTrue(err.toString().contains("database.schema") && err.toString().contains("EVMI_TEST_UNSET_SCHEMA"),
                err.toString());

        // run and the other commands still need every variable
        err = new StringWriter();
        assertEquals(Main.EXIT_USAGE, Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "status", "--config", cfg.toString()));
        assertTrue(err.toString().contains("EVMI_TEST_UNSET_"), err.toString());
    }
}
