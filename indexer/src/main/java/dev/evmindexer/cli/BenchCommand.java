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
 */
@Command(name = "bench", description = "Measure a full backfill against the raw COPY ceiling; prints figures.")
final class BenchCommand implements Callable<Integer> {
    static final long CHAIN_ID = 1337;

    @Option(names = "--logs", defaultValue = "2000000", description = "ERC-20 transfers to index (default ${DEFAULT-VALUE})")
    long logs;

    @Option(names = "--blocks", defaultValue = "20000", description = "blocks to spread them over (default ${DEFAULT-VALUE})")
    int blocks;

    @Option(names = "--xmx", defaultValue = "512m", description = "heap cap of the backfill process (default ${DEFAULT-VALUE})")
    String xmx;

    @Option(names = "--range", defaultValue = "250", description = "blocks per eth_getLogs range (default ${DEFAULT-VALUE})")
    int range;

    @Option(names = "--rpc", paramLabel = "URL", description = "index this node instead of the devchain (with --address and --to)")
    String rpc;

    @Option(names = "--address", paramLabel = "0x..", description = "with --rpc: the token contract")
    String address;

    @Option(names = "--to", paramLabel = "N", description = "with --rpc: last block (default: the node's head at start)")
    Long to;

    @Option(names = "--seed", defaultValue = "7")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (blocks < 1 || logs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--logs and --blocks must be at least 1");
        }
        // enterable by others: under root the embedded server runs as nobody
        Path work = Files.createTempDirectory("evm-indexer-bench",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(work.resolve("pgdata"), 0)) {
            DevChain chain = null;
            DevChainServer server = null;
            String url = rpc;
            long chainId;
            long last;
            String addresses;
            if (rpc == null) {
                chain = new DevChain(CHAIN_ID, 0);
                int perBlock = (int) Math.max(1, logs / blocks);
                long t0 = System.nanoTime();
                chain.pregenerate(blocks, perBlock + perBlock / 9, new Random(seed));
                out.printf("bench: devchain pre-generated %d blocks (%d transfers each, plus non-matching logs) in %.1fs%n",
                        blocks, perBlock, (System.nanoTime() - t0) / 1e9);
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
                Path cfg = work.resolve("bench.yaml");
                Files.writeString(cfg, config(pg, url, chainId, addresses));
                String jdbc = pg.jdbcUrl();
                Run run = backfill(cfg, last, work.resolve("backfill.log"));
                long events = count(jdbc, pg.user(), "SELECT count(*) FROM bench_transfers");
                long expected = chain != null ? expectedRows(chain) : events;
                out.printf("bench: backfill exit %d, %d rows in %.1fs (log: %s)%n", run.exit, events, run.seconds, run.log);
                double ceiling = ceiling(jdbc, pg.user(), work.resolve("rows.copy"));
                out.printf("bench: raw COPY of the same %d rows into an identical empty table: %.1fs%n", events, ceiling);
                if (events != expected || run.exit != 0) {
                    out.printf("bench: WRONG: expected %d rows, table has %d (backfill exit %d)%n", expected, events, run.exit);
                    return 1;
                }
                double rate = events / run.seconds;
                double copyRate = events / ceiling;
                out.printf("bench: events=%d seconds=%.2f events_per_s=%.0f copy_rows_per_s=%.0f ratio=%.2f peak_rss_mb=%d%n",
                        events, run.seconds, rate, copyRate, rate / copyRate, run.peakRssKb / 1024);
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

    private String config(EmbeddedPostgresServer pg, String url, long chainId, String addresses) {
        return """
                database:
                  url: "%s"
                  user: %s
                chains:
                  - name: bench
                    chain_id: %d
                    rpc:
                      - url: %s
                        max_block_range: %d
                    finality: 0
                sources:
                  - name: tokens
                    chain: bench
                    addresses: [%s]
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: bench_transfers
                """.formatted(pg.jdbcUrl(), pg.user(), chainId, url.replace("$", "$$"), range, addresses);
    }

    record Run(int exit, double seconds, long peakRssKb, Path log) {}

    /** The backfill in its own JVM with the heap capped; its peak RSS is read from /proc while it runs. */
    private Run backfill(Path cfg, long last, Path log) throws Exception {
        Path jar = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-Xmx" + xmx, "-jar", jar.toString(), "backfill", "--config", cfg.toString(),
                "--from", "0", "--to", Long.toString(last));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long peak = 0;
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        while (p.isAlive()) {
            peak = Math.max(peak, vmHwmKb(status));
            Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Run(p.waitFor(), seconds, peak, log);
    }

    private static long vmHwmKb(Path status) {
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
    private static double ceiling(String jdbc, String user, Path file) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, user, null)) {
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

    private static long count(String jdbc, String user, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, user, null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
