package dev.evmindexer.daemon;

import dev.evmindexer.pipeline.ChainPipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one {@link ChainLoop} per chain on its own named thread; stops them all gracefully. */
public final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final List<ChainLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<ReconcileLoop> reconcilers = new ArrayList<>();

    /** This process as the chains' rows name their leader: application, pid and host. */
    public static final String PROCESS = "evm-indexer run, pid " + ProcessHandle.current().pid() + " on "
            + System.getenv().getOrDefault("HOSTNAME", "this host");

    /**
     * Adds a chain. Its loop leads the chain when it can take its lease and waits as a standby otherwise; {@code fence}
     * learns each leader generation it gets (the store checks it in every tip write).
     */
    public ChainLoop add(ChainPipeline pipeline, DataSource ds, Duration pollInterval, ChainLease.Fence fence) {
        return add(pipeline, ds, pollInterval, fence, null);
    }

    /** As {@link #add(ChainPipeline, DataSource, Duration, ChainLease.Fence)}, the loop running {@code connect} first. */
    public ChainLoop add(ChainPipeline pipeline, DataSource ds, Duration pollInterval, ChainLease.Fence fence,
            Runnable connect) {
        var s = pipeline.settings();
        ChainLoop loop = new ChainLoop(pipeline, new ChainLease(ds, s.chainId(), s.name(), PROCESS, fence), pollInterval,
                new ChainStatus(s.name()), connect);
        loops.add(loop);
        return loop;
    }

    /** Adds a chain's background reconciliation, run on its own virtual thread beside the chain's loop. */
    public void add(ReconcileLoop reconciler) {
        reconcilers.add(reconciler);
    }

    public List<ChainLoop> loops() {
        return List.copyOf(loops);
    }

    public void start() {
        for (ChainLoop loop : loops) {
            Thread t = Thread.ofPlatform().name("chain-" + loop.status().chain).unstarted(loop);
            threads.add(t);
            t.start();
        }
        for (ReconcileLoop r : reconcilers) {
            Thread t = Thread.ofVirtual().name("reconcile-" + r.chain()).unstarted(r);
            threads.add(t);
            t.start();
        }
    }

    /** Asks every loop to stop after its current step; returns at once (safe from a signal handler). */
    public void requestStop() {
        log.info("shutdown requested: finishing the current transactions");
        loops.forEach(ChainLoop::stop);
        reconcilers.forEach(ReconcileLoop::stop);
    }

    /** Stops every loop between transactions and waits up to {@link #DRAIN_TIMEOUT} for them. */
    @Override
    public void close() throws InterruptedException {
        loops.forEach(ChainLoop::stop);
        reconcilers.forEach(ReconcileLoop::stop);
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        for (ChainLoop loop : loops) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!loop.awaitStopped(left)) log.warn("shutdown chain={} did not stop within {}s", loop.status().chain,
                    DRAIN_TIMEOUT.toSeconds());
        }
    }

    /** Waits until every loop has stopped (they only stop when asked). */
    public void join() throws InterruptedException {
        for (Thread t : threads) t.join();
    }
}
