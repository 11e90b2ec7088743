package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.testsupport.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@code transfers} table for the same event on two devchains: each chain's rows equal its own canonical
 * transfers, the {@code _finalized} view stops each chain at that chain's finalized block, and a rollback or a
 * reset of one chain leaves the other chain's rows alone.
 */
class SharedTableIT {
    private static final long A = 1337;
    private static final long B = 1338;

    @TempDir
    Path dir;

    @Test
    void twoChainsShareOneTableEachWithItsOwnFinalityCoverageRollbackAndReset() throws Exception {
        DevChain a = new DevChain(A, 12);
        a.pregenerate(200, 3, new Random(1));
        DevChain b = new DevChain(B, 40); // another finality depth: the view must apply each chain's own F
        b.pregenerate(150, 3, new Random(2));
        try (DevChainServer sa = DevChainServer.start(a, new InetSocketAddress("127.0.0.1", 0));
                DevChainServer sb = DevChainServer.start(b, new InetSocketAddress("127.0.0.1", 0))) {
            String url = TestPostgres.newDatabase();
            Path cfg = config(url, sa.url().toString(), sb.url().toString());

            index(cfg, url, a, b);
            assertEquals(canonical(a, Long.MAX_VALUE), rows(url, "transfers", A));
            assertEquals(canonical(b, Long.MAX_VALUE), rows(url, "transfers", B));
            assertNotEquals(a.finalized(), b.finalized());
            assertEquals(canonical(a, a.finalized()), rows(url, "transfers_finalized", A), "chain A's finalized rows");
            assertEquals(canonical(b, b.finalized()), rows(url, "transfers_finalized", B), "chain B's finalized rows");
            assertEquals(2, scalar(url, "SELECT count(*) FROM indexer.event_tables WHERE table_name = 'transfers'"),
                    "one registration, with its own coverage, per chain");

            assertEquals(0, Main.execute("rollback", "--config", cfg.toString(), "--chain", "dev_b", "--to", "100",
                    "--force"));
            assertEquals(canonical(b, 100), rows(url, "transfers", B), "chain B rewound to #100");
            assertEquals(canonical(a, Long.MAX_VALUE), rows(url, "transfers", A), "chain A untouched by B's rollback");

            assertEquals(0, Main.execute("reset", "--config", cfg.toString(), "--table", "transfers", "--chain", "dev_b",
                    "--yes"));
            assertEquals(Set.of(), rows(url, "transfers", B), "chain B's rows are gone");
            assertEquals(canonical(a, Long.MAX_VALUE), rows(url, "transfers", A), "chain A untouched by B's reset");
            assertEquals(canonical(a, a.finalized()), rows(url, "transfers_finalized", A));

            index(cfg, url, a, b); // the next run registers chain B again and refills it
            assertEquals(canonical(b, Long.MAX_VALUE), rows(url, "transfers", B));
            assertEquals(canonical(b, b.finalized()), rows(url, "transfers_finalized", B));
            assertEquals(canonical(a, Long.MAX_VALUE), rows(url, "transfers", A));
        }
    }

    /** Runs the daemon until both chains' tips and finalized blocks are their nodes' and their rows are all in. */
    private static void index(Path cfg, String url, DevChain a, DevChain b) throws Exception {
        try (Wiring w = Wiring.load(cfg).openDatabase("shared-table-it"); Daemon daemon = RunCommand.start(w)) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            String synced = "SELECT count(*) FROM indexer.chain_status WHERE (chain_id = " + A + " AND tip = " + a.head()
                    + " AND finalized = " + a.finalized() + ") OR (chain_id = " + B + " AND tip = " + b.head()
                    + " AND finalized = " + b.finalized() + ")";
            // a reset leaves the chain's stored headers: its tip is the head at once, its rows come later
            while (scalar(url, synced) < 2 || !rows(url, "transfers", A).equals(canonical(a, Long.MAX_VALUE))
                    || !rows(url, "transfers", B).equals(canonical(b, Long.MAX_VALUE))) {
                assertTrue(System.nanoTime() < deadline, "both chains reach their heads");
                Thread.sleep(100);
            }
        }
    }

    private Path config(String url, String rpcA, String rpcB) throws Exception {
        String tokens = String.join(", ", DevChain.TOKENS.stream().map(Address::hex).toList());
        String source = """
                  - name: tokens_%s
                    chain: %s
                    addresses: [%s]
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers
                """;
        Path cfg = dir.resolve("indexer.yaml");
        Files.writeString(cfg, """
                database:
                  url: "%s"
                  user: %s
                chains:
                  - name: dev_a
                    chain_id: %d
                    rpc: [{url: "%s"}]
                    poll_interval: 100ms
                  - name: dev_b
                    chain_id: %d
                    rpc: [{url: "%s"}]
                    poll_interval: 100ms
                sources:
                """.formatted(url, TestPostgres.user(), A, rpcA, B, rpcB)
                + source.formatted("a", "dev_a", tokens) + source.formatted("b", "dev_b", tokens));
        return cfg;
    }

    private static Set<String> canonical(DevChain chain, long through) {
        return DevChainTables.canonicalTransfers(chain, through);
    }

    private static Set<String> rows(String url, String relation, long chainId) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = TestPostgres.connect(url); ResultSet rs = c.createStatement().executeQuery(
                "SELECT block_number, log_index, block_hash FROM " + relation + " WHERE chain_id = " + chainId)) {
            while (rs.next()) out.add(rs.getLong(1) + "/" + rs.getInt(2) + "/" + Hex.encode(rs.getBytes(3)));
        }
        return out;
    }

    private static long scalar(String url, String sql) throws Exception {
        try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
