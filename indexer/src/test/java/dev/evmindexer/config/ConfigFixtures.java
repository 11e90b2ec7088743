package dev.evmindexer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

/** A small valid config with known line numbers, and helpers to break it one line at a time. */
final class ConfigFixtures {
    static final String ORIGIN = "test.yaml";

    /**
     * Line numbers matter: tests replace one line by another (or by a comment) to keep them.
     * <pre>
     *  1 chains:            6     poll_interval: 2s       11     addresses: [0xa0b8...]
     *  2   - name: mainnet  7 sources:                    12     start_block: 5
     *  3     chain_id: 1    8   - name: usdc              13     events:
     *  4     rpc:           9     chain: mainnet          14       - signature: "event Transfer(...)"
     *  5       - url: ...  10     # addresses             15         table: transfers
     * </pre>
     */
    static final String MINIMAL = """
            chains:
              - name: mainnet
                chain_id: 1
                rpc:
                  - url: https://rpc.example.org/v2/SECRETKEY
                poll_interval: 2s
            sources:
              - name: usdc
                chain: mainnet
                # addresses
                addresses: [0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48]
                start_block: 5
                events:
                  - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                    table: transfers
            """;

    private ConfigFixtures() {}

    static IndexerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, ORIGIN, Map.of());
    }

    static IndexerConfig parse(String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(yaml, ORIGIN, env);
    }

    /** MINIMAL with {@code from} (which must occur exactly once) replaced by {@code to}. */
    static String minimalWith(String from, String to) {
        int at = MINIMAL.indexOf(from);
        assertTrue(at >= 0 && MINIMAL.indexOf(from, at + 1) < 0, "fixture must contain exactly one " + from);
        return MINIMAL.replace(from, to);
    }

    /** Parses and expects a failure at {@code line} and {@code path} whose message contains {@code reason}. */
    static ConfigException assertFails(String yaml, Map<String, String> env, int line, String path, String reason) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, ORIGIN, env));
        String message = e.getMessage();
        String prefix = ORIGIN + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ");
        assertTrue(message.startsWith(prefix), () -> "expected prefix <" + prefix + "> in <" + message + ">");
        assertTrue(message.contains(reason), () -> "expected <" + reason + "> in <" + message + ">");
        assertEquals(line, e.line());
        assertEquals(path, e.path());
        assertTrue(!message.contains("\n"), "message must be one line: " + message);
        assertTrue(!message.contains("SECRETKEY"), "message leaks the RPC key: " + message);
        return e;
    }

    static ConfigException assertFails(String yaml, int line, String path, String reason) {
        return assertFails(yaml, Map.of(), line, path, reason);
    }
}
