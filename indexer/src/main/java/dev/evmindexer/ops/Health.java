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
 *       head, is not halted, and is at most {@code maxLagBlocks} behind the head. A chain another process
 *       leads is in standby here: ready (200), {@code "status": "standby"}, naming the leader.
 * </ul>
 */
public final class Health {
    public static final Duration WEDGED_AFTER = Duration.ofMinutes(10);
    public static final Duration DB_TIMEOUT = Duration.ofSeconds(3);

    /** One verdict: {@code ok} decides the HTTP status (200 or 503), {@code body} says why. */
    public record Report(boolean ok, Map<String, Object> body) {}

    private final List<ChainStatus> loops;
    private final Map<String, ChainMetrics> chains;
    private final DataSource ds;
    private final long maxLagBlocks;
    private final Duration wedgedAfter;

    public Health(List<ChainStatus> loops, Map<String, ChainMetrics> chains, DataSource ds, long maxLagBlocks,
            Duration wedgedAfter) {
        this.loops = List.copyOf(loops);
        this.chains = Map.copyOf(chains);
        this.ds = ds;
        this.maxLagBlocks = maxLagBlocks;
        this.wedgedAfter = wedgedAfter;
    }

    public Health(List<ChainStatus> loops, Map<String, ChainMetrics> chains, DataSource ds, long maxLagBlocks) {
        this(loops, chains, ds, maxLagBlocks, WEDGED_AFTER);
    }

    public Report live() {
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
        List<String> reasons = new ArrayList<>();
        boolean db = databaseAnswers();
        if (!db) reasons.add("database does not answer within " + DB_TIMEOUT.toSeconds() + "s");
        Map<String, Object> perChain = new LinkedHashMap<>();
        boolean standby = false;
        for (ChainMetrics m : chains.values()) {
            List<String> why = new ArrayList<>();
            String leader = loops.stream().filter(s -> s.chain.equals(m.chain())).map(ChainStatus::standbyFor)
                    .filter(java.util.Objects::nonNull).findFirst().orElse(null);
            if (leader != null) {
                standby = true; // another process leads the chain: nothing here to lag, nothing wrong
            } else {
                if (m.haltedReason() != null) why.add("halted: " + m.haltedReason());
                if (!m.rpcAnswering()) why.add("no RPC endpoint has answered lately: every endpoint is down or failing");
                if (m.head() < 0) why.add("no head seen from the node yet");
                else if (m.lagBlocks() > maxLagBlocks) why.add(m.lagBlocks() + " blocks behind the head (limit " + maxLagBlocks + ")");
            }
            loops.stream().filter(s -> s.chain.equals(m.chain()) && s.loopEnded()).findFirst()
                    .ifPresent(s -> why.add("the chain's loop has stopped"));
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
