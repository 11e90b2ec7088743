package dev.evmindexer.cli;

import dev.evmindexer.daemon.ChainLoop;
import dev.evmindexer.daemon.ChainStatus;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.daemon.ReconcileLoop;
import dev.evmindexer.ops.ChainMetrics;
import dev.evmindexer.ops.IndexerMetrics;
import dev.evmindexer.ops.OpsRuntime;
import dev.evmindexer.pipeline.ChainPipeline;
import dev.evmindexer.pipeline.ChainSource;
import dev.evmindexer.pipeline.EventStore;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.pipeline.LogRouter;
import dev.evmindexer.pipeline.Pacer;
import dev.evmindexer.pipeline.ReconcileObserver;
import dev.evmindexer.pipeline.Reconciler;
import dev.evmindexer.rpc.RpcChainSource;
import dev.evmindexer.store.PgVerifyStore;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code run}: the daemon. SIGTERM/SIGINT finish the current transaction and exit 0. */
@Command(name = "run", description = "Index every configured chain until stopped (SIGTERM/SIGINT stop it cleanly); "
        + "serves /metrics, /healthz and /readyz on ops.host:ops.port.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    /**
     * Start-up order: signals are caught first, then the ops server answers ({@code /readyz} naming the start-up
     * stage), then the database opens and each chain's loop starts; each loop checks its own endpoints, so a
     * node that is down keeps only its chain not ready. A SIGTERM at any moment ends in exit 0: during start-up
     * once the stage in progress (bounded: the database's start and migrations) is done.
     */
    @Override
    public Integer call() throws Exception {
        java.util.concurrent.CountDownLatch stopRequested = new java.util.concurrent.CountDownLatch(1);
        // while it waits for an external database that is down, start-up is interrupted by a stop
        java.util.concurrent.atomic.AtomicReference<Thread> waitingForDatabase = new java.util.concurrent.atomic.AtomicReference<>();
        Signals.onStop(() -> {
            stopRequested.countDown();
            Thread t = waitingForDatabase.get();
            if (t != null) t.interrupt();
        });
        try (Wiring w = Wiring.load(config.file); IndexerMetrics metrics = new IndexerMetrics();
                OpsRuntime ops = OpsRuntime.serve(w.plan.config().ops(), metrics, "opening the database")) {
            log.info("config {}", w.plan.config().summary().replace("\n", " | "));
            try {
                // the embedded server's start is bounded and must not be cut short (it would leave a half-started
                // server behind); waiting for an external one can last as long as its outage
                if (!w.plan.config().database().embedded()) waitingForDatabase.set(Thread.currentThread());
                if (stopRequested.getCount() > 0) w.openDatabase("evm-indexer run");
            } catch (java.sql.SQLException | RuntimeException e) {
                if (stopRequested.getCount() > 0) throw e;
            } finally {
                waitingForDatabase.set(null);
                Thread.interrupted(); // a stop that came after the wait is seen through stopRequested
            }
            if (stopRequested.getCount() == 0) {
                log.info("stopped cleanly during start-up");
                return 0;
            }
            ops.stage("starting the chains");
            Daemon daemon = start(w, metrics);
            ops.started(statuses(daemon), w.database.dataSource());
            stopRequested.await();
            daemon.requestStop();
            w.stopWaiting(); // a call waiting for an endpoint to come back gives up, so its loop sees the stop
            daemon.join();
            daemon.close();
            log.info("stopped cleanly");
            return 0;
        }
    }

    static List<ChainStatus> statuses(Daemon daemon) {
        return daemon.loops().stream().map(ChainLoop::status).toList();
    }

    /** {@link #start(Wiring, IndexerMetrics)} without metrics. */
    static Daemon start(Wiring w) {
        return start(w, null);
    }

    /** Tip writes of the chains this process leads are checked against the generation it leads. */
    private static dev.evmindexer.daemon.ChainLease.Fence fence(Wiring w) {
        return new dev.evmindexer.daemon.ChainLease.Fence() {
            @Override
            public void lead(long chainId, long generation) {
                w.store.fence(chainId, generation);
            }

            @Override
            public void unlead(long chainId) {
                w.store.unfence(chainId);
            }
        };
    }

    /**
     * Builds one loop per chain and starts them: each leads its chain, or waits as a standby while another process
     * leads it. Nothing here waits for a node: each loop checks its chain's endpoints first. With {@code metrics},
     * each chain's source, store, router and RPC endpoints report to it.
     */
    static Daemon start(Wiring w, IndexerMetrics metrics) {
        Daemon daemon = new Daemon();
        LogRouter router = new LogRouter();
        if (metrics != null) w.store.observeCopies(metrics.copies());
        for (IndexPlan.ChainPlan c : w.plan.chains().values()) {
            String name = c.settings().name();
            RpcChainSource rpc = w.openSource(name); // its endpoints are checked in the chain's loop
            ChainSource source = rpc;
            EventStore store = w.store;
            ChainMetrics m = null;
            if (metrics != null) {
                m = metrics.chain(name, c.settings().chainId(), c.tables());
                rpc.observe(metrics.rpc(name));
                source = metrics.source(rpc, m);
                store = metrics.store(w.store, m);
                metrics.bindRejects(router, m);
            }
            ChainPipeline p = new ChainPipeline(source, store, c.tables(), c.settings(), router);
            ChainLoop loop = daemon.add(p, w.database.dataSource(), c.chain().pollInterval(), fence(w), rpc::verifyOnce);
            if (c.chain().reconcile().enabled()) daemon.add(reconcileLoop(w, c, rpc, router, metrics));
            if (metrics != null) {
                metrics.bindLoop(loop.status());
                // every endpoint down: steps fail and no call has been answered for a few polls (at least 10 s); steps
                // failing on the database make no calls, so they say nothing about the endpoints
                long quietNanos = Math.max(java.time.Duration.ofSeconds(10).toNanos(), 3 * c.chain().pollInterval().toNanos());
                m.rpcAnswering(() -> loop.status().lastError() == null
                        || loop.status().lastErrorKind() == dev.evmindexer.daemon.Failures.Kind.DATABASE
                        || rpc.sinceLastAnswer().toNanos() < quietNanos);
            }
        }
        daemon.start();
        return daemon;
    }

    /**
     * The chain's background reconciliation (ARCHITECTURE.md, invariant 9): on the raw source, so it can ask a chosen
     * endpoint and blame it; its calls still count in the endpoints' RPC metrics.
     */
    private static ReconcileLoop reconcileLoop(Wiring w, IndexPlan.ChainPlan c, RpcChainSource rpc,
            LogRouter router, IndexerMetrics metrics) {
        var r = c.chain().reconcile();
        var poll = c.chain().pollInterval();
        var reconciler = new Reconciler(rpc, w.store, new PgVerifyStore(w.database.dataSource()),
                c.tables(), c.settings(), router, r.fraction(), new Pacer(r.rps()),
                nanos -> Thread.sleep(java.time.Duration.ofNanos(nanos)), poll.multipliedBy(5),
                metrics == null ? ReconcileObserver.NONE : metrics.reconcile(c.settings().name()));
        return new ReconcileLoop(c.settings().name(), reconciler, poll);
    }
}
