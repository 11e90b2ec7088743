package dev.evmindexer.cli;

import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.devchain.DevFactory;
import dev.evmindexer.devchain.LogSpec;
import dev.evmindexer.eth.Address;
import dev.evmindexer.pipeline.Children;
import dev.evmindexer.store.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import picocli.CommandLine.Option;

/**
 * {@code bench --factory-children N,..}: backfill events/s of a factory's child table against a plain single-address
 * source with as many events, on devchains built for each: the plain chain's one contract, or {@code N} children
 * created by {@link DevFactory#FACTORY} in the first tenth of the blocks, emit {@code events} Swaps after it, beside
 * {@code noise} Swaps of other contracts per indexed one (what a by-topic fetch also reads). Each child count is run
 * twice, forcing the fetch by address list and by topic ({@link Children#ADDRESS_LIST_MAX_PROPERTY}); each run in its own
 * JVM and database, its row counts checked. Prints figures; never fails on a time.
 */
final class BenchFactory {
    static final long CHAIN_ID = 1337;
    /** The plain source's contract: not a pair number the factory ever creates. */
    static final Address PLAIN = DevFactory.pair(Integer.MAX_VALUE);
    /** Contracts of the noise Swaps: pair numbers above any child's. */
    static final int NOISE_BASE = 1 << 30;
    static final int NOISE_CONTRACTS = 50;

    /** The factory mode's options of {@code bench}. */
    static final class Options {
        @Option(names = "--factory-children", paramLabel = "N", split = ",", description = "factory mode: backfill the Swaps "
                + "of a devchain factory's N children (each N of the list, by address list and by topic) against a plain "
                + "single-address source with as many Swaps (e.g. 10,1000,100000)")
        List<Integer> children;

        @Option(names = "--factory-events", paramLabel = "N", defaultValue = "100000",
                    description = "factory mode: Swaps of the children (and of the plain source) (default ${DEFAULT-VALUE})")
        long events;

        @Option(names = "--factory-blocks", paramLabel = "N", defaultValue = "1000",
                    description = "factory mode: blocks; the children are created in the first tenth (default ${DEFAULT-VALUE})")
        int blocks;

        @Option(names = "--factory-noise", paramLabel = "R", defaultValue = "1",
                    description = "factory mode: Swaps of other contracts per Swap of the indexed ones (default ${DEFAULT-VALUE})")
        int noise;
    }

    private final PrintWriter out;
    private final String heap;
    private final long events;
    private final int blocks;
    private final int noise;
    private final long seed;

    BenchFactory(PrintWriter out, String heap, long events, int blocks, int noise, long seed) {
        if (events < 1 || blocks < 10 || noise < 0) throw new IllegalArgumentException("need events >= 1, blocks >= 10, noise >= 0");
        this.out = out;
        this.heap = heap;
        this.events = events;
        this.blocks = blocks;
        this.noise = noise;
        this.seed = seed;
    }

    int run(List<Integer> childCounts) throws Exception {
        Path work = Files.createTempDirectory("evm-indexer-bench-factory",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        boolean wrong = false;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(work.resolve("pgdata"), 0)) {
            out.printf("bench: factory mode, %d Swaps over %d blocks, %d other Swaps per indexed one; each backfill in its own "
                    + "JVM with -Xmx%s%n", events, blocks, noise, heap);
            double plain = measure(pg, work, 0, "plain", List.of());
            if (plain < 0) wrong = true;
            List<String> summary = new ArrayList<>();
            for (int n : childCounts) {
                if (n < 1) throw new IllegalArgumentException("--factory-children needs counts >= 1, got " + n);
                double byAddress = measure(pg, work, n, "address", List.of("-D" + Children.ADDRESS_LIST_MAX_PROPERTY + "=" + Integer.MAX_VALUE));
                double byTopic = measure(pg, work, n, "topic", List.of("-D" + Children.ADDRESS_LIST_MAX_PROPERTY + "=0"));
                double auto = n > Children.ADDRESS_LIST_MAX ? byTopic : byAddress;
                if (byAddress < 0 || byTopic < 0) wrong = true;
                summary.add("children_%d_address=%.0f children_%d_topic=%.0f children_%d_ratio=%.2f".formatted(n, byAddress, n,
                        byTopic, n, auto / plain));
            }
            out.printf("bench: factory plain_events_per_s=%.0f %s%n", plain, String.join(" ", summary));
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return wrong ? 1 : 0;
    }

    /** One backfill of a chain with {@code children} (0: the plain source); its Swaps per second, or -1 when wrong. */
    private double measure(EmbeddedPostgresServer pg, Path work, int children, String mode, List<String> jvmArgs)
            throws Exception {
        long t0 = System.nanoTime();
        DevChain chain = chain(children);
        double built = (System.nanoTime() - t0) / 1e9;
        String label = children == 0 ? "plain" : "children_" + children + "_" + mode;
        try (DevChainServer server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0))) {
            String database = "bench_" + label;
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                s.execute("CREATE DATABASE " + database);
            }
            Path cfg = work.resolve(label + ".yaml");
            Files.writeString(cfg, config(pg.jdbcUrl(database), pg, server.url().toString(), children));
            BenchCommand.Run run = BenchCommand.backfill(cfg, chain.head(), work.resolve(label + ".log"), heap, jvmArgs);
            long swaps = BenchCommand.count(pg.jdbcUrl(database), pg, "SELECT count(*) FROM bench_swaps");
            long pairs = children == 0 ? 0 : BenchCommand.count(pg.jdbcUrl(database), pg, "SELECT count(*) FROM bench_pairs");
            boolean ok = run.exit() == 0 && swaps == events && pairs == children;
            double rate = swaps / run.seconds();
            out.printf("bench: run=%s children=%d events=%d factory_rows=%d seconds=%.2f events_per_s=%.0f peak_rss_mb=%d "
                    + "chain_built_s=%.1f check=%s%n", label, children, swaps, pairs, run.seconds(), rate, run.peakRssKb() / 1024,
                    built, ok ? "ok" : "WRONG (expected " + events + " swaps, " + children + " pairs, exit 0; got exit " + run.exit() + ")");
            out.flush();
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
            return ok ? rate : -1;
        }
    }

    /**
     * Blocks 1..{@link #blocks}: the children created in the first tenth, then {@link #events} Swaps spread evenly over
     * the rest, each from a random child (or the plain contract), each followed by {@link #noise} Swaps of other contracts.
     */
    DevChain chain(int children) {
        DevChain chain = new DevChain(CHAIN_ID, 0).withoutReceiptsRoots();
        Random random = new Random(seed);
        int creation = children == 0 ? 0 : Math.max(1, blocks / 10);
        long left = events;
        for (int b = 1; b <= blocks; b++) {
            List<LogSpec> logs = new ArrayList<>();
            if (b <= creation) {
                for (long i = (long) (b - 1) * children / creation; i < (long) b * children / creation; i++) logs.add(DevFactory.created((int) i));
            } else {
                long here = left / (blocks - b + 1);
                left -= here;
                for (long k = 0; k < here; k++) {
                    logs.add(children == 0 ? swap(PLAIN, k) : DevFactory.swap(random.nextInt(children), k));
                    for (int z = 0; z < noise; z++) logs.add(DevFactory.swap(NOISE_BASE + random.nextInt(NOISE_CONTRACTS), z));
                }
            }
            chain.mine(logs);
        }
        return chain;
    }

    private static LogSpec swap(Address contract, long amount) {
        LogSpec s = DevFactory.swap(0, amount);
        return new LogSpec(contract, s.topics(), s.data());
    }

    private static String config(String jdbcUrl, EmbeddedPostgresServer pg, String rpcUrl, int children) {
        String sources = children == 0 ? """
                  - name: plain
                    chain: bench
                    addresses: [%s]
                    events:
                      - signature: "%s"
                        table: bench_swaps
                """.formatted(PLAIN.hex(), DevFactory.SWAP) : """
                  - name: factory
                    chain: bench
                    addresses: [%s]
                    events:
                      - signature: "%s"
                        table: bench_pairs
                  - name: pairs
                    chain: bench
                    addresses: {factory: factory, event: PairCreated, parameter: pair}
                    events:
                      - signature: "%s"
                        table: bench_swaps
                """.formatted(DevFactory.FACTORY.hex(), DevFactory.PAIR_CREATED, DevFactory.SWAP);
        return BenchCommand.configWithSources(jdbcUrl, pg, CHAIN_ID, rpcUrl, "", "", sources);
    }
}
