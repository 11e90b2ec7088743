package dev.evmindexer.ops;

import dev.evmindexer.daemon.ChainStatus;
import dev.evmindexer.store.OpsQueries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Liveness and readiness, each with a body that says why.
 *
 * <ul>
 *   <li>{@code /healthz}: the process is alive and no chain's loop is wedged: every loop is still running
 *       and no step has been running longer than {@link #WEDGED_AFTER} (every step is bounded by RPC and
 *       statement timeouts, so a step that long is stuck). Failing steps are healthy: they are retried.
 *   <li>{@code /readyz}: the database answers within {@link #DB_TIMEOUT}, and every chain has a known
 *       head, is not halted, and is at most {@code maxLagBlocks} behind the head; a chain that is not ready
 *       also names its loop's last error (e.g. why none of its endpoints answers). A chain another process
 *       leads is in standby here: ready (200), {@code "status": "standby"}, naming the leader.
 * </ul>
 *
 * <p>Served from the start of the process: until {@link #started}, {@code /healthz} is ok ("starting") and
 * {@code /readyz} is not ready, naming the stage start-up is in.
 *
 * <ul>
 * </ul>
 */
public final class Health {
    public static final Duration WEDGED_AFTER = Duration.ofMinutes(10);
    public static final Duration DB_TIMEOUT = Duration.ofSeconds(3);

    /** One verdict: {@code ok} decides the HTTP status (200 or 503), {@code body} says why. */
    public record Report(boolean ok, Map<String, Object> body) {}

    private volatile List<ChainStatus> loops;
    private volatile Map<String, ChainMetrics> chains;
    private volatile DataSource ds;
    /** What start-up is doing, until {@link #started}; null once started. */
    private volatile String starting;
    private final long maxLagBlocks;
    private final Duration wedgedAfter;

    public Health(List<ChainStatus> loops, Map<String, ChainMetrics> chains, DataSource ds, long maxLagBlocks,
            Duration wedgedAfter) {
        this.maxLagBlocks = maxLagBlocks;
        this.wedgedAfter = wedgedAfter;
        started(loops, chains, ds);
    }

    private Health(long maxLagBlocks, String stage) {
        this.maxLagBlocks = maxLagBlocks;
        this.wedgedAfter = WEDGED_AFTER;
        this.starting = stage;
    }

    /**
     * Health while the process starts (served before the database is open): alive, not ready, the reason
     * saying which stage start-up is in, until {@link #started}.
     */
    static Health starting(long maxLagBlocks, String stage) {
        return new Health(maxLagBlocks, stage);
    }

    /** While starting: what start-up is doing now (the reason {@code /readyz} gives). */
    void stage(String stage) {
        if (starting != null) starting = stage;
    }

    /** Start-up is done: from now on the chains' loops, their metrics and the database are checked. */
    void started(List<ChainStatus> loops, Map<String, ChainMetrics> chains, DataSource ds) {
        this.loops = List.copyOf(loops);
        this.chains = Map.copyOf(chains);
        this.ds = ds;
        this.starting = null;
    }

    public Health(List<ChainStatus> loops, Map<String, ChainMetrics> chains, DataSource ds, long maxLagBlocks) {
        this(loops, chains, ds, maxLagBlocks, WEDGED_AFTER);
    }

    public Report live() {
        String stage = starting;
        if (stage != null) return new Report(true, Map.of("status", "starting", "stage", stage));
        boolean ok = true;
        Map<String, Object> perChain = new LinkedHashMap<>();
        for (ChainStatus s : loops) {
            Map<String, Object> c = new LinkedHashMap<>();
            long running = s.runningStepNanos();
            c.put("step_running_seconds", TimeUnit.NANOSECONDS.toSeconds(running));
            c.put("failed_steps", s.errors.get());
            if (s.lastError() != null) c.put("last_error", s.lastError());
            String problem = null;
            if (s.loopEnded()) problem = "the chain's loop has stopped";
            else if (running > wedgedAfter.toNanos()) problem = "a step has been running for "
                    + TimeUnit.NANOSECONDS.toSeconds(running) + "s (limit " + wedgedAfter.toSeconds() + "s): wedged";
            c.put("ok", problem == null);
            if (problem != null) {
                c.put("reason", problem);
                ok = false;
            }
            perChain.put(s.chain, c);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ok ? "ok" : "failing");
        body.put("chains", perChain);
        return new Report(ok, body);
    }

    public Report ready() {
        String stage = starting;
        if (stage != null) return new Report(false, Map.of("status", "not ready", "reasons", List.of("starting: " + stage)));
        List<String> reasons = new ArrayList<>();
        boolean db = databaseAnswers();
        if (!db) reasons.add("database does not answer within " + DB_TIMEOUT.toSeconds() + "s");
        Map<String, Object> perChain = new LinkedHashMap<>();
        boolean standby = false;
        for (ChainMetrics m : chains.values()) {
            String leader = leaderOf(m);
            if (leader != null) standby = true; // another process leads the chain: nothing here to lag, nothing wrong
            List<String> why = chainProblems(m, db);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("ready", why.isEmpty());
            c.put("role", leader == null ? "leader" : "standby");
            if (leader != null) c.put("leader", leader);
            c.put("head", m.head());
            c.put("finalized", m.finalized());
            c.put("indexed", m.indexed());
            c.put("lag_blocks", m.lagBlocks());
            if (!why.isEmpty()) c.put("reasons", why);
            perChain.put(m.chain(), c);
            why.forEach(w -> reasons.add("chain " + m.chain() + ": " + w));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", !reasons.isEmpty() ? "not ready" : standby ? "standby" : "ready");
        if (!reasons.isEmpty()) body.put("reasons", reasons);
        body.put("database", Map.of("ok", db));
        body.put("chains", perChain);
        return new Report(reasons.isEmpty(), body);
    }

    /**
     * Why {@code m}'s chain is not ready (empty when it is), without asking the database: halted, no RPC answer
     * lately, no head yet or too far behind, its loop stopped; then the loop's last error, if any.
     */
    List<String> chainProblems(ChainMetrics m) {
        return chainProblems(m, true);
    }

    /**
     * As {@link #chainProblems(ChainMetrics)}; with the database away ({@code !dbAnswers}) the chain waits for it, which
     * is said instead of judging the RPC endpoints: a loop failing on the database makes no calls to them.
     */
    private List<String> chainProblems(ChainMetrics m, boolean dbAnswers) {
        List<String> why = new ArrayList<>();
        if (leaderOf(m) == null) { // a standby has nothing to lag and nothing wrong
            if (m.haltedReason() != null) why.add("halted: " + m.haltedReason());
            if (!dbAnswers) why.add("waiting for the database, which does not answer");
            else if (!m.rpcAnswering()) why.add("no RPC endpoint has answered lately: every endpoint is down or failing");
            if (m.head() < 0) why.add("no head seen from the node yet");
            else if (m.lagBlocks() > maxLagBlocks) why.add(m.lagBlocks() + " blocks behind the head (limit " + maxLagBlocks + ")");
        }
        List<ChainStatus> known = loops == null ? List.of() : loops;
        ChainStatus loop = known.stream().filter(s -> s.chain.equals(m.chain())).findFirst().orElse(null);
        if (loop != null && loop.loopEnded()) why.add("the chain's loop has stopped");
        if (loop != null && !why.isEmpty() && loop.lastError() != null) why.add("last error: " + loop.lastError());
        return why;
    }

    /** The process leading {@code m}'s chain while this one is its standby, else null. */
    private String leaderOf(ChainMetrics m) {
        List<ChainStatus> known = loops == null ? List.of() : loops;
        return known.stream().filter(s -> s.chain.equals(m.chain())).map(ChainStatus::standbyFor)
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    /** {@code SELECT 1} on a pooled connection, given up after {@link #DB_TIMEOUT} (borrowing may wait longer). */
    private boolean databaseAnswers() {
        FutureTask<Boolean> f = new FutureTask<>(() -> OpsQueries.ping(ds, (int) DB_TIMEOUT.toSeconds()));
        Thread.ofVirtual().name("readyz-db").start(f); // not awaited past the timeout: a hung borrow ends on its own
        try {
            return f.get(DB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
