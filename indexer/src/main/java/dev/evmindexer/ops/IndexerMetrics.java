package dev.evmindexer.ops;

import dev.evmindexer.abi.RejectReason;
import dev.evmindexer.daemon.ChainStatus;
import dev.evmindexer.pipeline.ChainSource;
import dev.evmindexer.pipeline.EventStore;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.LogRouter;
import dev.evmindexer.pipeline.ReconcileObserver;
import dev.evmindexer.rpc.RpcObserver;
import dev.evmindexer.store.CopyObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's metrics: one Prometheus registry, every meter named {@code indexer.*} (exposed as
 * {@code indexer_*}) and tagged with {@code chain}, and where it applies {@code source}, {@code table},
 * {@code endpoint}. The pipeline, store and rpc packages know nothing of Micrometer: this class binds
 * their counters and observers.
 */
public final class IndexerMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, ChainMetrics> chains = new ConcurrentHashMap<>();
    private final Map<Long, String> chainNames = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public IndexerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** Registers a chain's gauges; its source and store are then wrapped with {@link #source} and {@link #store}. */
    public ChainMetrics chain(String name, long chainId, List<EventTable> tables) {
        ChainMetrics m = new ChainMetrics(registry, name, chainId, tables);
        if (chains.putIfAbsent(name, m) != null) throw new IllegalArgumentException("chain " + name + " registered twice");
        chainNames.put(chainId, name);
        return m;
    }

    public Map<String, ChainMetrics> chains() {
        return Map.copyOf(chains);
    }

    public ChainSource source(ChainSource source, ChainMetrics m) {
        return new MeteredChainSource(source, m);
    }

    public EventStore store(EventStore store, ChainMetrics m) {
        return new MeteredEventStore(store, m);
    }

    /** Decode rejects of each table by reason, read from the router's counters. */
    public void bindRejects(LogRouter router, ChainMetrics m) {
        for (EventTable t : m.tables()) {
            for (RejectReason r : RejectReason.values()) {
                FunctionCounter.builder("indexer.decode.rejects", router, x -> x.rejected(t, r))
                        .tags(m.tableTags(t).and("reason", r.metricName()))
                        .description("logs that matched a table's filter but not its event's shape").register(registry);
            }
        }
    }

    /** The loop's own counters: failed steps. */
    public void bindLoop(ChainStatus status) {
        FunctionCounter.builder("indexer.step.errors", status, s -> s.errors.get()).tags(Tags.of("chain", status.chain))
                .description("pipeline steps that failed and were retried").register(registry);
        Gauge.builder("indexer.chain.leader", status, s -> s.leading() ? 1 : 0).tags(Tags.of("chain", status.chain))
                .description("1 while this process leads the chain's tip, 0 while it waits as a standby").register(registry);
    }

    /**
     * Reconciliation's meters (ARCHITECTURE.md, invariant 9): {@code indexer_reconcile_mismatches_total{chain,endpoint}}
     * {@code indexer_reconcile_repaired_blocks_total{chain,endpoint}} and {@code indexer_reconcile_lag_blocks{chain}}.
     */
    public ReconcileObserver reconcile(String chain) {
        java.util.concurrent.atomic.AtomicLong lag = new java.util.concurrent.atomic.AtomicLong();
        Gauge.builder("indexer.reconcile.lag.blocks", lag, java.util.concurrent.atomic.AtomicLong::get)
                .tags(Tags.of("chain", chain))
                .description("finalized blocks not reconciled yet, from the lowest one due to the finalized block")
                .register(registry);
        return new ReconcileObserver() {
            @Override
            public void mismatch(String endpoint) {
                Counter.builder("indexer.reconcile.mismatches").tags(Tags.of("chain", chain, "endpoint", endpoint))
                        .description("re-fetched ranges found to differ, by the endpoint blamed").register(registry)
                        .increment();
            }

            @Override
            public void lag(long blocks) {
                lag.set(blocks);
            }

            @Override
            public void repaired(String endpoint, long blocks) {
                Counter.builder("indexer.reconcile.repaired.blocks").tags(Tags.of("chain", chain, "endpoint", endpoint))
                        .description("blocks whose stored rows were wrong and were rewritten, by the endpoint whose answer "
                                + "wrote them").register(registry)
                        .increment((double) blocks);
            }
        };
    }

    /** An observer recording requests, errors and latency per endpoint (its redacted name) and method. */
    public RpcObserver rpc(String chain) {
        return (endpoint, method, nanos, failed) -> {
            Tags tags = Tags.of("chain", chain, "endpoint", endpoint, "method", method);
            Timer.builder("indexer.rpc.latency").tags(tags).publishPercentileHistogram()
                    .maximumExpectedValue(Duration.ofSeconds(30)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
            registry.counter("indexer.rpc.requests", tags).increment();
            registry.counter("indexer.rpc.errors", tags).increment(failed ? 1 : 0); // registered at 0, so rates exist
        };
    }

    /** An observer timing every COPY into an event table. */
    public CopyObserver copies() {
        return (chainId, table, rows, nanos) -> {
            Tags tags = Tags.of("chain", chainNames.getOrDefault(chainId, "unknown"), "table", table);
            Timer.builder("indexer.db.copy").tags(tags).register(registry).record(nanos, TimeUnit.NANOSECONDS);
            Counter.builder("indexer.db.copy.rows").tags(tags).register(registry).increment((double) rows);
        };
    }

    /** Outbox rows removed by retention. */
    void pruned(long rows) {
        registry.counter("indexer.outbox.pruned").increment((double) rows);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
