package dev.evmindexer.daemon;

import dev.evmindexer.pipeline.ChainPipeline;
import dev.evmindexer.pipeline.Outcome;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chain's loop: first runs its {@code connect} step (checking the chain's endpoints: a node that is down delays
 * only its own chain) until it succeeds, then leads the chain (its lease) or waits as a standby until it can, steps
 * the pipeline, sleeps when
 * idle, and retries every failure with backoff (classified by {@link Failures}); it never exits on its own. {@link #stop()}
 * takes effect between steps, so a transaction in progress always finishes.
 */
public final class ChainLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ChainLoop.class);
    static final Duration BACKOFF_BASE = Duration.ofMillis(250);
    static final Duration BACKOFF_CAP = Duration.ofSeconds(30);

    private final ChainPipeline pipeline;
    private final ChainLease lease;
    private final Duration pollInterval;
    private final ChainStatus status;
    private final Runnable connect;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Backoff backoff = new Backoff(BACKOFF_BASE, BACKOFF_CAP);
    private volatile boolean stopping;

    public ChainLoop(ChainPipeline pipeline, ChainLease lease, Duration pollInterval, ChainStatus status) {
        this(pipeline, lease, pollInterval, status, null);
    }

    /**
     * @param connect run in the loop before anything else, retried like a failed step until it returns (null:
     *                nothing to connect)
     */
    public ChainLoop(ChainPipeline pipeline, ChainLease lease, Duration pollInterval, ChainStatus status,
            Runnable connect) {
        this.pipeline = pipeline;
        this.lease = lease;
        this.pollInterval = pollInterval;
        this.status = status;
        this.connect = connect;
    }

    public ChainStatus status() {
        return status;
    }

    @Override
    public void run() {
        String chain = pipeline.settings().name();
        boolean connected = connect == null;
        try {
            while (!stopping) {
                try {
                    if (!connected) {
                        status.stepStarted();
                        connect.run();
                        connected = true;
                        status.lastError(null);
                        backoff.reset();
                        log.info("connected chain={}", chain);
                        continue;
                    }
                    boolean leading = leads(chain);
                    status.stepStarted();
                    // a standby takes its share of the range work below F while it waits
                    Outcome o = leading ? pipeline.step() : pipeline.rangeWork();
                    status.stepEnded();
                    status.progressed();
                    status.lastError(null);
                    backoff.reset();
                    switch (o) {
                        case Outcome.Advanced a -> {
                            status.blocks.addAndGet(a.blocks());
                            status.rows.addAndGet(a.rows());
                            if (a.tip() >= 0) status.tip.set(a.tip());
                            status.halted(null);
                        }
                        case Outcome.Reorged r -> {
                            status.reorgs.incrementAndGet();
                            status.rowsRolledBack.addAndGet(r.rowsDeleted());
                            status.tip.set(r.ancestor());
                        }
                        case Outcome.Idle idle -> {
                            status.halted(null);
                            pause(leading ? pollInterval : STANDBY_POLL);
                        }
                        case Outcome.Halted h -> {
                            if (status.halted() == null) log.error("halt chain={} reason=\"{}\"", chain, h.reason());
                            status.halted(h.reason());
                            pause(pollInterval.multipliedBy(5)); // stays halted until a manual rollback clears it
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (RuntimeException | java.sql.SQLException | Error e) {
                    status.stepEnded();
                    if (stopping) break;
                    onFailure(chain, e);
                } finally {
                    status.stepEnded();
                }
            }
        } finally {
            status.markLoopEnded();
            lease.close();
            stopped.countDown();
            log.info("loop.stopped chain={}", chain);
        }
    }

    private void onFailure(String chain, Throwable e) {
        status.errors.incrementAndGet();
        Failures.Kind kind = Failures.classify(e);
        status.lastError(Failures.describe(e), kind);
        if (kind == Failures.Kind.LEASE) {
            log.warn("lease.fenced chain={} cause=\"{}\"", chain, Failures.describe(e));
            lease.fenced();
            return;
        }
        if (kind == Failures.Kind.REPLAN) {
            log.info("replan chain={} cause=\"{}\"", chain, Failures.describe(e));
            return;
        }
        Duration delay = backoff.next();
        if (kind == Failures.Kind.UNEXPECTED) {
            log.error("step.failed chain={} kind={} retry_in={}ms", chain, kind, delay.toMillis(), e);
        } else {
            log.warn("step.failed chain={} kind={} retry_in={}ms cause=\"{}\"", chain, kind, delay.toMillis(),
                    Failures.describe(e));
        }
        try {
            pause(delay);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    /** Sleeps, but wakes at once when stopping. */
    private void pause(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        while (!stopping) {
            long left = until - System.nanoTime();
            if (left <= 0) return;
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    /** How often a standby tries the lease. */
    static final Duration STANDBY_POLL = Duration.ofSeconds(1);

    /** Leads the chain or waits as its standby; logs each change of role once. */
    private boolean leads(String chain) throws java.sql.SQLException {
        boolean was = status.leading();
        String before = status.standbyFor();
        boolean now = lease.lead();
        status.leading(now, lease.leader());
        if (!now && (was || before == null)) {
            log.info("standby chain={} leader=\"{}\": taking over when it goes away", chain, lease.leader());
        }
        return now;
    }

    /** Asks the loop to stop after the current step; does not interrupt I/O in progress. */
    public void stop() {
        stopping = true;
    }

    /** Waits for the loop to finish; true when it did within {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
