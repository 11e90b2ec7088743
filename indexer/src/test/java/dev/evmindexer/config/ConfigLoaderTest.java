package dev.evmindexer.config;

import static dev.evmindexer.config.ConfigFixtures.MINIMAL;
import static dev.evmindexer.config.ConfigFixtures.ORIGIN;
import static dev.evmindexer.config.ConfigFixtures.assertFails;
import static dev.evmindexer.config.ConfigFixtures.minimalWith;
import static dev.evmindexer.config.ConfigFixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid configs into records, defaults, interpolation, database URLs, the summary and file loading. */
class ConfigLoaderTest {
    /** The public example shape, verbatim. */
    static final String EXAMPLE = """
            database:
              url: ${DATABASE_URL:-}      # empty: embedded PostgreSQL with its data under .indexer/
              schema: public              # where event tables go
            chains:
              - name: mainnet
                chain_id: 1
                rpc:
                  - url: ${ETH_RPC_URL}
                  - url: ${ETH_RPC_URL_2:-}   # several endpoints allowed; empty entries are dropped
                finality: finalized       # "finalized" (the node's tag) or a depth in blocks (0 = trust the head: unsafe)
                max_reorg_depth: 128      # optional (default 128)
                poll_interval: 2s
            sources:
              - name: usdc
                chain: mainnet
                addresses: [0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48]   # omit: logs of every contract
                start_block: 6082465
                events:
                  - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                    table: usdc_transfers
            """;
    static final String ALCHEMY = "https://eth-mainnet.g.alchemy.com/v2/KEY123";
    static final String TRANSFER = "event Transfer(address indexed from, address indexed to, uint256 value)";

    @Test
    void exampleRoundTripsIntoRecordsWithDefaults() throws Exception {
        IndexerConfig c = parse(EXAMPLE, Map.of("ETH_RPC_URL", ALCHEMY));

        assertEquals(ORIGIN, c.origin());
        assertTrue(c.database().embedded());
        assertNull(c.database().url());
        assertEquals("public", c.database().schema());
        assertNull(c.database().user());
        assertNull(c.database().password());
        assertEquals(8, c.database().poolSize());

        ChainConfig chain = c.chains().get(0);
        assertEquals(new ChainConfig("mainnet", 1, List.of(new RpcEndpointConfig(ALCHEMY, OptionalDouble.empty(),
                OptionalInt.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty(), Optional.empty(), 1.0, 8)),
                new Finality.Tag(), 128, Duration.ofSeconds(2), true, false, ChainConfig.DEFAULT_RECONCILE, 1, OptionalInt.empty(), 5), chain);
        assertEquals(Optional.of(chain), c.chain("mainnet"));
        assertEquals(Optional.empty(), c.chain("base"));

        SourceConfig source = new SourceConfig("usdc", "mainnet",
                List.of(Address.fromHex("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")), 6082465,
                List.of(new EventConfig(TRANSFER, "usdc_transfers", 19)), 14);
        assertEquals(List.of(source), c.sources());
        assertEquals(List.of(source), c.sourcesOf("mainnet"));
        assertEquals(List.of(), c.sourcesOf("base"));
        assertEquals(new OpsConfig("127.0.0.1", 9464), c.ops());
    }

    @Test
    void secondEndpointIsKeptWhenItsVariableIsSet() throws Exception {
        IndexerConfig c = parse(EXAMPLE, Map.of("ETH_RPC_URL", ALCHEMY, "ETH_RPC_URL_2", "https://infura.example/v3/K"));
        List<RpcEndpointConfig> rpc = c.chains().get(0).rpc();
        assertEquals(List.of(ALCHEMY, "https://infura.example/v3/K"), rpc.stream().map(RpcEndpointConfig::url).toList());
        assertEquals(9, rpc.get(1).line());
    }

    @Test
    void everyOptionalKeyIsRead() throws Exception {
        String yaml = """
                database:
                  url: jdbc:postgresql://db.internal:5432/indexer
                  schema: events
                  user: indexer
                  password: s3cret
                  pool_size: 20
                chains:
                  - name: base
                    chain_id: 8453
                    rpc:
                      - url: https://base.example/KEY
                        max_rps: 12.5
                        max_concurrency: 4
                        max_block_range: 2000
                        max_batch: 50
                        timeout: 1500ms
                        weight: 2
                      - http://127.0.0.1:8545
                    finality: 0
                    max_reorg_depth: 500
                    poll_interval: 250ms
                    bloom_checks: false
                    receipts_proof: true
                    reconcile: 0.25
                    reconcile_rps: 7.5
                    batch_size: 10
                sources:
                  - name: everything
                    chain: base
                    events:
                      - signature: e
                        table: t
                ops: {host: 0.0.0.0, port: 0}
                """;
        IndexerConfig c = parse(yaml);
        assertEquals(new DatabaseConfig("jdbc:postgresql://db.internal:5432/indexer", "events", "indexer", "s3cret", 20),
                c.database());
        ChainConfig chain = c.chains().get(0);
        assertEquals(new RpcEndpointConfig("https://base.example/KEY", OptionalDouble.of(12.5), OptionalInt.of(4),
                OptionalLong.of(2000), OptionalLong.empty(), OptionalInt.of(50), Optional.of(Duration.ofMillis(1500)), 2.0, 11),
                chain.rpc().get(0));
        assertEquals(RpcEndpointConfig.of("http://127.0.0.1:8545").url(), chain.rpc().get(1).url());
        assertEquals(new Finality.Depth(0), chain.finality());
        assertEquals(500, chain.maxReorgDepth());
        assertTrue(chain.receiptsProof());
        assertEquals(Duration.ofMillis(250), chain.pollInterval());
        assertFalse(chain.bloomChecks());
        assertEquals(10, chain.batchSize());
        assertEquals(new Reconcile(0.25, 7.5), chain.reconcile());
        assertTrue(c.sources().get(0).allAddresses());
        assertEquals(0, c.sources().get(0).startBlock());
        assertEquals(new OpsConfig("0.0.0.0", 0), c.ops());
    }

    @Test
    void opsLagLimitAndOutboxRetention() throws Exception {
        IndexerConfig c = parse(MINIMAL + "ops: {max_lag_blocks: 12, outbox_retention: 2d}\n");
        assertEquals(new OpsConfig("127.0.0.1", 9464, 12, Duration.ofDays(2)), c.ops());
        assertEquals(Duration.ofDays(7), parse(MINIMAL).ops().outboxRetention());
        assertTrue(c.summary().contains("ready within 12 blocks of the head, outbox kept 2d"), c.summary());
    }

    @Test
    void opsProgressInterval() throws Exception {
        assertEquals(Duration.ofSeconds(30), parse(MINIMAL).ops().progressInterval());
        IndexerConfig c = parse(MINIMAL + "ops: {progress_interval: 5s}\n");
        assertEquals(Duration.ofSeconds(5), c.ops().progressInterval());
        assertTrue(c.summary().contains("progress logged every 5s"), c.summary());
        ConfigException e = assertThrows(ConfigException.class, () -> parse(MINIMAL + "ops: {progress_interval: often}\n"));
        assertTrue(e.getMessage().contains("ops.progress_interval"), e.getMessage());
    }

    @Test
    void interpolatesWholeAndPartialValuesDefaultsAndEscapes() throws Exception {
        String yaml = MINIMAL
                .replace("https://rpc.example.org/v2/SECRETKEY", "http://${HOST}:${PORT:-8545}/$$x")
                .replace("chain_id: 1", "chain_id: ${CHAIN_ID}")
                .replace("start_block: 5", "start_block: ${START:-7}")
                .replace("2s", "${POLL:-3s}");
        IndexerConfig c = parse(yaml, Map.of("HOST", "node1", "CHAIN_ID", "10", "POLL", ""));
        ChainConfig chain = c.chains().get(0);
        assertEquals("http://node1:8545/$x", chain.rpc().get(0).url());
        assertEquals(10, chain.chainId());
        assertEquals(Duration.ofSeconds(3), chain.pollInterval(), "an empty variable takes the default");
        assertEquals(7, c.sources().get(0).startBlock());

        IndexerConfig set = parse(yaml, Map.of("HOST", "node1", "CHAIN_ID", "10", "PORT", "9545", "START", "99"));
        assertEquals("http://node1:9545/$x", set.chains().get(0).rpc().get(0).url());
        assertEquals(99, set.sources().get(0).startBlock());
    }

    @Test
    void interpolatedTextIsNotScannedAgain() throws Exception {
        String yaml = "database:\n  password: ${PW}\n" + MINIMAL;
        IndexerConfig c = parse(yaml, Map.of("PW", "a${NOPE}$$b"));
        assertEquals("a${NOPE}$$b", c.database().password());
    }

    @Test
    void optionalKeyWithEmptyValueTakesItsDefault() throws Exception {
        String yaml = "database:\n  schema: ${SCHEMA:-}\n  pool_size:\n" + MINIMAL;
        DatabaseConfig db = parse(yaml).database();
        assertEquals("public", db.schema());
        assertEquals(8, db.poolSize());
    }

    @Test
    void rpcEntriesWithEmptyUrlAreDropped() throws Exception {
        String yaml = minimalWith("      - url: https://rpc.example.org/v2/SECRETKEY",
                "      - url: ${A:-}\n      - url: https://b.example\n      - ${C:-}\n      - url:");
        List<RpcEndpointConfig> rpc = parse(yaml).chains().get(0).rpc();
        assertEquals(List.of("https://b.example"), rpc.stream().map(RpcEndpointConfig::url).toList());
        assertEquals(6, rpc.get(0).line());
    }

    @Test
    void libpqStyleDatabaseUrlBecomesJdbcWithCredentials() throws Exception {
        String yaml = "database:\n  url: ${DATABASE_URL}\n" + MINIMAL;
        DatabaseConfig db = parse(yaml, Map.of("DATABASE_URL",
                "postgres://app:p%40ss+w@db.example:5433/prod?sslmode=require")).database();
        assertEquals("jdbc:postgresql://db.example:5433/prod?sslmode=require", db.url());
        assertEquals("app", db.user());
        assertEquals("p@ss+w", db.password());
        assertFalse(db.embedded());
        assertFalse(db.toString().contains("p@ss"), db.toString());
    }

    @Test
    void summaryRedactsUrlsAndNeverShowsPasswords() throws Exception {
        String yaml = """
                database:
                  url: jdbc:postgresql://db.example:5432/prod?password=hunter2
                  user: app
                """ + MINIMAL;
        String summary = parse(yaml).summary();
        assertTrue(summary.contains("jdbc:postgresql://db.example:5432/prod as app"), summary);
        assertTrue(summary.contains("https://rpc.example.org/…"), summary);
        assertTrue(summary.contains("chain mainnet (id 1): finality finalized"), summary);
        assertTrue(summary.contains("transfers <- event Transfer("), summary);
        assertTrue(summary.contains("address 0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"), summary);
        assertFalse(summary.contains("hunter2"), summary);
        assertFalse(summary.contains("SECRETKEY"), summary);
        assertTrue(parse(MINIMAL).summary().contains("embedded PostgreSQL"));
    }

    @Test
    void loadsAFileAndNamesItInMessages(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("indexer.yaml");
        Files.writeString(file, MINIMAL);
        IndexerConfig c = ConfigLoader.load(file, Map.of());
        assertEquals(file.toString(), c.origin());
        assertEquals("usdc", c.sources().get(0).name());

        Files.writeString(file, minimalWith("chain_id: 1", "chain_id: one"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertTrue(e.getMessage().startsWith(file + ":3: chains[0].chain_id: expected an integer"), e.getMessage());

        ConfigException missing = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()));
        assertTrue(missing.getMessage().contains("nope.yaml: config file not found"), missing.getMessage());
    }

    @Test
    void finalityDepthAndTag() throws Exception {
        assertEquals(new Finality.Depth(12), parse(minimalWith("poll_interval: 2s", "finality: 12"))
                .chains().get(0).finality());
        assertInstanceOf(Finality.Tag.class, parse(MINIMAL).chains().get(0).finality());
    }

    @Test
    void missingVariableIsNamedWithItsKey() {
        String yaml = minimalWith("url: https://rpc.example.org/v2/SECRETKEY", "url: ${ETH_RPC_URL}");
        assertFails(yaml, 5, "chains[0].rpc[0].url", "environment variable ETH_RPC_URL is not set");
    }

    @Test
    void badVariableReferencesAreRefused() {
        String key = "url: https://rpc.example.org/v2/SECRETKEY";
        assertFails(minimalWith(key, "url: http://$HOST:8545"), 5, "chains[0].rpc[0].url", "write ${NAME}");
        assertFails(minimalWith(key, "url: http://${HOST:8545"), 5, "chains[0].rpc[0].url", "unterminated '${'");
        assertFails(minimalWith(key, "url: http://${1HOST}"), 5, "chains[0].rpc[0].url", "bad variable reference");
    }

    @Test
    void numbersFromVariablesAreCheckedLikeLiterals() {
        assertFails(minimalWith("chain_id: 1", "chain_id: ${CHAIN_ID}"), Map.of("CHAIN_ID", "ten"),
                3, "chains[0].chain_id", "expected an integer, got \"ten\"");
    }
}
