package dev.evmindexer.ops;

import dev.evmindexer.store.OpsQueries;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's background chores on one named thread: deletes outbox rows older than the retention
 * (at start, then every {@link #PRUNE_EVERY}), and writes each chain's last seen head and safe tag into
 * {@code indexer.chains} (shown by {@code indexer.chain_status}) every {@link #HEAD_EVERY} when it
 * changed. A failure (the database away) is logged and tried again next time; it never stops indexing.
 */
public final class Housekeeping implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);
    static final Duration PRUNE_EVERY = Duration.ofMinutes(10);
    static final Duration HEAD_EVERY = Duration.ofSeconds(5);

    private final DataSource ds;
    private final IndexerMetrics metrics;
    private final Duration retention;
    private final Map<String, List<Long>> writtenHeads = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("ops-housekeeping").daemon(true).unstarted(r));

    private Housekeeping(DataSource ds, IndexerMetrics metrics, Duration retention) {
        this.ds = ds;
        this.metrics = metrics;
        this.retention = retention;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // both tasks catch their own failures; close() cancels them
    public static Housekeeping start(DataSource ds, IndexerMetrics metrics, Duration retention) {
        Housekeeping h = new Housekeeping(ds, metrics, retention);
        h.timer.scheduleWithFixedDelay(h::pruneOutbox, 0, PRUNE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        h.timer.scheduleWithFixedDelay(h::recordHeads, HEAD_EVERY.toMillis(), HEAD_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return h;
    }

    /** Deletes outbox rows older than the retention; returns how many. */
    long pruneOutbox() {
        try {
            long n = OpsQueries.pruneOutbox(ds, retention);
            metrics.pruned(n);
            if (n > 0) log.info("outbox.pruned rows={} older_than={}s", n, retention.toSeconds());
            return n;
        } catch (RuntimeException e) {
            log.warn("outbox.prune_failed retry_in={}s cause=\"{}\"", PRUNE_EVERY.toSeconds(), e.getMessage());
            return 0;
        }
    }

    void recordHeads() {
        for (ChainMetrics m : metrics.chains().values()) {
            long head = m.head();
            long safe = m.nodeSafe();
            List<Long> seen = List.of(head, safe);
            if (head < 0 || seen.equals(writtenHeads.get(m.chain()))) continue;
            try {
                OpsQueries.recordHead(ds, m.chainId(), head, safe < 0 ? null : safe);
                writtenHeads.put(m.chain(), seen);
            } catch (RuntimeException e) {
                log.debug("head.record_failed chain={} cause=\"{}\"", m.chain(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
