package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.config.IndexerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the embedded server's data goes: never the working directory of a config read from a file. */
class EmbeddedDataDirTest {
    private static final String CONFIG = """
            %schains:
              - name: dev
                chain_id: 1337
                rpc:
                  - url: http://127.0.0.1:8545
            sources:
              - name: tokens
                chain: dev
                events:
                  - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                    table: transfers
            """;

    @TempDir
    Path dir;

    @Test
    void byDefaultBesideTheConfigFileWhereverTheProcessStarts() throws Exception {
        IndexerConfig config = load("", Map.of());
        assertEquals(dir.resolve("conf/.indexer/pgdata"), Wiring.embeddedDataDir(config, Map.of()));
    }

    @Test
    void theEnvironmentVariablePlacesItWhenTheConfigDoesNot() throws Exception {
        IndexerConfig config = load("", Map.of());
        Path elsewhere = dir.resolve("data/pg");
        assertEquals(elsewhere, Wiring.embeddedDataDir(config, Map.of("INDEXER_DATA_DIR", elsewhere.toString())));
    }

    @Test
    void theConfigKeyWinsAndIsRelativeToTheConfigFile() throws Exception {
        Map<String, String> env = Map.of("INDEXER_DATA_DIR", "/somewhere/else");
        assertEquals(dir.resolve("conf/state/pg"),
                Wiring.embeddedDataDir(load("database:\n  data_dir: state/pg\n", env), env));
        assertEquals(Path.of("/var/lib/indexer"),
                Wiring.embeddedDataDir(load("database:\n  data_dir: /var/lib/indexer/\n", env), env));
    }

    private IndexerConfig load(String database, Map<String, String> env) throws Exception {
        Path file = Files.createDirectories(dir.resolve("conf")).resolve("indexer.yaml");
        Files.writeString(file, CONFIG.formatted(database));
        return ConfigLoader.load(file, env);
    }
}
