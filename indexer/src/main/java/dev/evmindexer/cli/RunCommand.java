package dev.evmindexer.cli;

import dev.evmindexer.daemon.ChainLoop;
import dev.evmindexer.daemon.Daemon;
import dev.evmindexer.pipeline.ChainPipeline;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.pipeline.LogRouter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code run}: the daemon. SIGTERM/SIGINT finish the current transaction and exit 0. */
@Command(name = "run", description = "Index every configured chain until stopped (SIGTERM/SIGINT stop it cleanly).")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        // Signals are caught from the start: a SIGTERM while starting up still ends in a clean exit 0.
        java.util.concurrent.CountDownLatch stopRequested = new java.util.concurrent.CountDownLatch(1);
        Signals.onStop(stopRequested::countDown);
        try (Wiring w = Wiring.load(config.file)) {
            log.info("config {}", w.plan.config().summary().replace("\n", " | "));
            w.openDatabase("evm-indexer run");
            Daemon daemon = start(w);
            stopRequested.await();
            daemon.requestStop();
            daemon.join();
            daemon.close();
            log.info("stopped cleanly");
            return 0;
        }
    }

    /** Builds one loop per chain, takes every chain's lease (refusing if another process holds one), starts them. */
    static Daemon start(Wiring w) {
        Daemon daemon = new Daemon();
        LogRouter router = new LogRouter();
        for (IndexPlan.ChainPlan c : w.plan.chains().values()) {
            ChainPipeline p = new ChainPipeline(w.source(c.settings().name()), w.store, c.tables(), c.settings(), router);
            ChainLoop loop = daemon.add(p, w.database.dataSource(), c.chain().pollInterval());
            loop.acquireLease();
        }
        daemon.start();
        return daemon;
    }
}
