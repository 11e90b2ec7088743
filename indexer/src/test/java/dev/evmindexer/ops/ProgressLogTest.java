package dev.evmindexer.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.daemon.ChainStatus;
import dev.evmindexer.pipeline.EventStore;
import dev.evmindexer.pipeline.Span;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The progress line's figures: head, tip, lag, rows per second since the last line, backfill pending. */
class ProgressLogTest {
    @Test
    void eachLineGivesHeadTipLagRateAndPendingBlocks() {
        try (IndexerMetrics metrics = new IndexerMetrics()) {
            ChainMetrics m = metrics.chain("c", 5, List.of(ChainMetricsTest.TABLE));
            ChainStatus s = new ChainStatus("c");
            ProgressLog p = ProgressLog.start(Map.of("c", m), List.of(s), java.time.Duration.ofHours(1));
            try {
                assertEquals("progress chain=c head=unknown tip=99 lag=unknown rows_per_s=0.0 backfill_pending_blocks=0",
                        p.line(m, s, System.nanoTime()));

                ChainMetricsTest.Stub stub = new ChainMetricsTest.Stub();
                EventStore store = metrics.store(stub, m);
                stub.gaps = List.of(new Span(150, 159), new Span(180, 200));
                store.uncovered(ChainMetricsTest.TABLE, 100, 200);
                m.head.set(260);
                long t0 = System.nanoTime();
                p.line(m, s, t0);
                s.rows.addAndGet(500);
                assertEquals("progress chain=c head=260 tip=149 lag=111 rows_per_s=50.0 backfill_pending_blocks=31",
                        p.line(m, s, t0 + TimeUnit.SECONDS.toNanos(10)));
                assertEquals("progress chain=c head=260 tip=149 lag=111 rows_per_s=0.0 backfill_pending_blocks=31",
                        p.line(m, s, t0 + TimeUnit.SECONDS.toNanos(20)), "the rate counts rows since the last line");
            } finally {
                p.close();
            }
        }
    }
}
