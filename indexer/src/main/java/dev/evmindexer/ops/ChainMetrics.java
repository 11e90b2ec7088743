package dev.evmindexer.ops;

import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.RollbackResult;
import dev.evmindexer.pipeline.Span;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the daemon knows about one chain, as seen through {@link MeteredChainSource} and
 * {@link MeteredEventStore}: the node's head, the persisted finalized block, the indexed tip, and
 * everything written and rolled back. Feeds the metrics and {@code /readyz}. Thread-safe.
 */
public final class ChainMetrics {
    /** Reorg depths get these histogram buckets (blocks). */
    private static final double[] DEPTH_BUCKETS = {1, 2, 3, 5, 8, 13, 21, 34, 64, 128};

    private final String chain;
    private final long chainId;
    private final MeterRegistry registry;
    private final Tags tags;
    private final List<EventTable> tables;
    final AtomicLong head = new AtomicLong(-1);
    final AtomicLong nodeFinalized = new AtomicLong(-1);
    final AtomicLong nodeSafe = new AtomicLong(-1);
    final AtomicLong finalized = new AtomicLong(-1);
    final AtomicLong tip = new AtomicLong(-1);
    final AtomicLong tipTime = new AtomicLong();
    /** The newest block time seen in any header from the node (chain time, not the wall clock). */
    final AtomicLong nodeTime = new AtomicLong();
    final AtomicLong epoch = new AtomicLong(-1);
    private volatile String haltedReason;
    private volatile java.util.function.BooleanSupplier rpcAnswering = () -> true;
    /** Per table: the end of its coverage contiguous from its start block, and blocks still to fill below F. */
    private final Map<String, AtomicLong> contiguous = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> pending = new ConcurrentHashMap<>();
    private final Counter reorgs;
    private final Counter rollbacks;
    private final Counter rowsRolledBack;
    private final DistributionSummary reorgDepth;

    ChainMetrics(MeterRegistry registry, String chain, long chainId, List<EventTable> tables) {
        this.chain = chain;
        this.chainId = chainId;
        this.registry = registry;
        this.tags = Tags.of("chain", chain);
        this.tables = List.copyOf(tables);
        Gauge.builder("indexer.chain.head", head, AtomicLong::get).tags(tags)
                .description("the node's head block as last seen").register(registry);
        Gauge.builder("indexer.chain.node.finalized", nodeFinalized, AtomicLong::get).tags(tags)
                .description("the node's finalized tag as last seen (-1: none)").register(registry);
        Gauge.builder("indexer.chain.node.safe", nodeSafe, AtomicLong::get).tags(tags)
                .description("the node's safe tag as last seen (-1: none)").register(registry);
        Gauge.builder("indexer.chain.finalized", finalized, AtomicLong::get).tags(tags)
                .description("the persisted finalized block F").register(registry);
        Gauge.builder("indexer.chain.indexed", this, ChainMetrics::indexed).tags(tags)
                .description("the indexed block: the stored tip, or the contiguous coverage during the range phase")
                .register(registry);
        Gauge.builder("indexer.chain.lag.blocks", this, m -> m.lagBlocks()).tags(tags)
                .description("head minus indexed block").register(registry);
        Gauge.builder("indexer.chain.lag.seconds", this, m -> m.lagSeconds()).tags(tags)
                .description("chain time between the newest block seen from the node and the indexed tip, while behind")
                .register(registry);
        Gauge.builder("indexer.chain.halted", this, m -> m.haltedReason == null ? 0 : 1).tags(tags)
                .description("1 while the chain is halted (needs a manual rollback)").register(registry);
        reorgs = Counter.builder("indexer.reorgs").tags(tags).description("reorgs rolled back by this daemon")
                .register(registry);
        reorgDepth = DistributionSummary.builder("indexer.reorg.depth").baseUnit("blocks").tags(tags)
                .serviceLevelObjectives(DEPTH_BUCKETS).description("depth of each reorg rolled back").register(registry);
        rollbacks = Counter.builder("indexer.rollbacks").tags(tags)
                .description("rollbacks seen: this daemon's reorgs and manual rollbacks (epoch changes)").register(registry);
        rowsRolledBack = Counter.builder("indexer.rows.rolled.back").tags(tags)
                .description("event rows deleted by reorg rollbacks").register(registry);
        for (EventTable t : tables) {
            pending.put(t.qualifiedName(), new AtomicLong());
            contiguous.put(t.qualifiedName(), new AtomicLong(t.startBlock() - 1));
            Gauge.builder("indexer.backfill.pending.blocks", pending.get(t.qualifiedName()), AtomicLong::get)
                    .tags(tableTags(t)).description("blocks at or below F not yet covered").register(registry);
        }
    }

    public String chain() {
        return chain;
    }

    public long chainId() {
        return chainId;
    }

    Tags tableTags(EventTable t) {
        return Tags.of("chain", chain, "source", t.sourceName(), "table", t.qualifiedName());
    }

    /** The node's head as last seen, -1 before the first answer. */
    public long head() {
        return head.get();
    }

    /** The node's {@code safe} tag as last seen, -1 when it has none (or before the first answer). */
    public long nodeSafe() {
        return nodeSafe.get();
    }

    public long finalized() {
        return finalized.get();
    }

    /** The stored tip, or during the range phase the lowest contiguous coverage end over the tables. */
    public long indexed() {
        if (tip.get() >= 0) return tip.get();
        return contiguous.values().stream().mapToLong(AtomicLong::get).min().orElse(-1);
    }

    /** Head minus indexed block, never negative; -1 while the head is unknown. */
    public long lagBlocks() {
        if (head.get() < 0) return -1;
        return Math.max(0, head.get() - indexed());
    }

    /**
     * Block time of the newest header seen from the node minus the indexed tip's, while behind the head;
     * 0 at the head; NaN when unknown (no tip yet). Chain time, so a skewed local clock does not matter.
     */
    public double lagSeconds() {
        long lag = lagBlocks();
        if (lag == 0) return 0;
        if (lag < 0 || tip.get() < 0 || tipTime.get() == 0 || nodeTime.get() == 0) return Double.NaN;
        return Math.max(0, nodeTime.get() - tipTime.get());
    }

    void sawNodeHeader(long timestamp) {
        nodeTime.accumulateAndGet(timestamp, Math::max);
    }

    /** Tells readiness whether the chain's RPC endpoints answer (false while every one of them is down). */
    public void rpcAnswering(java.util.function.BooleanSupplier answering) {
        this.rpcAnswering = answering;
    }

    public boolean rpcAnswering() {
        return rpcAnswering.getAsBoolean();
    }

    /** Why the chain is halted, or null. */
    public String haltedReason() {
        return haltedReason;
    }

    /** Blocks at or below {@code F} not yet covered, summed over the chain's tables (as last planned). */
    public long pendingBlocks() {
        return pending.values().stream().mapToLong(AtomicLong::get).sum();
    }

    // ---- observations, from the decorators ----

    void halted(String reason) {
        haltedReason = reason;
    }

    void sawEpoch(long e) {
        long before = epoch.getAndSet(e);
        if (before >= 0 && e > before) rollbacks.increment((double) (e - before));
    }

    void sawTip(long number, long timestamp) {
        tip.set(number);
        if (timestamp > 0) tipTime.set(timestamp);
    }

    void sawUncovered(EventTable t, long from, long to, List<Span> gaps) {
        AtomicLong p = pending.get(t.qualifiedName());
        if (p == null) return;
        p.set(gaps.stream().mapToLong(Span::size).sum());
        contiguous.get(t.qualifiedName()).set(gaps.isEmpty() ? to : gaps.get(0).from() - 1);
    }

    void reorged(RollbackResult r) {
        reorgs.increment();
        long depth = Math.max(0, r.previousTip() - r.ancestor());
        reorgDepth.record((double) depth);
        rowsRolledBack.increment((double) r.rowsDeleted());
        tip.set(r.ancestor());
    }

    void written(EventTable t, long blocks, long rows, String phase) {
        Tags tt = tableTags(t);
        registry.counter("indexer.blocks.written", tt.and("phase", phase)).increment((double) blocks);
        registry.counter("indexer.events.written", tt.and("phase", phase)).increment((double) rows);
        if (phase.equals("range")) registry.counter("indexer.backfill.ranges.done", tt).increment();
    }

    void transaction(String kind, long nanos) {
        Timer.builder("indexer.db.transaction").tags(tags.and("kind", kind)).publishPercentileHistogram(false)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    List<EventTable> tables() {
        return tables;
    }
}
