package dev.evmindexer.cli;

import dev.evmindexer.devchain.DevChain;
import dev.evmindexer.devchain.DevChainServer;
import dev.evmindexer.store.EmbeddedPostgresServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: a backfill of a pre-generated devchain (ERC-20 transfers plus non-matching logs) into a
 * fresh embedded PostgreSQL, run as a separate process with a capped heap, compared with the raw
 * ceiling: a plain COPY of exactly the rows it produced into an identical empty table on the same
 * server. Prints figures; never fails on a time. The last line is machine-readable.
 *
 * <p>With {@code --anvil}, the chain is a real anvil serving {@link AnvilBenchChain} (1,000,000 token
 * Transfers in 5,000 blocks plus another contract's logs, cached under {@code --cache-dir}); it is backfilled
 * once with the default configuration, then once per {@code --fixed} range size, each into a fresh database
 * and checked row by row from SQL.
 */
@Command(name = "bench", description = "Measure a full backfill against the raw COPY ceiling; prints figures.")
final class BenchCommand implements Callable<Integer> {
    static final long CHAIN_ID = 1337;
    /** The per-endpoint key for the target number of logs per eth_getLogs call (set huge by the fixed runs). */
    static final String LOGS_PER_CALL_KEY = "logs_per_call";
    static final String DEFAULT_ANVIL_HEAP = "256m";
    private static final java.time.Duration RUN_TIMEOUT = java.time.Duration.ofMinutes(30);

    @Option(names = "--logs", defaultValue = "2000000", description = "ERC-20 transfers to index (default ${DEFAULT-VALUE})")
    long logs;

    @Option(names = "--blocks", defaultValue = "20000", description = "blocks to spread them over (default ${DEFAULT-VALUE})")
    int blocks;

    @Option(names = "--xmx", description = "heap cap of the backfill process (default: $INDEXER_HEAP, else "
            + DEFAULT_ANVIL_HEAP + ", as scripts/indexer gives it)")
    String xmx;

    @Option(names = "--range", defaultValue = "0", description = "devchain mode: max_block_range of the rpc entry "
            + "(default: not set, the default configuration)")
    int range;

    @Option(names = "--dense-block", defaultValue = "10000", description = "devchain mode: transfers in one block in the "
            + "middle of the chain, among the ordinary ones (0: none; default ${DEFAULT-VALUE})")
    int denseBlock;

    @Option(names = "--rpc", paramLabel = "URL", description = "index this node instead of the devchain (with --address and --to)")
    String rpc;

    @Option(names = "--address", paramLabel = "0x..", description = "with --rpc: the token contract")
    String address;

    @Option(names = "--to", paramLabel = "N", description = "with --rpc: last block (default: the node's head at start)")
    Long to;

    @Option(names = "--seed", defaultValue = "7", description = "seed of the devchain's generated logs (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0", description = "devchain mode: run the backfill "
            + "with 1, 2, ... N processes at once on one PostgreSQL (shared, claimed units), each run checked")
    int workers;

    @Option(names = "--anvil", description = "index a dense chain served by a real anvil (built once, cached) instead of the devchain")
    boolean anvil;

    @Option(names = "--anvil-bin", paramLabel = "PATH", description = "with --anvil: the anvil executable (default $ANVIL_BIN; "
            + "scripts/bench installs it)")
    Path anvilBin;

    @Option(names = "--cache-dir", paramLabel = "DIR", defaultValue = ".indexer",
            description = "with --anvil: where the built chain is cached (default ${DEFAULT-VALUE})")
    Path cacheDir;

    @Option(names = "--fixed", paramLabel = "N", split = ",", defaultValue = "25,50,100,200",
            description = "with --anvil: after the default run, one run per fixed eth_getLogs range of N blocks "
                    + "(default ${DEFAULT-VALUE}; 0 for none)")
    List<Integer> fixed;

    @Option(names = "--logs-per-call", paramLabel = "N", defaultValue = "10000000",
            description = "with --anvil: " + LOGS_PER_CALL_KEY + " of the fixed runs, so their range is just the fixed one "
                    + "(default ${DEFAULT-VALUE}; 0 leaves the key out, for builds that do not know it)")
    long logsPerCall;

    @Option(names = "--fields", paramLabel = "NAME", split = ",", description = "transaction or block fields of the "
            + "table, e.g. tx_from (see the README: each costs calls per block with rows); default none")
    List<String> fields = List.of();

    @Option(names = "--reconcile", description = "devchain mode: after the backfill, the daemon with reconcile: all in "
            + "its own JVM, timed until every backfilled block is reconciled (re-fetched and compared)")
    boolean reconcile;

    @Option(names = "--reconcile-rps", paramLabel = "R", defaultValue = "" + dev.evmindexer.config.Reconcile.DEFAULT_RPS,
            description = "with --reconcile: reconcile_rps of the chain (default ${DEFAULT-VALUE})")
    double reconcileRps;

    @picocli.CommandLine.Mixin
    BenchFactory.Options factory = new BenchFactory.Options();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (blocks < 1 || logs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--logs and --blocks must be at least 1");
        }
        if (factory.children != null) {
            return new BenchFactory(out, heap(), factory.events, factory.blocks, factory.noise, seed).run(factory.children);
        }
        Path bin = anvil ? anvilBinary() : null;
        // enterable by others: under root the embedded server runs as nobody
        Path work = Files.createTempDirectory("evm-indexer-bench",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(work.resolve("pgdata"), 0)) {
            if (anvil) return anvilBench(out, pg, work, bin);
            DevChain chain = null;
            DevChainServer server = null;
            String url = rpc;
            long chainId;
            long last;
            String addresses;
            if (rpc == null) {
                chain = new DevChain(CHAIN_ID, 0).withoutReceiptsRoots(); // a real root per header would skew the figures
                int perBlock = (int) Math.max(1, logs / blocks);
                long t0 = System.nanoTime();
                Random random = new Random(seed);
                chain.pregenerate(blocks / 2, perBlock + perBlock / 9, random);
                if (denseBlock > 0) chain.mineRandom(random, denseBlock);
                chain.pregenerate(blocks - blocks / 2 - (denseBlock > 0 ? 1 : 0), perBlock + perBlock / 9, random);
                out.printf("bench: devchain pre-generated %d blocks (%d transfers each, plus non-matching logs; one of %d "
                        + "transfers in the middle) in %.1fs%n", blocks, perBlock, denseBlock, (System.nanoTime() - t0) / 1e9);
                server = DevChainServer.start(chain, new InetSocketAddress("127.0.0.1", 0));
                url = server.url().toString();
                chainId = CHAIN_ID;
                last = chain.head();
                addresses = String.join(", ", DevChain.TOKENS.stream().map(a -> a.hex()).toList());
            } else {
                if (address == null) throw new IllegalArgumentException("--rpc needs --address (the token contract)");
                chainId = quantity(rpc, "eth_chainId");
                last = to != null ? to : quantity(rpc, "eth_blockNumber");
                addresses = address;
            }
            try {
                if (workers > 0) return workersBench(out, pg, work, chainId, url, last, addresses, chain);
                Path cfg = work.resolve("bench.yaml");
                Files.writeString(cfg, config(pg.jdbcUrl(), pg, chainId, url,
                        range > 0 ? "        max_block_range: " + range + "\n" : "", "", addresses));
                String jdbc = pg.jdbcUrl();
                out.printf("bench: the backfill runs in its own JVM with -Xmx%s (%s)%n", heap(), heapSource());
                Run run = backfill(cfg, last, work.resolve("backfill.log"), heap());
                long events = count(jdbc, pg, "SELECT count(*) FROM bench_transfers");
                long expected = chain != null ? expectedRows(chain) : events;
                out.printf("bench: backfill exit %d, %d rows in %.1fs (log: %s)%n", run.exit, events, run.seconds, run.log);
                double ceiling = ceiling(jdbc, pg, work.resolve("rows.copy"));
                out.printf("bench: raw COPY of the same %d rows into an identical empty table: %.1fs%n", events, ceiling);
                if (events != expected || run.exit != 0) {
                    out.printf("bench: WRONG: expected %d rows, table has %d (backfill exit %d)%n", expected, events, run.exit);
                    return 1;
                }
                double rate = events / run.seconds;
                double copyRate = events / ceiling;
                if (reconcile) {
                    Files.writeString(cfg, config(jdbc, pg, chainId, url, range > 0 ? "        max_block_range: " + range + "\n" : "",
                            "    reconcile: all\n    reconcile_rps: " + reconcileRps + "\n", addresses) + "ops:\n  port: 0\n");
                    return BenchReconcile.report(out, BenchReconcile.run(cfg, jdbc, pg, work.resolve("reconcile.log"), heap()),
                            run.seconds, run.peakRssKb, events, reconcileRps);
                }
                out.printf("bench: events=%d seconds=%.2f events_per_s=%.0f copy_rows_per_s=%.0f ratio=%.2f peak_rss_mb=%d%s%n",
                        events, run.seconds, rate, copyRate, rate / copyRate, run.peakRssKb / 1024, fieldsNote());
                return 0;
            } finally {
                if (server != null) server.close();
            }
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The --workers mode: 1..N processes share one backfill; each run checked; then the raw COPY ceiling. */
    private int workersBench(PrintWriter out, EmbeddedPostgresServer pg, Path work, long chainId, String url, long last,
            String addresses, DevChain chain) throws Exception {
        long expected = chain != null ? expectedRows(chain) : -1;
        String rangeLine = range > 0 ? "        max_block_range: " + range + "\n" : "";
        out.printf("bench: %d worker runs, each process with -Xmx%s (%s), on %d cores%n", workers, heap(), heapSource(),
                Runtime.getRuntime().availableProcessors());
        List<BenchWorkers.Result> results = BenchWorkers.run(out, pg, workers, last, expected, work, jdbc -> {
            try {
                Path cfg = work.resolve("workers-" + Integer.toHexString(jdbc.hashCode()) + ".yaml");
                Files.writeString(cfg, config(jdbc, pg, chainId, url, rangeLine, "", addresses));
                return cfg;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, heap());
        BenchWorkers.Result lastRun = results.get(results.size() - 1);
        double ceiling = ceiling(pg.jdbcUrl("bench_workers_" + workers), pg, work.resolve("rows.copy"));
        out.printf("bench: raw COPY of the same %d rows into an identical empty table: %.1fs (%.0f rows/s)%n", lastRun.events(),
                ceiling, lastRun.events() / ceiling);
        boolean wrong = results.stream().anyMatch(r -> r.events() != expected || r.exits().stream().anyMatch(e -> e != 0));
        return wrong ? 1 : 0;
    }

    /** The backfill JVM's heap, as {@code scripts/indexer} would give it: --xmx, else INDEXER_HEAP, else 256m. */
    private String heap() {
        String env = System.getenv().getOrDefault("INDEXER_HEAP", "").strip();
        return xmx != null ? xmx : env.isEmpty() ? DEFAULT_ANVIL_HEAP : env;
    }

    private String heapSource() {
        String env = System.getenv().getOrDefault("INDEXER_HEAP", "").strip();
        return xmx != null ? "--xmx" : env.isEmpty() ? "INDEXER_HEAP unset, default " + DEFAULT_ANVIL_HEAP : "INDEXER_HEAP";
    }

    /** The --anvil mode: the default-configuration run, then one per --fixed range, each checked. */
    private int anvilBench(PrintWriter out, EmbeddedPostgresServer pg, Path work, Path bin) throws Exception {
        String heap = heap();
        String why = heapSource();
        try (AnvilBenchChain chain = AnvilBenchChain.serve(bin, cacheDir.toAbsolutePath(), AnvilBenchChain.Recipe.STANDARD, work, out)) {
            out.printf("bench: each backfill runs in its own JVM with -Xmx%s (%s)%n", heap, why);
            List<String> wrong = new java.util.ArrayList<>();
            AnvilRun first = anvilRun(out, pg, chain, 0, 0, heap, work, wrong);
            double copyRate = 0;
            if (first.wrong == null) {
                double ceiling = ceiling(pg.jdbcUrl(first.database), pg, work.resolve("rows.copy"));
                copyRate = first.events / ceiling;
                out.printf("bench: raw COPY of the same %d rows into an identical empty table: %.1fs%n", first.events, ceiling);
            }
            dropDatabase(pg, first.database);
            double bestFixed = 0;
            for (int n : fixed) {
                if (n <= 0) continue;
                // as many fetchers as the default run had: only the range differs
                AnvilRun r = anvilRun(out, pg, chain, n, first.fetchers, heap, work, wrong);
                dropDatabase(pg, r.database);
                if (r.wrong == null) bestFixed = Math.max(bestFixed, r.events / r.run.seconds);
            }
            if (!wrong.isEmpty()) {
                wrong.forEach(w -> out.println("bench: WRONG: " + w));
                return 1;
            }
            double rate = first.events / first.run.seconds;
            out.printf("bench: events=%d seconds=%.2f events_per_s=%.0f copy_rows_per_s=%.0f ratio=%.2f peak_rss_mb=%d "
                    + "best_fixed_events_per_s=%.0f%s%n", first.events, first.run.seconds, rate, copyRate, rate / copyRate,
                    first.run.peakRssKb / 1024, bestFixed, fieldsNote());
            return 0;
        }
    }

    /** The --anvil-bin option, else $ANVIL_BIN; refused clearly when it is not an executable file. */
    private Path anvilBinary() {
        if (rpc != null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--anvil and --rpc exclude each other");
        Path bin = anvilBin;
        if (bin == null && System.getenv("ANVIL_BIN") != null && !System.getenv("ANVIL_BIN").isBlank()) bin = Path.of(System.getenv("ANVIL_BIN"));
        if (bin == null || !Files.isRegularFile(bin) || !Files.isExecutable(bin)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--anvil needs the anvil executable: "
                    + (bin == null ? "neither --anvil-bin nor $ANVIL_BIN is set" : bin + " is not an executable file")
                    + "; scripts/bench --anvil installs anvil into .tools/ and passes it");
        }
        return bin;
    }

    record AnvilRun(String database, Run run, long events, String wrong, int fetchers) {}

    /**
     * One backfill of the whole anvil chain into a fresh database: the default configuration when {@code range}
     * is 0, else {@code max_block_range: range} (and {@value #LOGS_PER_CALL_KEY} unless --logs-per-call is 0).
     */
    private AnvilRun anvilRun(PrintWriter out, EmbeddedPostgresServer pg, AnvilBenchChain chain, int range, int fetchers,
            String heap, Path work, List<String> wrong) throws Exception {
        String label = range == 0 ? "default" : "fixed_" + range;
        String database = "bench_" + label;
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        String rpcExtra = range == 0 ? "" : "        max_block_range: " + range + "\n"
                + (logsPerCall > 0 ? "        " + LOGS_PER_CALL_KEY + ": " + logsPerCall + "\n" : "");
        Path cfg = work.resolve(label + ".yaml");
        Files.writeString(cfg, config(pg.jdbcUrl(database), pg, AnvilBenchChain.CHAIN_ID, chain.url(), rpcExtra,
                fetchers > 0 ? "    max_fetchers: " + fetchers + "\n" : "", chain.built.token()));
        Run run = backfill(cfg, chain.built.head(), work.resolve(label + ".log"), heap);
        long events = 0;
        String problem;
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), pg.password())) {
            events = count(pg.jdbcUrl(database), pg, "SELECT count(*) FROM bench_transfers");
            problem = chain.check(c, "bench_transfers");
        } catch (java.sql.SQLException e) {
            problem = "42P01".equals(e.getSQLState()) ? "no table bench_transfers"
                    : "reading bench_transfers: " + e.getMessage().replace('\n', ' ');
        }
        if (run.exit != 0) problem = "backfill exit " + run.exit + " (" + lastLine(run.log) + ")" + (problem.isEmpty() ? "" : "; " + problem);
        out.printf("bench: run=%s %s events=%d seconds=%.2f events_per_s=%.0f peak_rss_mb=%d exit=%d check=%s%n", label,
                range == 0 ? "(one rpc url, nothing tuned)" : "max_block_range=" + range
                        + (logsPerCall > 0 ? " " + LOGS_PER_CALL_KEY + "=" + logsPerCall : "") + " max_fetchers=" + fetchers,
                events, run.seconds, events / run.seconds, run.peakRssKb / 1024, run.exit, problem.isEmpty() ? "ok" : "WRONG");
        out.flush();
        if (!problem.isEmpty()) wrong.add("run=" + label + ": " + problem);
        return new AnvilRun(database, run, events, problem.isEmpty() ? null : problem, fetchersOf(run.log));
    }

    private static void dropDatabase(EmbeddedPostgresServer pg, String database) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** The fetchers a backfill ran with, from its {@code range.setup} log line (0 when it has none). */
    private static int fetchersOf(Path log) {
        try {
            for (String line : Files.readAllLines(log)) {
                var m = java.util.regex.Pattern.compile("range\\.setup .*fetchers=(\\d+)").matcher(line);
                if (m.find()) return Integer.parseInt(m.group(1));
            }
        } catch (Exception unreadable) {
            // nothing to read
        }
        return 0;
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) if (!lines.get(i).isBlank()) return lines.get(i).strip();
        } catch (Exception unreadable) {
            // nothing to quote
        }
        return "no output";
    }

    /**
     * A backfill config for the bench: one chain {@code bench} at {@code rpcUrl} (with {@code rpcExtra} lines in its
     * rpc entry and {@code chainExtra} lines in the chain), finality 0, the Transfers of {@code addresses} into
     * {@code bench_transfers}, with the {@code --fields} columns.
     */
    private String config(String jdbcUrl, EmbeddedPostgresServer pg, long chainId, String rpcUrl, String rpcExtra,
            String chainExtra, String addresses) {
        return configWithSources(jdbcUrl, pg, chainId, rpcUrl, rpcExtra, chainExtra, """
                  - name: tokens
                    chain: bench
                    addresses: [%s]
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: bench_transfers
                %s""".formatted(addresses, fields.isEmpty() ? "" : "        fields: [" + String.join(", ", fields) + "]\n"));
    }

    /** As above, with the {@code sources:} entries given (YAML list items, indented by two). */
    static String configWithSources(String jdbcUrl, EmbeddedPostgresServer pg, long chainId, String rpcUrl, String rpcExtra,
            String chainExtra, String sources) {
        return """
                database:
                  url: "%s"
                  user: %s
                  password: "%s"
                chains:
                  - name: bench
                    chain_id: %d
                    rpc:
                      - url: %s
                %s%s    finality: 0
                sources:
                %s""".formatted(jdbcUrl, pg.user(), pg.password(), chainId, rpcUrl.replace("$", "$$"), rpcExtra, chainExtra, sources);
    }

    /** {@code " fields=a,b"} on the result line when the table has fields, else nothing. */
    private String fieldsNote() {
        return fields.isEmpty() ? "" : " fields=" + String.join(",", fields);
    }

    record Run(int exit, double seconds, long peakRssKb, Path log) {}

    /**
     * The backfill in its own JVM with the heap capped; its peak RSS is read from /proc while it runs. A run
     * over {@link #RUN_TIMEOUT} is killed (exit -1).
     */
    static Run backfill(Path cfg, long last, Path log, String xmx) throws Exception {
        return backfill(cfg, last, log, xmx, List.of());
    }

    /** As {@link #backfill(Path, long, Path, String)}, with {@code jvmArgs} (e.g. system properties) for the backfill's JVM. */
    static Run backfill(Path cfg, long last, Path log, String xmx, List<String> jvmArgs) throws Exception {
        long t0 = System.nanoTime();
        Process p = startBackfill(cfg, last, log, xmx, jvmArgs);
        long peak = 0;
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        long deadline = t0 + RUN_TIMEOUT.toNanos();
        while (p.isAlive()) {
            peak = Math.max(peak, vmHwmKb(status));
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor();
                Files.writeString(log, "bench: killed after " + RUN_TIMEOUT + "\n", StandardOpenOption.APPEND);
                return new Run(-1, (System.nanoTime() - t0) / 1e9, peak, log);
            }
            Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Run(p.waitFor(), seconds, peak, log);
    }

    /** {@code backfill --from 0 --to last} of this jar in its own JVM with heap {@code xmx}, output to {@code log}. */
    static Process startBackfill(Path cfg, long last, Path log, String xmx) throws Exception {
        return startBackfill(cfg, last, log, xmx, List.of());
    }

    static Process startBackfill(Path cfg, long last, Path log, String xmx, List<String> jvmArgs) throws Exception {
        return start(log, xmx, jvmArgs, "backfill", "--config", cfg.toString(), "--from", "0", "--to", Long.toString(last));
    }

    /** This jar's command {@code args} in its own JVM with heap {@code xmx}, output and errors to {@code log}. */
    static Process start(Path log, String xmx, List<String> jvmArgs, String... args) throws Exception {
        Path jar = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx" + xmx));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static long vmHwmKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (Exception gone) {
            // the process just exited
        }
        return 0;
    }

    /** What the indexer must produce: every Transfer from the tokens with the ERC-20 shape. */
    private static long expectedRows(DevChain chain) {
        long n = 0;
        for (long from = 0; from <= chain.head(); from += 1000) {
            for (var l : chain.logs(from, Math.min(chain.head(), from + 999))) {
                if (DevChain.TOKENS.contains(l.address()) && l.topics().size() == 3
                        && l.topics().get(0).equals(DevChain.TRANSFER_TOPIC)) n++;
            }
        }
        return n;
    }

    /** COPYs the indexed rows out to a file, then times COPY of that file into an identical empty table. */
    private static double ceiling(String jdbc, EmbeddedPostgresServer pg, Path file) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, pg.user(), pg.password())) {
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
                copy.copyOut("COPY bench_transfers TO STDOUT", os);
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE bench_ceiling (LIKE bench_transfers INCLUDING ALL)");
            }
            long t0 = System.nanoTime();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                copy.copyIn("COPY bench_ceiling FROM STDIN", in);
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** One parameterless JSON-RPC call answering a quantity. */
    private static long quantity(String url, String method) throws Exception {
        var body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[]}";
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        String answer = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer).get("result");
        if (node == null || !node.isTextual()) throw new IllegalStateException(method + " failed at the --rpc node: " + answer);
        return dev.evmindexer.eth.Hex.quantity(node.asText());
    }

    static long count(String jdbc, EmbeddedPostgresServer pg, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, pg.user(), pg.password()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
