package dev.evmindexer.ops;

import dev.evmindexer.daemon.ChainStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per chain every {@code ops.progress_interval} (30 s by default) while {@code run} runs, so a
 * quiet log still shows the daemon is alive and where each chain is: the node's head, the indexed tip, the lag,
 * rows written per second since the last line, blocks the backfill still has to fill, and why the chain is
 * stuck when it is (halted, or the last error while steps fail).
 */
final class ProgressLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProgressLog.class);

    private final Map<String, ChainMetrics> chains;
    private final List<ChainStatus> loops;
    private final Map<String, long[]> last = new HashMap<>(); // chain -> {rows, nanos} at the last line
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("ops-progress").daemon(true).unstarted(r));

    private ProgressLog(Map<String, ChainMetrics> chains, List<ChainStatus> loops) {
        this.chains = Map.copyOf(chains);
        this.loops = List.copyOf(loops);
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the task only logs; close() cancels it
    static ProgressLog start(Map<String, ChainMetrics> chains, List<ChainStatus> loops, Duration every) {
        ProgressLog p = new ProgressLog(chains, loops);
        for (ChainStatus s : p.loops) p.last.put(s.chain, new long[] {s.rows.get(), System.nanoTime()});
        p.timer.scheduleWithFixedDelay(p::logAll, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return p;
    }

    private void logAll() {
        for (ChainStatus s : loops) {
            ChainMetrics m = chains.get(s.chain);
            if (m != null) log.info(line(m, s, System.nanoTime()));
        }
    }

    /** The chain's line; rows per second since the previous line (or the start). */
    String line(ChainMetrics m, ChainStatus s, long nowNanos) {
        long rows = s.rows.get();
        long[] before = last.getOrDefault(s.chain, new long[] {rows, nowNanos});
        last.put(s.chain, new long[] {rows, nowNanos});
        double seconds = (nowNanos - before[1]) / 1e9;
        double perSecond = seconds <= 0 ? 0 : (rows - before[0]) / seconds;
        StringBuilder b = new StringBuilder("progress chain=").append(s.chain)
                .append(" head=").append(m.head() < 0 ? "unknown" : Long.toString(m.head()))
                .append(" tip=").append(m.indexed() < 0 ? "none" : Long.toString(m.indexed()))
                .append(" lag=").append(m.lagBlocks() < 0 ? "unknown" : Long.toString(m.lagBlocks()))
                .append(" rows_per_s=").append(String.format(Locale.ROOT, "%.1f", perSecond))
                .append(" backfill_pending_blocks=").append(m.pendingBlocks());
        if (m.haltedReason() != null) b.append(" halted=\"").append(m.haltedReason()).append('"');
        else if (s.lastError() != null) b.append(" last_error=\"").append(s.lastError()).append('"');
        return b.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
