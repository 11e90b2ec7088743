package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.testsupport.Solc;
import dev.evmindexer.testsupport.TestPostgres;
import dev.evmindexer.testsupport.Tools;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chain of {@code bench --anvil}, in a small shape: built, cached, reused, rebuilt, and its SQL check. */
class AnvilBenchChainIT {
    private static final AnvilBenchChain.Recipe SMALL = new AnvilBenchChain.Recipe(30, 20, 5);

    @TempDir
    Path dir;

    @Test
    void theShippedBytecodeIsTheCompiledSource() {
        assertEquals(Solc.compileResource("bench/BenchToken.sol", "BenchToken").bytecode(), BenchTokenCode.CREATION_BYTECODE,
                "recompile bench/BenchToken.sol as BenchTokenCode says and paste the result");
    }

    @Test
    void aChainIsBuiltOnceCachedReusedAndRebuiltForAnotherRecipe() throws Exception {
        Path cache = dir.resolve("cache");
        StringWriter first = new StringWriter();
        long head;
        try (AnvilBenchChain chain = serve(cache, first)) {
            head = chain.built.head();
            assertEquals(AnvilBenchChain.FIRST_BLOCK - 1 + SMALL.blocks(), head);
        }
        assertTrue(first.toString().contains("building it"), first.toString());
        assertTrue(first.toString().contains("all 750 logs of all blocks checked"), first.toString());
        assertTrue(Files.isRegularFile(cache.resolve(SMALL.stem() + ".state.gz")));

        StringWriter second = new StringWriter();
        try (AnvilBenchChain chain = serve(cache, second)) {
            assertEquals(head, chain.built.head());
        }
        assertFalse(second.toString().contains("building it"), second.toString());
        assertTrue(second.toString().contains("30 sampled blocks checked"), second.toString());

        Path meta = cache.resolve(SMALL.stem() + ".json");
        Files.writeString(meta, Files.readString(meta).replace("anvil ", "anvil 0.0.0-older "));
        StringWriter third = new StringWriter();
        try (AnvilBenchChain ignored = serve(cache, third)) {
            assertTrue(third.toString().contains("building it"), "a cache of another anvil is rebuilt: " + third);
        }
    }

    @Test
    void theSqlCheckPassesAnIndexedChainAndNamesWhatDiffers() throws Exception {
        try (AnvilBenchChain chain = serve(dir.resolve("cache"), new StringWriter())) {
            String url = TestPostgres.newDatabase();
            Path cfg = dir.resolve("bench.yaml");
            Files.writeString(cfg, """
                    database:
                      url: "%s"
                      user: %s
                    chains:
                      - name: bench
                        chain_id: 31337
                        rpc:
                          - %s
                        finality: 0
                    sources:
                      - name: token
                        chain: bench
                        addresses: [%s]
                        events:
                          - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                            table: transfers
                    """.formatted(url, TestPostgres.user(), chain.url(), chain.built.token()));
            assertEquals(0, Main.execute("backfill", "--config", cfg.toString(), "--from", "0", "--to", Long.toString(chain.built.head())));
            try (Connection c = DriverManager.getConnection(url, TestPostgres.user(), null); Statement s = c.createStatement()) {
                assertEquals("", chain.check(c, "transfers"));
                s.execute("UPDATE transfers SET value = value + 1 WHERE block_number = 5 AND log_index = 3");
                assertTrue(chain.check(c, "transfers").contains("1 rows whose block, log index, from, to or value differ"),
                        chain.check(c, "transfers"));
                s.execute("UPDATE transfers SET value = value - 1 WHERE block_number = 5 AND log_index = 3");
                s.execute("UPDATE transfers SET \"to\" = \"from\" WHERE block_number = 7 AND log_index = 0");
                assertTrue(chain.check(c, "transfers").contains("1 rows whose"), chain.check(c, "transfers"));
                s.execute("DELETE FROM transfers WHERE block_number = 7 AND log_index = 0");
                assertTrue(chain.check(c, "transfers").contains("expected 600 rows, table has 599"), chain.check(c, "transfers"));
            }
        }
    }

    private AnvilBenchChain serve(Path cache, StringWriter out) throws Exception {
        try (PrintWriter w = new PrintWriter(out, true)) {
            return AnvilBenchChain.serve(Tools.anvil(), cache, SMALL, dir, w);
        }
    }
}
