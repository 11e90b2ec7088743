package dev.evmindexer.ops;

import dev.evmindexer.config.OpsConfig;
import dev.evmindexer.daemon.ChainStatus;
import java.util.List;
import javax.sql.DataSource;

/** What a running daemon serves and does besides indexing: the ops HTTP server and the housekeeping thread. */
public final class OpsRuntime implements AutoCloseable {
    private final OpsServer server;
    private final Housekeeping housekeeping;

    private OpsRuntime(OpsServer server, Housekeeping housekeeping) {
        this.server = server;
        this.housekeeping = housekeeping;
    }

    /** Serves {@code /metrics}, {@code /healthz}, {@code /readyz} on {@code host:port} and starts housekeeping. */
    public static OpsRuntime start(OpsConfig config, String host, int port, IndexerMetrics metrics, List<ChainStatus> loops,
            DataSource ds) {
        Health health = new Health(loops, metrics.chains(), ds, config.maxLagBlocks());
        OpsServer server = OpsServer.start(host, port, metrics, health);
        return new OpsRuntime(server, Housekeeping.start(ds, metrics, config.outboxRetention()));
    }

    public static OpsRuntime start(OpsConfig config, IndexerMetrics metrics, List<ChainStatus> loops, DataSource ds) {
        return start(config, config.host(), config.port(), metrics, loops, ds);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        housekeeping.close();
        server.close();
    }
}
