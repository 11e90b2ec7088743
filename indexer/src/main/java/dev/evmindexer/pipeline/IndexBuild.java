package dev.evmindexer.pipeline;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build of a chain's configured secondary indexes, off the step's thread so the tip is not held up by a long
 * {@code CREATE INDEX CONCURRENTLY} (ARCHITECTURE.md, anchor). The step asks for it ({@link StepPlan.Work.BuildIndexes})
 * once the range phase runs dry; it starts only when nothing of {@code [start, F]} is left to anyone. The build is a
 * no-op for indexes that exist, and a failed one is retried on the next start.
 */
final class IndexBuild {
    private static final Logger log = LoggerFactory.getLogger(IndexBuild.class);

    private final EventStore store;
    private final RangePhase rangePhase;
    private final List<EventTable> tables;
    private final String chain;

    IndexBuild(EventStore store, RangePhase rangePhase, List<EventTable> tables, String chain) {
        this.store = store;
        this.rangePhase = rangePhase;
        this.tables = List.copyOf(tables);
        this.chain = chain;
    }

    /**
     * Starts the build on a virtual thread unless other processes still hold range units of {@code [start, f]}.
     *
     * @return whether it started
     */
    boolean startUnlessPending(long f) {
        if (rangePhase.pending(tables, 0, f)) return false;
        Thread.ofVirtual().name("indexes-" + chain).start(() -> {
            try {
                store.ensureIndexes(tables);
            } catch (RuntimeException e) {
                log.warn("index.failed chain={} cause=\"{}\" (retried on the next start)", chain, e.getMessage());
            }
        });
        return true;
    }
}
