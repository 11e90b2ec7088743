package dev.evmindexer.ops;

import dev.evmindexer.config.OpsConfig;
import dev.evmindexer.daemon.ChainStatus;
import java.util.List;
import javax.sql.DataSource;

/**
 * What a running daemon serves and does besides indexing: the ops HTTP server and the housekeeping thread.
 * {@code run} serves health before anything else ({@link #serve}), then reports {@link #started}.
 */
public final class OpsRuntime implements AutoCloseable {
    private final OpsServer server;
    private final Health health;
    private final IndexerMetrics metrics;
    private final OpsConfig config;
    private volatile Housekeeping housekeeping;
    private volatile ProgressLog progress;

    private OpsRuntime(OpsServer server, Health health, IndexerMetrics metrics, OpsConfig config) {
        this.server = server;
        this.health = health;
        this.metrics = metrics;
        this.config = config;
    }

    /** Serves {@code /metrics}, {@code /healthz}, {@code /readyz} on {@code host:port} and starts housekeeping. */
    public static OpsRuntime start(OpsConfig config, String host, int port, IndexerMetrics metrics, List<ChainStatus> loops,
            DataSource ds) {
        OpsRuntime r = serve(config, host, port, metrics, "starting");
        r.begin(loops, ds);
        return r;
    }

    public static OpsRuntime start(OpsConfig config, IndexerMetrics metrics, List<ChainStatus> loops, DataSource ds) {
        return start(config, config.host(), config.port(), metrics, loops, ds);
    }

    /**
     * Serves the three paths on {@code ops.host:ops.port} before the database is open or any chain is built:
     * alive, not ready ("starting: {@code stage}") until {@link #started}.
     */
    public static OpsRuntime serve(OpsConfig config, IndexerMetrics metrics, String stage) {
        return serve(config, config.host(), config.port(), metrics, stage);
    }

    private static OpsRuntime serve(OpsConfig config, String host, int port, IndexerMetrics metrics, String stage) {
        Health health = Health.starting(config.maxLagBlocks(), stage);
        return new OpsRuntime(OpsServer.start(host, port, metrics, health), health, metrics, config);
    }

    /** The start-up stage {@code /readyz} names until {@link #started}. */
    public void stage(String stage) {
        health.stage(stage);
    }

    /**
     * The chains' loops run: health checks them (and the database), housekeeping starts, and one progress line
     * per chain is logged every {@code ops.progress_interval}.
     */
    public void started(List<ChainStatus> loops, DataSource ds) {
        begin(loops, ds);
        progress = ProgressLog.start(metrics.chains(), loops, config.progressInterval());
    }

    /** As {@link #started} without progress lines (the demo prints its own). */
    private void begin(List<ChainStatus> loops, DataSource ds) {
        health.started(loops, metrics.chains(), ds);
        for (ChainMetrics m : metrics.chains().values()) {
            // what /readyz says of the chain, as a series alerts can use (the database check is /readyz's alone)
            io.micrometer.core.instrument.Gauge.builder("indexer.chain.ready", health, h -> h.chainProblems(m).isEmpty() ? 1 : 0)
                    .tag("chain", m.chain()).description("1 while the chain is ready as /readyz judges it (database aside)")
                    .register(metrics.registry());
        }
        housekeeping = Housekeeping.start(ds, metrics, config.outboxRetention());
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (progress != null) progress.close();
        if (housekeeping != null) housekeeping.close();
        server.close();
    }
}
