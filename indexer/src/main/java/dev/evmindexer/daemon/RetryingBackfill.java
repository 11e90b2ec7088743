package dev.evmindexer.daemon;

import dev.evmindexer.pipeline.Backfill;
import dev.evmindexer.pipeline.ChainHaltedException;
import dev.evmindexer.pipeline.UnservableRangeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backfill that never gives up on a transient fault: RPC failures, database outages and timeouts ("lock not
 * available"), and epoch changes (a rollback meanwhile) are classified by {@link Failures} like the daemon's, waited
 * out with the daemon's backoff (reset after progress), and the backfill re-plans from coverage. It ends, with the
 * failure, only for what retrying cannot fix: a halted chain, a range refused even for a single block, or an
 * unexpected error (a bug, reported with what it was doing).
 */
public final class RetryingBackfill {
    private static final Logger log = LoggerFactory.getLogger(RetryingBackfill.class);

    /** Told before each wait: why, and for how long. */
    @FunctionalInterface
    public interface Waiting {
        void waiting(String why, Duration retryIn);
    }

    private RetryingBackfill() {}

    /**
     * SQLSTATE classes no wait fixes: 28 (authorization), 42 (an undefined table or column, no privilege: someone
     * dropped or changed what the indexer created), 22 (data). The daemon retries them all the same (an operator
     * may fix them under it); a backfill stops and names them.
     */
    static boolean permanentInDatabase(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException s && s.getSQLState() != null) {
                String cls = s.getSQLState().length() >= 2 ? s.getSQLState().substring(0, 2) : "";
                return cls.equals("28") || cls.equals("42") || cls.equals("22");
            }
        }
        return false;
    }

    public static Backfill.Result run(Backfill backfill, String chain, long from, long to, boolean force,
            Backfill.Progress progress, Waiting waiting) throws InterruptedException {
        Backoff backoff = new Backoff(ChainLoop.BACKOFF_BASE, ChainLoop.BACKOFF_CAP);
        long doneAtLastFailure = -1;
        while (true) {
            try {
                return backfill.run(from, to, force, progress);
            } catch (ChainHaltedException | UnservableRangeException e) {
                throw e;
            } catch (RuntimeException e) {
                Failures.Kind kind = Failures.classify(e);
                if (kind == Failures.Kind.UNEXPECTED || kind == Failures.Kind.LEASE || permanentInDatabase(e)) throw e;
                String cause = Failures.describe(e);
                if (kind == Failures.Kind.REPLAN) {
                    log.info("backfill.replan chain={} cause=\"{}\"", chain, cause);
                    continue;
                }
                if (backfill.blocksDone() > doneAtLastFailure) backoff.reset(); // it got somewhere since the last one
                doneAtLastFailure = backfill.blocksDone();
                Duration delay = backoff.next();
                log.warn("backfill.retry chain={} kind={} retry_in={}ms cause=\"{}\" (a backfill waits out RPC and "
                        + "database faults; it re-plans from what is committed)", chain, kind, delay.toMillis(), cause);
                waiting.waiting(kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + cause, delay);
                TimeUnit.MILLISECONDS.sleep(delay.toMillis());
            }
        }
    }
}
