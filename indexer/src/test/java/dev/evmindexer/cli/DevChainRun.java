package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.rpc.EndpointMetrics;
import dev.evmindexer.testsupport.TestPostgres;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The real daemon (config, Wiring, RunCommand) indexing a devchain through the given RPC URLs into a fresh
 * database, and the comparison of its table with the devchain's canonical transfers, row by row.
 */
final class DevChainRun implements AutoCloseable {
    static final long CHAIN_ID = DevChain.DEFAULT_CHAIN_ID;

    final DevChain chain;
    final DevChainServer server;
    final String dbUrl = TestPostgres.newDatabase();
    final String user = TestPostgres.user();
    private Wiring wiring;
    private Daemon daemon;

    DevChainRun(int finalityDepth, int blocks, long seed) throws Exception {
        this(finalityDepth, blocks, 3, seed);
    }

    /** A devchain of {@code blocks} blocks of {@code logsPerBlock} logs each (about 9 in 10 of them transfers). */
    DevChainRun(int finalityDepth, int blocks, int logsPerBlock, long seed) throws Exception {
        chain = new DevChain(CHAIN_ID, finalityDepth);
        chain.pregenerate(blocks, logsPerBlock, new Random(seed));
        server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0));
    }

    /** One {@code rpc:} entry per map: its keys and values as YAML (url first). */
    void startDaemon(List<Map<String, String>> rpcs) throws Exception {
        startDaemon(rpcs, Map.of());
    }

    /** As {@link #startDaemon(List)}, with more keys of the chain entry ({@code receipts_proof: true}). */
    void startDaemon(List<Map<String, String>> rpcs, Map<String, String> chainKeys) throws Exception {
        startDaemon(rpcs, chainKeys, null);
    }

    /** As {@link #startDaemon(List, Map)}, reporting to {@code metrics} (null: none). */
    void startDaemon(List<Map<String, String>> rpcs, Map<String, String> chainKeys,
            dev.evmindexer.ops.IndexerMetrics metrics) throws Exception {
        startDaemon(rpcs, chainKeys, metrics, "");
    }

    /**
     * As {@link #startDaemon(List, Map, dev.evmindexer.ops.IndexerMetrics)}, with {@code events} (YAML lines indented
     * for the source's events list, e.g. more keys of the {@code transfers} entry, or more entries) after the
     * {@code transfers} entry.
     */
    void startDaemon(List<Map<String, String>> rpcs, Map<String, String> chainKeys,
            dev.evmindexer.ops.IndexerMetrics metrics, String events) throws Exception {
        StringBuilder extra = new StringBuilder();
        chainKeys.forEach((k, v) -> extra.append("    ").append(k).append(": ").append(v).append('\n'));
        StringBuilder rpc = new StringBuilder();
        for (Map<String, String> e : rpcs) {
            rpc.append("          - url: \"").append(e.get("url")).append("\"\n");
            e.forEach((k, v) -> {
                if (!k.equals("url")) rpc.append("            ").append(k).append(": ").append(v).append('\n');
            });
        }
        StringBuilder addresses = new StringBuilder();
        for (var a : DevChain.TOKENS) addresses.append(addresses.isEmpty() ? "" : ", ").append(a.hex());
        String yaml = """
                database:
                  url: "%s"
                  user: %s
                chains:
                  - name: dev
                    chain_id: %d
                    rpc:
                %s    finality: finalized
                    max_reorg_depth: 64
                    poll_interval: 50ms
                %s
                sources:
                  - name: tokens
                    chain: dev
                    addresses: [%s]
                    start_block: 0
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers
                %s""".formatted(dbUrl, user, CHAIN_ID, rpc, extra, addresses, events);
        wiring = Wiring.of(ConfigLoader.parse(yaml, "fault-test", Map.of()));
        wiring.openDatabase("fault test");
        daemon = RunCommand.start(wiring, metrics);
    }

    /** Mines {@code blocks} random blocks, pausing between them, with a reorg of depth 2..5 every {@code reorgEvery}. */
    int grow(int blocks, int reorgEvery, Random random, Duration pause) throws InterruptedException {
        int reorgs = 0;
        for (int i = 1; i <= blocks; i++) {
            chain.mineRandom(random);
            if (reorgEvery > 0 && i % reorgEvery == 0) {
                chain.reorg(2 + random.nextInt(4), random);
                reorgs++;
            }
            Thread.sleep(pause);
        }
        return reorgs;
    }

    /** The canonical transfers the table must hold, up to the head. */
    List<String> expectedRows() {
        return expectedRows(chain.head());
    }

    /** The canonical transfers of blocks up to {@code to}, as {@link #rows} shows them. */
    List<String> expectedRows(long to) {
        EventTable table = wiring.plan.allTables().get(0);
        List<String> out = new ArrayList<>();
        if (to < 0) return out;
        for (Log l : chain.logs(0, to)) {
            if (!table.wants(l) || l.topics().size() != 3) continue;
            out.add(l.blockNumber() + "/" + l.logIndex() + " " + l.blockHash().hex() + " " + l.txHash().hex() + " "
                    + l.address().hex() + " 0x" + l.topics().get(1).hex().substring(26) + " 0x"
                    + l.topics().get(2).hex().substring(26) + " " + new BigInteger(1, l.data()));
        }
        return out;
    }

    List<String> tableRows() throws SQLException {
        try (Connection c = connect()) {
            return rows(c, "transfers");
        }
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(dbUrl, user, null);
    }

    /** The rows of {@code relation} (the table or a view of it), in the form of {@link #expectedRows}. */
    static List<String> rows(Connection c, String relation) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT block_number, log_index, block_hash, tx_hash, "
                        + "address, \"from\", \"to\", value FROM " + relation + " ORDER BY block_number, log_index")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1) + "/" + rs.getLong(2) + " " + Hex.encode(rs.getBytes(3)) + " " + Hex.encode(rs.getBytes(4))
                        + " " + Hex.encode(rs.getBytes(5)) + " " + Hex.encode(rs.getBytes(6)) + " " + Hex.encode(rs.getBytes(7))
                        + " " + rs.getBigDecimal(8).toBigIntegerExact());
            }
            return out;
        }
    }

    private boolean tipIsHead() {
        var tip = wiring.store.tip(CHAIN_ID);
        var head = chain.header(chain.head());
        return tip.isPresent() && head.isPresent() && tip.get().equals(head.get().stored());
    }

    /** Waits (bounded) until the daemon follows the tip: its stored tip within {@code blocks} of the head. */
    void awaitTipPhase(int blocks, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var tip = wiring.store.tip(CHAIN_ID);
                if (tip.isPresent() && tip.get().number() >= chain.head() - blocks) return;
            } catch (RuntimeException notYet) {
                // not migrated yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the daemon did not reach the tip phase within " + timeout + ": " + status());
    }

    /** Waits (bounded) until the stored tip is the devchain's head, then compares every row. */
    void awaitInSync(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (tipIsHead() && tableRows().equals(expectedRows())) break;
            } catch (RuntimeException | SQLException notYet) {
                // the tables may not exist yet
            }
            Thread.sleep(100);
        }
        List<String> expected = expectedRows();
        List<String> actual = tableRows();
        if (!expected.equals(actual)) {
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(actual);
            List<String> extra = new ArrayList<>(actual);
            extra.removeAll(expected);
            throw new AssertionError("the table differs from the devchain's canonical transfers: " + missing.size()
                    + " missing (first " + missing.stream().limit(3).toList() + "), " + extra.size() + " extra (first "
                    + extra.stream().limit(3).toList() + "); head " + chain.head() + ", " + status());
        }
        assertEquals(chain.header(chain.head()).map(h -> h.stored()), wiring.store.tip(CHAIN_ID), "the stored tip is the head");
    }

    /**
     * The table's "reconciled" multirange as text, e.g. {@code {[0,300)}}, and the chain's finalized block, as the
     * {@code status} command reads them.
     */
    String[] reconciled() {
        var s = dev.evmindexer.store.StatusQueries.snapshot(wiring.database.dataSource(), List.of(CHAIN_ID)).get(0);
        return s.tables().isEmpty() ? new String[] {"{}", "-1"}
                : new String[] {s.tables().get(0).reconciled(), Long.toString(s.finalized())};
    }

    /** Waits (bounded) until the table's reconciled multirange, as {@code status} reads it, is all of [0, F]. */
    void awaitReconciled(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String[] r = {"{}", "-1"};
        while (System.nanoTime() < deadline) {
            try {
                r = reconciled();
                long f = Long.parseLong(r[1]);
                if (f > 0 && r[0].equals("{[0," + (f + 1) + ")}")) return;
            } catch (RuntimeException notYet) {
                // not migrated yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not reconciled up to the finalized block within " + timeout + ": reconciled "
                + r[0] + ", finalized " + r[1] + ", " + status());
    }

    String status() {
        var s = daemon.loops().get(0).status();
        return "halted=" + s.halted() + " reorgs=" + s.reorgs.get() + " errors=" + s.errors.get() + " lastError=" + s.lastError();
    }

    String halted() {
        return daemon.loops().get(0).status().halted();
    }

    long stepErrors() {
        return daemon.loops().get(0).status().errors.get();
    }

    long reorgsSeen() {
        return daemon.loops().get(0).status().reorgs.get();
    }

    List<EndpointMetrics> endpointMetrics() {
        return wiring.source("dev").endpointMetrics();
    }

    @Override
    public void close() throws Exception {
        try {
            if (daemon != null) daemon.close();
        } finally {
            if (wiring != null) wiring.close();
            server.close();
        }
    }
}
