package dev.evmindexer.cli;

import dev.evmindexer.store.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code bench --workers N}: the same backfill shared by 1, 2, ... N processes at once (each a `backfill` of the
 * whole range on one PostgreSQL, sharing claimed units), each run into a fresh database and checked; prints events/s
 * per run and how busy the machine's cores were, so one can see whether the database or the cores set the limit.
 */
final class BenchWorkers {
    private BenchWorkers() {}

    /** One run of {@code n} workers: events/s, wall time, and the share of all cores busy meanwhile. */
    record Result(int workers, long events, double seconds, double cpuBusy, List<Integer> exits) {}

    /**
     * Runs 1..{@code max} workers; {@code config} writes a config for a database and returns its path;
     * {@code expected} is the rows the table must hold.
     */
    static List<Result> run(PrintWriter out, EmbeddedPostgresServer pg, int max, long last, long expected, Path work,
            Function<String, Path> config, String heap) throws Exception {
        List<Result> results = new ArrayList<>();
        for (int n = 1; n <= max; n++) {
            String database = "bench_workers_" + n;
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + database);
            }
            Path cfg = config.apply(pg.jdbcUrl(database));
            long[] cpu0 = cpuJiffies();
            long t0 = System.nanoTime();
            List<Process> procs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                procs.add(BenchCommand.startBackfill(cfg, last, work.resolve("workers-" + n + "-" + i + ".log"), heap));
            }
            List<Integer> exits = new ArrayList<>();
            for (Process p : procs) exits.add(p.waitFor());
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] cpu1 = cpuJiffies();
            double busy = cpu1[1] == cpu0[1] ? 0 : (double) (cpu1[0] - cpu0[0]) / (cpu1[1] - cpu0[1]);
            long events;
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), pg.password()); Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT count(*) FROM bench_transfers")) {
                rs.next();
                events = rs.getLong(1);
            }
            Result r = new Result(n, events, seconds, busy, exits);
            out.printf("bench: workers=%d events=%d seconds=%.2f events_per_s=%.0f cpu_busy=%.0f%% exits=%s check=%s%n", n,
                    events, seconds, events / seconds, busy * 100, exits, events == expected && exits.stream().allMatch(e -> e == 0)
                            ? "ok" : "WRONG (expected " + expected + " rows)");
            out.flush();
            results.add(r);
            if (n < max) {
                try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE " + database + " WITH (FORCE)");
                }
            }
        }
        return results;
    }

    /** Busy and total jiffies of all cores, from /proc/stat (zeros where there is none). */
    private static long[] cpuJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+", -1);
            long total = 0;
            for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (Exception none) {
            return new long[] {0, 0};
        }
    }
}
