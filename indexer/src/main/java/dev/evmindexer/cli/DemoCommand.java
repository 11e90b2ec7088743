package dev.evmindexer.cli;

import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.config.IndexerConfig;
import dev.evmindexer.daemon.ChainStatus;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainDriver;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.devchain.DevFactory;
import dev.evmindexer.store.EmbeddedPostgresServer;
import dev.evmindexer.eth.Log;
import dev.evmindexer.ops.IndexerMetrics;
import dev.evmindexer.ops.OpsRuntime;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: everything on one machine. The built-in devchain (ERC-20 transfers from several tokens,
 * a block every second, a reorg of 1-5 blocks now and then) over real JSON-RPC, the embedded PostgreSQL
 * (or {@code DATABASE_URL}), and the daemon indexing it, with a live progress line. Ctrl-C stops it
 * cleanly; at the end the table is checked against the devchain's canonical logs.
 */
@Command(name = "demo", description = "Index the built-in simulated chain into the embedded PostgreSQL, live.")
final class DemoCommand implements Callable<Integer> {
    static final long CHAIN_ID = 1337;
    static final int FINALITY_DEPTH = 12;
    static final String DEMO_DATABASE = "evm_indexer_demo";

    @Option(names = "--seconds", paramLabel = "N", description = "stop after N seconds (default: run until Ctrl-C)")
    long seconds;

    @Option(names = "--block-ms", paramLabel = "MS", defaultValue = "1000", description = "block interval (default ${DEFAULT-VALUE})")
    long blockMillis;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed of the devchain")
    long seed;

    @Option(names = "--ops-port", paramLabel = "PORT", defaultValue = "9464",
            description = "port of /metrics, /healthz, /readyz on 127.0.0.1 (default ${DEFAULT-VALUE}; a free one if taken)")
    int opsPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DevChain chain = new DevChain(CHAIN_ID, FINALITY_DEPTH);
        chain.pregenerate(300, 4, new Random(seed)); // some history, so the range phase has work too
        DevFactory factory = new DevFactory(); // and a factory whose pairs the demo_swaps table follows
        Random factoryRandom = new Random(seed + 1);
        for (int i = 0; i < 40; i++) chain.mine(factory.next(factoryRandom));
        String dbUrl = System.getenv("DATABASE_URL");
        EmbeddedPostgresServer embedded = null;
        if (dbUrl == null || dbUrl.isBlank()) {
            // Each demo runs a new devchain: it gets a new database in the embedded server, never last run's rows.
            // No config file: INDEXER_DATA_DIR, else .indexer/pgdata under the working directory.
            String dir = System.getenv(Wiring.DATA_DIR_ENV);
            embedded = EmbeddedPostgresServer.startOrAttach(dir == null || dir.isBlank()
                    ? Wiring.EMBEDDED_DATA.toAbsolutePath() : Path.of(dir.strip()).toAbsolutePath());
            recreate(embedded, DEMO_DATABASE);
            dbUrl = embedded.jdbcUrl(DEMO_DATABASE);
        }
        try (EmbeddedPostgresServer ownServer = embedded;
                DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0));
                Wiring w = Wiring.of(config(server.url().toString(), dbUrl, ownServer)).openDatabase("evm-indexer demo")) {
            String psql = ownServer != null ? ownServer.psqlCommand(DEMO_DATABASE) : "psql \"$DATABASE_URL\"";
            var options = new DevChainDriver.Options(Duration.ofMillis(blockMillis), 12, 0.08, 5, seed);
            try (DevChainDriver driver = DevChainDriver.start(chain, options, r -> {});
                    IndexerMetrics metrics = new IndexerMetrics()) {
                Daemon daemon = RunCommand.start(w, metrics);
                OpsRuntime ops = serveOps(w, daemon, metrics);
                CountDownLatch stop = new CountDownLatch(1);
                Signals.onStop(stop::countDown);
                out.printf("demo: devchain (chain id %d) serving JSON-RPC at %s%n", CHAIN_ID, server.url());
                out.printf("demo: query it:   %s%n", queryCommand(psql));
                out.printf("demo: metrics at http://127.0.0.1:%d/metrics, health at /healthz and /readyz%n", ops.port());
                out.println("demo: Ctrl-C stops it cleanly");
                out.flush();
                ChainStatus s = daemon.loops().get(0).status();
                long deadline = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
                boolean tty = Tty.interactive();
                LiveLine live = new LiveLine(out);
                java.io.PrintStream logStream = System.err;
                if (tty) System.setErr(live.wrap(logStream)); // log lines clear the progress line, never glue onto it
                try {
                    while (!stop.await(1, TimeUnit.SECONDS) && System.nanoTime() < deadline) {
                        chain.mine(factory.next(factoryRandom)); // a block of factory traffic each second
                        String line = progress(chain.head(), s, driver.reorgs()) + ", " + factory.pairs() + " pairs created";
                        if (tty) {
                            live.draw(line);
                        } else {
                            out.println(line);
                            out.flush();
                        }
                    }
                    live.end();
                } finally {
                    System.setErr(logStream);
                }
                // the chain stops first, then the daemon gets a few seconds to reach its head, so the check
                // below compares a settled chain (a reorg after the last step would look like a mismatch)
                driver.close();
                long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!settled(w, chain) && System.nanoTime() < settle) Thread.sleep(100);
                daemon.requestStop();
                daemon.close();
                ops.close();
            }
            String verdict = verify(w, chain);
            out.println(verdict);
            return verdict.startsWith("demo: verified") ? 0 : 1;
        }
    }

    /**
     * The demo's progress line. Its events are the rows in the table: every row written minus those reorgs rolled
     * back, so it matches the final check's count of canonical transfers.
     */
    static String progress(long head, ChainStatus s, long reorgsMade) {
        return String.format("demo: head #%d, indexed tip #%d, %d blocks written, %d events in the table, %d reorgs "
                + "handled (%d made by the chain), %d rows rolled back", head, s.tip.get(), s.blocks.get(),
                s.rows.get() - s.rowsRolledBack.get(), s.reorgs.get(), reorgsMade, s.rowsRolledBack.get());
    }

    /** The ops server on {@code --ops-port}, or on a free port when that one is taken. */
    private OpsRuntime serveOps(Wiring w, Daemon daemon, IndexerMetrics metrics) {
        var ops = w.plan.config().ops();
        try {
            return OpsRuntime.start(ops, "127.0.0.1", opsPort, metrics, RunCommand.statuses(daemon), w.database.dataSource());
        } catch (java.io.UncheckedIOException e) {
            return OpsRuntime.start(ops, "127.0.0.1", 0, metrics, RunCommand.statuses(daemon), w.database.dataSource());
        }
    }

    /** The demo's config; on the embedded server, with its user and password (the config never prints it). */
    private IndexerConfig config(String rpcUrl, String dbUrl, EmbeddedPostgresServer embedded) throws Exception {
        String credentials = embedded == null ? ""
                : "\n  user: " + embedded.user() + "\n  password: \"" + embedded.password() + "\"";
        StringBuilder addresses = new StringBuilder();
        for (var a : DevChain.TOKENS) addresses.append(addresses.isEmpty() ? "" : ", ").append(a.hex());
        String yaml = """
                database:
                  url: "%s"%s
                chains:
                  - name: devchain
                    chain_id: %d
                    rpc:
                      - url: %s
                    finality: finalized
                    max_reorg_depth: 64
                    poll_interval: 200ms
                sources:
                  - name: tokens
                    chain: devchain
                    addresses: [%s]
                    start_block: 0
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: demo_transfers
                  - name: factory
                    chain: devchain
                    addresses: [%s]
                    events:
                      - signature: "%s"
                        table: demo_pairs
                  - name: pairs
                    chain: devchain
                    addresses: {factory: factory, event: PairCreated, parameter: pair}
                    events:
                      - signature: "%s"
                        table: demo_swaps
                        fields: [tx_from, tx_status]
                """.formatted(dbUrl.replace("$", "$$"), credentials, CHAIN_ID, rpcUrl, addresses, DevFactory.FACTORY.hex(),
                DevFactory.PAIR_CREATED, DevFactory.SWAP);
        return ConfigLoader.parse(yaml, "demo", System.getenv());
    }

    /** The stored tip is the devchain's head block, same hash. */
    private static boolean settled(Wiring w, DevChain chain) {
        var tip = w.store.tip(CHAIN_ID);
        return tip.isPresent() && tip.get().number() == chain.head()
                && chain.header(chain.head()).map(h -> h.hash().equals(tip.get().hash())).orElse(false);
    }

    /** Drops and creates {@code name} in the embedded server: the demo's chain is new on every run. */
    private static void recreate(EmbeddedPostgresServer server, String name) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
    }

    /** Compares the table with the devchain's canonical transfers up to the stored tip. */
    private static String verify(Wiring w, DevChain chain) throws Exception {
        long tip = w.store.tip(CHAIN_ID).map(h -> h.number()).orElse(-1L);
        var table = w.plan.allTables().stream().filter(t -> t.name().equals("demo_transfers")).findFirst().orElseThrow();
        Set<String> expected = new HashSet<>();
        for (Log l : chain.logs(0, tip)) {
            if (table.wants(l) && l.topics().size() == 3) expected.add(l.blockNumber() + "/" + l.logIndex() + "/" + l.blockHash());
        }
        Set<String> actual = new HashSet<>();
        try (Connection c = w.database.dataSource().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT block_number, log_index, block_hash FROM demo_transfers "
                        + "WHERE chain_id = " + CHAIN_ID + " AND block_number <= " + tip)) {
            while (rs.next()) actual.add(rs.getLong(1) + "/" + rs.getInt(2) + "/" + dev.evmindexer.eth.Hex.encode(rs.getBytes(3)));
        }
        if (expected.equals(actual)) {
            String swaps = verifySwaps(w, chain, tip);
            if (swaps != null) return swaps;
            return "demo: verified: the table holds exactly the devchain's " + actual.size() + " canonical transfers up to block #"
                    + tip + ", demo_swaps exactly the " + expectedSwaps(chain, tip).size() + " swaps of its factory's pairs";
        }
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(actual);
        Set<String> extra = new HashSet<>(actual);
        extra.removeAll(expected);
        return "demo: MISMATCH against the devchain: " + missing.size() + " missing, " + extra.size() + " extra rows";
    }

    /** The canonical swaps of the factory's canonical pairs, each from the block that created it. */
    private static Set<String> expectedSwaps(DevChain chain, long tip) {
        java.util.Map<dev.evmindexer.eth.Address, Long> created = new java.util.HashMap<>();
        Set<String> out = new HashSet<>();
        for (Log l : chain.logs(0, tip)) {
            if (l.address().equals(DevFactory.FACTORY) && DevFactory.PAIR_CREATED_TOPIC.equals(l.topic0())) {
                created.putIfAbsent(dev.evmindexer.eth.Address.of(java.util.Arrays.copyOfRange(l.data(), 12, 32)), l.blockNumber());
            }
            Long at = created.get(l.address());
            if (DevFactory.SWAP_TOPIC.equals(l.topic0()) && at != null && at <= l.blockNumber()) {
                out.add(l.blockNumber() + "/" + l.logIndex() + "/" + l.blockHash());
            }
        }
        return out;
    }

    /** Null when demo_swaps holds exactly the expected swaps up to {@code tip}; else the mismatch. */
    private static String verifySwaps(Wiring w, DevChain chain, long tip) throws Exception {
        Set<String> expected = expectedSwaps(chain, tip);
        Set<String> actual = new HashSet<>();
        try (Connection c = w.database.dataSource().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT block_number, log_index, block_hash FROM demo_swaps "
                        + "WHERE chain_id = " + CHAIN_ID + " AND block_number <= " + tip)) {
            while (rs.next()) actual.add(rs.getLong(1) + "/" + rs.getInt(2) + "/" + dev.evmindexer.eth.Hex.encode(rs.getBytes(3)));
        }
        if (expected.equals(actual)) return null;
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(actual);
        Set<String> extra = new HashSet<>(actual);
        extra.removeAll(expected);
        return "demo: MISMATCH in demo_swaps against the devchain: " + missing.size() + " missing, " + extra.size() + " extra rows";
    }

    /**
     * The shell command the demo prints to query its table: no quote inside the single-quoted SQL (psql shows
     * {@code bytea} as {@code \x...} hex by itself), so it runs as printed.
     */
    static String queryCommand(String psql) {
        return psql + " -c 'SELECT block_number, \"from\", \"to\", value FROM demo_transfers ORDER BY block_number DESC LIMIT 10'";
    }
}
