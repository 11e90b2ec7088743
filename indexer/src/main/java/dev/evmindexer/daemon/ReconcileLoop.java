package dev.evmindexer.daemon;

import dev.evmindexer.pipeline.Reconciler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chain's background reconciliation (ARCHITECTURE.md, invariant 9) on its own virtual thread beside the chain's
 * loop: it runs {@link Reconciler#step} while ranges are due, waits a poll interval when none is, and backs off on a
 * failure (a node or the database away) and tries again, like the chain loop. It needs no lease: every write is one
 * transaction under the chain's lock and epoch, so it is safe in a standby too; its RPC rate is the reconciler's pacer.
 */
public final class ReconcileLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);

    private final String chain;
    private final Reconciler reconciler;
    private final Duration idle;
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Thread thread;

    public ReconcileLoop(String chain, Reconciler reconciler, Duration idle) {
        this.chain = chain;
        this.reconciler = reconciler;
        this.idle = idle;
    }

    public String chain() {
        return chain;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        while (stop.getCount() > 0) {
            Duration wait = Duration.ZERO;
            try {
                if (!reconciler.step()) wait = idle;
                backoff.reset();
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                wait = backoff.next();
                log.warn("reconcile.failed chain={} attempt={} retry_in_ms={} cause=\"{}\"", chain, backoff.attempts(),
                        wait.toMillis(), Failures.describe(e));
            }
            try {
                if (!wait.isZero() && stop.await(wait.toMillis(), TimeUnit.MILLISECONDS)) break;
            } catch (InterruptedException e) {
                break;
            }
        }
        log.info("reconcile.stopped chain={}", chain);
    }

    /** Stops after the current step; a re-fetch or a wait in progress is interrupted (nothing is half-written). */
    public void stop() {
        stop.countDown();
        Thread t = thread;
        if (t != null) t.interrupt();
    }
}
