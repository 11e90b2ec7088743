package dev.evmindexer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Address;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every runnable example under {@code config/} at the repository root must load (alerts.yaml is Prometheus rules). */
class ExampleConfigsTest {
    /** Plausible values for every variable the examples use. */
    static final Map<String, String> ENV = Map.of(
            "ETH_RPC_URL", "https://eth-mainnet.g.alchemy.com/v2/test-key",
            "ETH_RPC_URL_2", "https://mainnet.infura.io/v3/test-key",
            "ANVIL_URL", "http://127.0.0.1:8545",
            "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/indexer",
            "OPS_PORT", "9464");

    static Path configDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("config")) && Files.isRegularFile(dir.resolve("pom.xml"))
                    && Files.isDirectory(dir.resolve("indexer"))) {
                return dir.resolve("config");
            }
        }
        throw new IllegalStateException("no repository root (with config/ and indexer/) above " + Path.of("").toAbsolutePath());
    }

    static List<Path> examples() {
        try (Stream<Path> files = Files.list(configDir())) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.getFileName().toString().equals("alerts.yaml")) // Prometheus rules, not a config
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyExampleLoadsWithItsVariablesSet() throws Exception {
        List<Path> files = examples();
        assertTrue(files.size() >= 2, "expected the examples under config/, found " + files);
        for (Path file : files) {
            IndexerConfig c = ConfigLoader.load(file, ENV);
            assertFalse(c.chains().isEmpty(), file + " has no chain");
            assertFalse(c.sources().isEmpty(), file + " has no source");
            assertFalse(c.summary().contains("test-key"), file + ": summary leaks a key");
        }
    }

    @Test
    void devnetUsesLocalAnvilAndEmbeddedDatabaseByDefault() throws Exception {
        IndexerConfig c = ConfigLoader.load(configDir().resolve("devnet.yaml"), Map.of());
        ChainConfig chain = c.chains().get(0);
        assertEquals(31337, chain.chainId());
        assertEquals("http://127.0.0.1:8545", chain.rpc().get(0).url());
        assertEquals(new Finality.Depth(2), chain.finality());
        assertTrue(c.database().embedded());
        SourceConfig source = c.sources().get(0);
        assertTrue(source.allAddresses());
        assertEquals(0, source.startBlock());
        assertEquals("transfers", source.events().get(0).table());
    }

    @Test
    void mainnetUsdcHasTheDocumentedShape() throws Exception {
        IndexerConfig c = ConfigLoader.load(configDir().resolve("mainnet-usdc.yaml"),
                Map.of("ETH_RPC_URL", "https://eth-mainnet.g.alchemy.com/v2/test-key"));
        ChainConfig chain = c.chains().get(0);
        assertEquals(1, chain.chainId());
        assertEquals(1, chain.rpc().size(), "the unset second endpoint is dropped");
        assertInstanceOf(Finality.Tag.class, chain.finality());
        SourceConfig usdc = c.sources().get(0);
        assertEquals(List.of(Address.fromHex("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")), usdc.addresses());
        assertEquals(6082465, usdc.startBlock());
        assertEquals("usdc_transfers", usdc.events().get(0).table());
    }
}
