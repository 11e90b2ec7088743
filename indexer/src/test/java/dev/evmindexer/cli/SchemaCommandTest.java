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

    @Test
    void printsTheFieldsColumnsAndWhatTheyCost() throws Exception {
        Path cfg = dir.resolve("f.yaml");
        Files.writeString(cfg, """
                chains:
                  - name: c
                    chain_id: 1
                    rpc: [http://127.0.0.1:8545]
                sources:
                  - name: s
                    chain: c
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers
                        fields: [tx_from, tx_to, tx_value, block_base_fee, tx_status]
                """);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "schema", "--config", cfg.toString()),
                err.toString());
        String ddl = out.toString();
        assertTrue(ddl.contains("-- fields tx_from, tx_to, tx_value, block_base_fee, tx_status: per block with rows, "
                + "eth_getBlockReceipts and eth_getBlockByHash with transactions"), ddl);
        assertTrue(ddl.contains("    \"value\" numeric(78,0),\n    \"tx_from\" bytea,\n    \"tx_to\" bytea,\n"
                + "    \"tx_value\" numeric(78,0),\n    \"block_base_fee\" numeric(78,0),\n    \"tx_status\" boolean,\n"), ddl);
    }
}
