package dev.evmindexer.config;

import static dev.evmindexer.config.ConfigFixtures.MINIMAL;
import static dev.evmindexer.config.ConfigFixtures.assertFails;
import static dev.evmindexer.config.ConfigFixtures.minimalWith;
import static dev.evmindexer.config.ConfigFixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each way a config can be wrong gets a message naming its line, key path and reason. */
class ConfigValidationTest {
    static final String URL_LINE = "url: https://rpc.example.org/v2/SECRETKEY";
    static final String SIGNATURE_LINE =
            "      - signature: \"event Transfer(address indexed from, address indexed to, uint256 value)\"";
    static final String USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
    static final String TWO_CHAINS = """
            chains:
              - name: mainnet
                chain_id: 1
                rpc: [https://a.example]
              - name: base
                chain_id: 8453
                rpc: [https://b.example]
            """;

    /** MINIMAL with one edit must fail at {@code line}, {@code path}, with {@code reason} in the message. */
    private static ConfigException bad(String from, String to, int line, String path, String reason) {
        return assertFails(minimalWith(from, to), line, path, reason);
    }

    // --- unknown keys, duplicate keys, wrong types -------------------------------------------------

    @Test
    void unknownTopLevelKey() {
        assertFails("chain: 1\n" + MINIMAL, 1, "chain",
                "unknown key \"chain\" (did you mean \"chains\"?); allowed top-level keys: database, chains, sources, ops");
    }

    @Test
    void unknownChainKey() {
        bad("poll_interval: 2s", "finalty: 2", 6, "chains[0].finalty",
                "unknown key \"finalty\" (did you mean \"finality\"?); allowed keys in chains[0]: name, chain_id, rpc, finality");
    }

    @Test
    void unknownRpcKey() {
        bad(URL_LINE, "{url: \"https://a.example\", maxrps: 3}", 5, "chains[0].rpc[0].maxrps",
                "unknown key \"maxrps\" (did you mean \"max_rps\"?); allowed keys in chains[0].rpc[0]: url, max_rps");
    }

    @Test
    void unknownEventKey() {
        bad("table: transfers", "tabel: transfers", 15, "sources[0].events[0].tabel",
                "unknown key \"tabel\" (did you mean \"table\"?); allowed keys in sources[0].events[0]: signature, abi, name, table, columns");
    }

    @Test
    void endBlockBeforeStartBlockIsRefused() {
        bad("start_block: 5", "start_block: 5\n    end_block: 4", 13, "sources[0].end_block", "end_block 4 is before start_block 5");
    }

    @Test
    void filterMustNameValues() {
        bad("table: transfers", "table: transfers\n        filter: {}", 16, "sources[0].events[0].filter",
                "empty filter: omit filter to keep every log of the event");
        bad("table: transfers", "table: transfers\n        filter: {to: []}", 16, "sources[0].events[0].filter.to",
                "empty list: give at least one value");
        bad("table: transfers", "table: transfers\n        filter: {to: [0xA0b86991c6218b36c1d19d4a2e9eb0ce3606eb48]}", 16,
                "sources[0].events[0].filter.to[0]", "bad EIP-55 checksum");
    }

    @Test
    void unknownOpsKey() {
        assertFails(MINIMAL + "ops:\n  hots: 0.0.0.0\n", 17, "ops.hots", "allowed keys in ops: host, port");
    }

    @Test
    void duplicateKey() {
        bad("# addresses", "chain: base", 10, "sources[0].chain", "duplicate key (first given on line 9)");
    }

    @Test
    void rootMustBeAMapping() {
        assertFails("- chains\n", 1, "", "expected a mapping with keys database, chains, sources, ops, got a list");
    }

    @Test
    void chainsMustBeAList() {
        assertFails("chains: mainnet\n", 1, "chains", "expected a list, got a single value");
    }

    @Test
    void databaseMustBeAMapping() {
        assertFails("database: [a]\n" + MINIMAL, 1, "database", "expected a mapping with keys url, schema, user");
    }

    @Test
    void urlMustBeASingleValue() {
        bad(URL_LINE, "url: [https://a.example, https://b.example]", 5, "chains[0].rpc[0].url",
                "expected a single value, got a list");
    }

    @Test
    void chainIdMustBeAnInteger() {
        bad("chain_id: 1", "chain_id: one", 3, "chains[0].chain_id", "expected an integer, got \"one\"");
        bad("chain_id: 1", "chain_id: 0", 3, "chains[0].chain_id", "must be >= 1, got 0");
    }

    @Test
    void bloomChecksMustBeABoolean() {
        bad("poll_interval: 2s", "bloom_checks: maybe", 6, "chains[0].bloom_checks", "expected true or false, got \"maybe\"");
    }

    @Test
    void receiptsProofMustBeABoolean() {
        bad("poll_interval: 2s", "receipts_proof: yes please", 6, "chains[0].receipts_proof",
                "expected true or false, got \"yes please\"");
        bad("poll_interval: 2s", "receipts_proof: 1", 6, "chains[0].receipts_proof", "expected true or false, got \"1\"");
    }

    @Test
    void reconcileIsAllOffOrAFraction() {
        bad("poll_interval: 2s", "reconcile: some", 6, "chains[0].reconcile",
                "expected \"all\", \"off\" or the fraction of ranges to re-check (a number in (0, 1], e.g. 0.1), got \"some\"");
        bad("poll_interval: 2s", "reconcile: 1.5", 6, "chains[0].reconcile",
                "the fraction of ranges to re-check must be in (0, 1] (\"off\" turns it off), got \"1.5\"");
        bad("poll_interval: 2s", "reconcile: 0", 6, "chains[0].reconcile", "must be in (0, 1]");
        bad("poll_interval: 2s", "reconcile_rps: 0", 6, "chains[0].reconcile_rps", "must be a positive number, got \"0\"");
    }

    @Test
    void rpcLimitsMustBePositive() {
        bad(URL_LINE, "{url: \"https://a.example\", max_rps: -2}", 5, "chains[0].rpc[0].max_rps",
                "must be a positive number, got \"-2\"");
        bad(URL_LINE, "{url: \"https://a.example\", max_rps: .nan}", 5, "chains[0].rpc[0].max_rps",
                "expected a number, got \".nan\"");
        bad(URL_LINE, "{url: \"https://a.example\", weight: 0}", 5, "chains[0].rpc[0].weight", "must be a positive number");
        bad(URL_LINE, "{url: \"https://a.example\", max_concurrency: 0}", 5, "chains[0].rpc[0].max_concurrency",
                "must be >= 1, got 0");
        bad(URL_LINE, "{url: \"https://a.example\", timeout: fast}", 5, "chains[0].rpc[0].timeout",
                "expected a duration such as 500ms, 2s, 1m, 1h or 7d, got \"fast\"");
        bad(URL_LINE, "{url: \"https://a.example\", logs_per_call: 0}", 5, "chains[0].rpc[0].logs_per_call",
                "must be between 1 and 10000000, got 0");
        bad(URL_LINE, "{url: \"https://a.example\", logs_per_call: 10000001}", 5, "chains[0].rpc[0].logs_per_call",
                "must be between 1 and 10000000, got 10000001");
        bad(URL_LINE, "{url: \"https://a.example\", logs_per_call: many}", 5, "chains[0].rpc[0].logs_per_call",
                "expected an integer");
        bad("poll_interval: 2s", "max_fetchers: 0", 6, "chains[0].max_fetchers", "must be >= 1, got 0");
    }

    @Test
    void integerOutOfRange() {
        bad("start_block: 5", "start_block: 99999999999999999999", 12, "sources[0].start_block", "integer out of range");
    }

    // --- required keys ----------------------------------------------------------------------------

    static Stream<Arguments> missingRequiredKeys() {
        return Stream.of(
                Arguments.of("chain_id: 1", "# no chain_id", 2, "chains[0].chain_id"),
                Arguments.of("  - name: mainnet", "  - # no name", 3, "chains[0].name"),
                Arguments.of("    rpc:\n      - " + URL_LINE, "    #\n    #", 2, "chains[0].rpc"),
                Arguments.of("  - name: usdc", "  - # no name", 9, "sources[0].name"),
                Arguments.of("    chain: mainnet", "    # no chain", 8, "sources[0].chain"),
                Arguments.of("    events:\n" + SIGNATURE_LINE + "\n        table: transfers", "#\n#\n#", 8,
                        "sources[0].events"),
                Arguments.of(SIGNATURE_LINE, "      - # no signature", 15, "sources[0].events[0].signature"),
                Arguments.of("        table: transfers", "        # no table", 14, "sources[0].events[0].table"),
                Arguments.of("      - " + URL_LINE, "      - {weight: 2}", 5, "chains[0].rpc[0].url"));
    }

    @ParameterizedTest
    @MethodSource
    void missingRequiredKeys(String from, String to, int line, String path) {
        bad(from, to, line, path, "required key is missing");
    }

    @Test
    void missingChains() {
        assertFails("database: {schema: public}\n", 1, "chains", "required key is missing");
    }

    @Test
    void requiredValuesMustNotBeEmpty() {
        bad("chain: mainnet", "chain: \"\"", 9, "sources[0].chain", "must not be empty");
        bad(SIGNATURE_LINE, "      - signature: ${SIG:-}", 14, "sources[0].events[0].signature", "must not be empty");
    }

    @Test
    void emptyDocument() {
        assertFails("", 1, "", "config is empty");
        assertFails("# nothing here\n", 1, "", "config is empty");
    }

    @Test
    void emptyChainList() {
        assertFails("chains: []\n", 1, "chains", "must list at least one chain");
    }

    @Test
    void emptyEventList() {
        bad("    events:\n" + SIGNATURE_LINE + "\n        table: transfers", "    events: []\n#\n#", 13,
                "sources[0].events", "must list at least one event");
    }

    // --- variables and RPC endpoints --------------------------------------------------------------

    @Test
    void unsetVariableIsNamed() {
        bad("start_block: 5", "start_block: ${START_BLOCK}", 12, "sources[0].start_block",
                "environment variable START_BLOCK is not set (write ${START_BLOCK:-} to make it optional)");
    }

    @Test
    void chainLeftWithoutEndpoint() {
        bad(URL_LINE, "url: ${ETH_RPC_URL:-}", 5, "chains[0].rpc",
                "no RPC endpoint: every url is empty (check the environment variables they use)");
    }

    @Test
    void rpcUrlMustBeHttpAndIsRedacted() {
        ConfigException e = bad(URL_LINE, "url: ws://user:pw@node.example/SECRETKEY", 5, "chains[0].rpc[0].url",
                "URL must start with http:// or https://, got ws://node.example/…");
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
        bad(URL_LINE, "url: http:///SECRETKEY", 5, "chains[0].rpc[0].url", "URL has no host");
        bad(URL_LINE, "url: https://exa mple.org/SECRETKEY", 5, "chains[0].rpc[0].url", "not a valid URL");
        bad(URL_LINE, "url: SECRETKEY", 5, "chains[0].rpc[0].url", "URL must start with http:// or https://");
    }

    @Test
    void duplicateEndpoint() {
        bad("      - " + URL_LINE, "      - " + URL_LINE + "\n      - " + URL_LINE, 6, "chains[0].rpc[1].url",
                "duplicate RPC endpoint in this chain: https://rpc.example.org/…");
    }

    // --- chains and sources ------------------------------------------------------------------------

    @Test
    void duplicateChainName() {
        assertFails(TWO_CHAINS.replace("name: base", "name: mainnet"), 5, "chains[1].name",
                "duplicate chain name \"mainnet\" (already used by chains[0].name on line 2)");
    }

    @Test
    void duplicateChainId() {
        assertFails(TWO_CHAINS.replace("chain_id: 8453", "chain_id: 1"), 6, "chains[1].chain_id",
                "duplicate chain_id \"1\" (already used by chains[0].chain_id on line 3)");
    }

    @Test
    void badChainName() {
        bad("  - name: mainnet", "  - name: main net", 2, "chains[0].name", "not a valid name: \"main net\"");
        bad("  - name: mainnet", "  - name: " + "m".repeat(64), 2, "chains[0].name", "name is 64 characters long, at most 63");
    }

    @Test
    void duplicateSourceName() {
        assertFails(MINIMAL + "  - name: usdc\n    chain: mainnet\n    events: [{signature: e, table: other}]\n",
                16, "sources[1].name", "duplicate source name \"usdc\" (already used by sources[0].name on line 8)");
    }

    @Test
    void sourceNamesUnknownChain() {
        bad("chain: mainnet", "chain: mainet", 9, "sources[0].chain",
                "unknown chain \"mainet\" (did you mean \"mainnet\"?); configured chains: mainnet");
    }

    @Test
    void badAddressIsNamedByIndex() {
        bad("[" + USDC + "]", "[" + USDC + ", 0x1234]", 11, "sources[0].addresses[1]",
                "not an address (0x and 40 hex digits): got \"0x1234\"");
    }

    @Test
    void mixedCaseAddressNeedsAValidChecksum() throws Exception {
        bad("[" + USDC + "]", "[0xa0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48]", 11, "sources[0].addresses[0]",
                "bad EIP-55 checksum in address 0xa0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48: it is probably mistyped");
        // All upper case carries no checksum either, and is accepted.
        assertEquals(USDC, parse(minimalWith(USDC, "0x" + USDC.substring(2).toUpperCase(Locale.ROOT)))
                .sources().get(0).addresses().get(0).hex());
    }

    @Test
    void duplicateAddress() {
        bad("[" + USDC + "]", "[" + USDC + ", 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48]", 11,
                "sources[0].addresses[1]", "duplicate address \"" + USDC + "\"");
    }

    @Test
    void explicitEmptyAddressListIsRefused() {
        bad("[" + USDC + "]", "[]", 11, "sources[0].addresses", "empty list: omit addresses to index the logs of every contract");
    }

    @Test
    void negativeStartBlock() {
        bad("start_block: 5", "start_block: -1", 12, "sources[0].start_block", "must be >= 0, got -1");
    }

    @Test
    void duplicateTable() {
        bad("        table: transfers", "        table: transfers\n      - signature: e\n        table: transfers", 17,
                "sources[0].events[1].table",
                "duplicate table \"transfers\" (already used by sources[0].events[0].table on line 15)");
    }

    @Test
    void tableClashingWithAFinalizedView() {
        bad("        table: transfers", "        table: transfers\n      - signature: e\n        table: transfers_finalized",
                17, "sources[0].events[1].table", "has the name of the view created for the table at sources[0].events[0].table");
        bad("        table: transfers", "        table: transfers_finalized\n      - signature: e\n        table: transfers",
                17, "sources[0].events[1].table", "the view \"transfers_finalized\" created for this table has the name");
    }

    @Test
    void badTableIdentifier() {
        bad("table: transfers", "table: Transfers", 15, "sources[0].events[0].table", "not a valid identifier: \"Transfers\"");
        bad("table: transfers", "table: 1transfers", 15, "sources[0].events[0].table", "not a valid identifier");
    }

    @Test
    void tableLongerThanPostgresLimit() throws Exception {
        bad("table: transfers", "table: " + "t".repeat(64), 15, "sources[0].events[0].table",
                "is 64 bytes, longer than PostgreSQL's identifier limit of 63 bytes");
        assertEquals("t".repeat(63), parse(minimalWith("table: transfers", "table: " + "t".repeat(63)))
                .sources().get(0).events().get(0).table());
    }

    // --- chain settings ---------------------------------------------------------------------------

    @Test
    void badFinality() {
        bad("poll_interval: 2s", "finality: latest", 6, "chains[0].finality",
                "expected \"finalized\" (the node's tag) or a depth in blocks (an integer >= 0), got \"latest\"");
        bad("poll_interval: 2s", "finality: -1", 6, "chains[0].finality", "must be >= 0, got -1");
    }

    @Test
    void maxReorgDepthAtLeastOne() {
        bad("poll_interval: 2s", "max_reorg_depth: 0", 6, "chains[0].max_reorg_depth", "must be >= 1, got 0");
    }

    @Test
    void badPollInterval() {
        bad("poll_interval: 2s", "poll_interval: 2", 6, "chains[0].poll_interval",
                "expected a duration such as 500ms, 2s, 1m, 1h or 7d, got \"2\"");
        bad("poll_interval: 2s", "poll_interval: 1.5s", 6, "chains[0].poll_interval", "expected a duration");
        bad("poll_interval: 2s", "poll_interval: 0ms", 6, "chains[0].poll_interval", "must be a positive duration");
    }

    @Test
    void batchSizeAtMostOneHundred() {
        bad("poll_interval: 2s", "batch_size: 101", 6, "chains[0].batch_size", "must be between 1 and 100, got 101");
    }

    // --- database and ops ---------------------------------------------------------------------------

    @Test
    void aConfigWithoutSourcesIsRefusedInsteadOfRunningIdle() {
        String chainsOnly = MINIMAL.substring(0, MINIMAL.indexOf("sources:"));
        assertFails(chainsOnly, 1, "sources", "list at least one source");
        assertFails(chainsOnly + "sources: []\n", 7, "sources", "must list at least one source");
    }

    @Test
    void aBadOpsHostIsRefused() throws Exception {
        assertFails(MINIMAL + "ops:\n  host: not a host\n", 17, "ops.host", "expected a host name or an IP address");
        assertEquals("::1", ConfigLoader.parse(MINIMAL + "ops:\n  host: \"::1\"\n", ConfigFixtures.ORIGIN,
                java.util.Map.of()).ops().host());
    }

    @Test
    void systemSchemasAndCatalogTableNamesAreRefused() {
        assertFails("database:\n  schema: information_schema\n" + MINIMAL, 2, "database.schema", "PostgreSQL's own");
        bad("table: transfers", "table: pg_class", 15, "sources[0].events[0].table", "PostgreSQL's catalog names");
    }

    @Test
    void badSchema() {
        assertFails("database:\n  schema: my-schema\n" + MINIMAL, 2, "database.schema", "not a valid identifier");
        assertFails("database:\n  schema: indexer\n" + MINIMAL, 2, "database.schema", "reserved for the indexer's own tables");
        assertFails("database:\n  schema: pg_x\n" + MINIMAL, 2, "database.schema", "reserved by PostgreSQL");
    }

    @Test
    void databaseUrlMustBePostgresAndIsRedacted() {
        ConfigException e = assertFails("database:\n  url: mysql://u:hunter2@h/db\n" + MINIMAL, 2, "database.url",
                "expected a JDBC URL (jdbc:postgresql://host:port/db) or a postgres://user@host:port/db URL, got mysql://h/…");
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void conflictingDatabasePasswords() {
        ConfigException e = assertFails("database:\n  url: jdbc:postgresql://h/db?password=hunter2\n  password: other\n"
                + MINIMAL, 2, "database.url", "has a password parameter and database.password is set too: keep one");
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertFails("database:\n  url: postgres://u:hunter2@h/db\n  password: other\n" + MINIMAL, 2, "database.url",
                "has a password and database.password is set too");
    }

    @Test
    void dataDirMustNameADirectory() {
        assertFails("database:\n  data_dir: \"  \"\n" + MINIMAL, 2, "database.data_dir",
                "expected a directory for the embedded PostgreSQL's data");
    }

    @Test
    void poolSizeAtLeastOne() {
        assertFails("database:\n  pool_size: 0\n" + MINIMAL, 2, "database.pool_size", "must be between 1 and 1000, got 0");
    }

    @Test
    void opsPortInRange() {
        assertFails(MINIMAL + "ops:\n  port: 70000\n", 17, "ops.port", "must be between 0 and 65535, got 70000");
    }

    // --- YAML syntax ------------------------------------------------------------------------------

    @Test
    void yamlSyntaxErrorGivesLineWithoutEchoingTheSource() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(minimalWith("poll_interval: 2s", "poll_interval: 2s\n   bad: [SECRETKEY")));
        assertTrue(e.getMessage().startsWith("test.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains("invalid YAML"), e.getMessage());
        assertTrue(e.line() >= 6, e.getMessage());
        assertFalse(e.getMessage().contains("SECRETKEY"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void onlyOneDocument() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(MINIMAL + "---\n" + MINIMAL));
        assertTrue(e.getMessage().contains("invalid YAML"), e.getMessage());
        assertEquals(16, e.line(), e.getMessage());
    }
}
