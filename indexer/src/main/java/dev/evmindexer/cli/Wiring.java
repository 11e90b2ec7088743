package dev.evmindexer.cli;

import dev.evmindexer.config.ChainConfig;
import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.config.IndexerConfig;
import dev.evmindexer.config.RpcEndpointConfig;
import dev.evmindexer.config.Secrets;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.rpc.EndpointSpec;
import dev.evmindexer.rpc.RpcChainSource;
import dev.evmindexer.store.Database;
import dev.evmindexer.store.EmbeddedPostgresServer;
import dev.evmindexer.store.Migrations;
import dev.evmindexer.store.PgEventStore;
import dev.evmindexer.store.TableDdl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every command needs, built in order from the config: the plan (config validated, signatures
 * parsed), the database (embedded when no URL is configured), the indexer schema and event tables,
 * and the chains' sources. Closing releases them in reverse order.
 */
final class Wiring implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Wiring.class);
    /** The embedded server's data, under the config file's directory unless configured otherwise. */
    static final Path EMBEDDED_DATA = Path.of(".indexer", "pgdata");
    /** Environment variable placing the embedded data when the config has no {@code database.data_dir}. */
    static final String DATA_DIR_ENV = "INDEXER_DATA_DIR";

    final IndexPlan plan;
    EmbeddedPostgresServer embedded;
    Database database;
    PgEventStore store;
    private final Map<String, RpcChainSource> sources = new LinkedHashMap<>();

    private Wiring(IndexPlan plan) {
        this.plan = plan;
    }

    /** Loads and validates the config file; nothing is started. */
    static Wiring load(Path configFile) throws ConfigException {
        return load(configFile, false);
    }

    /**
     * As {@link #load(Path)}; with {@code nodeless} (a command that opens neither a node nor the database) the
     * environment variables of RPC URLs and of the database's URL and password need not be set.
     */
    static Wiring load(Path configFile, boolean nodeless) throws ConfigException {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        IndexerConfig config = ConfigLoader.load(configFile, env, nodeless);
        return new Wiring(IndexPlan.from(config));
    }

    static Wiring of(IndexerConfig config) throws ConfigException {
        return new Wiring(IndexPlan.from(config));
    }

    /**
     * Opens the database, migrates, creates the event tables. The embedded server (no URL configured) is started
     * here, or shared when another process (a running daemon) already runs it: see
     * {@link EmbeddedPostgresServer#startOrAttach}; {@link #close} stops it only if this process runs it.
     */
    Wiring openDatabase(String applicationName) throws java.sql.SQLException {
        var db = plan.config().database();
        String url = db.url();
        String user = db.user();
        String password = db.password();
        if (db.embedded()) {
            embedded = EmbeddedPostgresServer.startOrAttach(embeddedDataDir(plan.config(), System.getenv()));
            url = embedded.jdbcUrl();
            user = embedded.user();
            password = embedded.password();
        }
        log.info("database url={}", Secrets.redactUrl(url));
        database = Database.open(url, user, password, db.poolSize(), applicationName);
        Migrations.migrate(database.dataSource());
        Map<Long, String> chainNames = new LinkedHashMap<>();
        plan.chains().values().forEach(c -> chainNames.put(c.settings().chainId(), c.settings().name()));
        TableDdl.ensure(database.dataSource(), plan.allTables(), chainNames);
        store = new PgEventStore(database.dataSource());
        return this;
    }

    /**
     * Where the embedded server keeps its data: {@code database.data_dir} (relative to the config file's
     * directory), else {@value #DATA_DIR_ENV}, else {@code .indexer/pgdata} beside the config file, so the same
     * config finds the same data from whatever directory it is started. A config not read from a file (the demo,
     * tests) resolves against the working directory. Logged, with where the choice came from.
     */
    static Path embeddedDataDir(IndexerConfig config, Map<String, String> env) {
        Path origin = Path.of(config.origin()).toAbsolutePath();
        Path base = java.nio.file.Files.isRegularFile(origin) ? origin.getParent() : Path.of("").toAbsolutePath();
        String configured = config.database().dataDir();
        String fromEnv = env.get(DATA_DIR_ENV);
        Path dir;
        String why;
        if (configured != null) {
            dir = base.resolve(configured);
            why = "database.data_dir";
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            dir = Path.of(fromEnv.strip()).toAbsolutePath();
            why = DATA_DIR_ENV;
        } else {
            dir = base.resolve(EMBEDDED_DATA);
            why = "default: .indexer/pgdata beside the config file";
        }
        dir = dir.normalize();
        log.info("embedded PostgreSQL data directory {} ({})", dir, why);
        return dir;
    }

    /** The chain's source, connected (each endpoint's chain id checked, waiting for one to answer) on first use. */
    RpcChainSource source(String chainName) {
        return sources.computeIfAbsent(chainName, n -> {
            ChainConfig c = plan.chains().get(n).chain();
            return RpcChainSource.connect(c.name(), c.chainId(), specs(c), c.bloomChecks(), c.receiptsProof());
        });
    }

    /**
     * The chain's source without waiting for any endpoint: nothing is sent until {@link RpcChainSource#verifyOnce()}
     * or a call (the daemon checks each chain's endpoints in its own loop).
     */
    RpcChainSource openSource(String chainName) {
        return sources.computeIfAbsent(chainName, n -> {
            ChainConfig c = plan.chains().get(n).chain();
            return RpcChainSource.open(c.name(), c.chainId(), specs(c), c.bloomChecks(), c.receiptsProof());
        });
    }

    /** Every source's calls give up instead of waiting for an endpoint (a stop must not wait out an outage). */
    void stopWaiting() {
        sources.values().forEach(RpcChainSource::stopWaiting);
    }

    private static List<EndpointSpec> specs(ChainConfig c) {
        List<EndpointSpec> specs = new ArrayList<>();
        for (RpcEndpointConfig e : c.rpc()) {
            specs.add(new EndpointSpec(e.url(), e.timeout().orElse(EndpointSpec.DEFAULT_TIMEOUT),
                    e.maxBatch().orElse(EndpointSpec.DEFAULT_MAX_BATCH), e.maxBlockRange().orElse(EndpointSpec.DEFAULT_MAX_BLOCK_RANGE),
                    e.maxRps().orElse(0), e.maxConcurrency().orElse(EndpointSpec.DEFAULT_MAX_CONCURRENCY),
                    e.weight(), e.logsPerCall().orElse(EndpointSpec.DEFAULT_LOGS_PER_CALL)));
        }
        return specs;
    }

    IndexPlan.ChainPlan chain(String name) {
        IndexPlan.ChainPlan c = plan.chains().get(name);
        if (c == null) {
            throw new IllegalArgumentException("no chain named '" + name + "' with sources in the config (chains: "
                    + String.join(", ", plan.chains().keySet()) + ")");
        }
        return c;
    }

    @Override
    public void close() {
        sources.values().forEach(RpcChainSource::close);
        if (database != null) database.close();
        if (embedded != null) embedded.close();
    }
}
