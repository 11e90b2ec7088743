package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sources on different chains may name one table when its definition agrees; otherwise both are named. */
class IndexPlanSharedTableTest {
    private static final String TRANSFER = "event Transfer(address indexed from, address indexed to, uint256 value)";
    private static final String CHAINS = """
            chains:
              - name: mainnet
                chain_id: 1
                rpc: [http://127.0.0.1:8545]
              - name: base
                chain_id: 8453
                rpc: [http://127.0.0.1:8546]
            """;
    private static final String YAML = CHAINS + """
            sources:
              - name: usdc_mainnet
                chain: mainnet
                addresses: [0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48]
                events:
                  - signature: "%s"
                    table: transfers
              - name: usdc_base
                chain: %s
                addresses: [0x833589fcd6edb6e08f4c7c32d4f71b54bda02913]
                events:
                  - signature: "%s"
                    table: transfers
            """;

    private static IndexPlan plan(String second, String chain) throws ConfigException {
        return IndexPlan.from(ConfigLoader.parse(YAML.formatted(TRANSFER, chain, second), "test.yaml", Map.of()));
    }

    @Test
    void theSameEventOnTwoChainsSharesOneTable() throws Exception {
        IndexPlan plan = plan(TRANSFER, "base");
        List<EventTable> tables = plan.allTables();
        assertEquals(List.of("public.transfers", "public.transfers"), tables.stream().map(EventTable::qualifiedName).toList());
        assertEquals(List.of(1L, 8453L), tables.stream().map(EventTable::chainId).toList());
        assertEquals(tables.get(0).columns(), tables.get(1).columns());
    }

    @Test
    void anotherEventOrOtherColumnsAreRefusedNamingBothSources() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> plan("event Transfer(address indexed from, address indexed to, uint128 value)", "base"));
        assertEquals("test.yaml:19: sources[1].events[0].table: table transfers is also written by sources[0].events[0]"
                + ".table (source usdc_mainnet, line 13) on another chain, with another definition (event "
                + "Transfer(address,address,uint256) there, Transfer(address,address,uint128) here); sources on"
                + " different chains share a table only with the same event, columns and indexes", e.getMessage());
        ConfigException names = assertThrows(ConfigException.class,
                () -> plan("event Transfer(address indexed sender, address indexed to, uint256 value)", "base"));
        assertTrue(names.getMessage().contains("columns (from bytea, to bytea, value numeric(78,0)) there, (sender bytea,"
                + " to bytea, value numeric(78,0)) here"), names.getMessage());
    }

    @Test
    void oneChainStillCannotUseATableTwice() {
        ConfigException e = assertThrows(ConfigException.class, () -> plan(TRANSFER, "mainnet"));
        assertTrue(e.getMessage().startsWith("test.yaml:20: sources[1].events[0].table: duplicate table \"transfers\""
                + " (already used by sources[0].events[0].table on line 14); sources may share a table only when they"
                + " are on different chains"), e.getMessage());
    }

    @Test
    void aSourceOnAListOfChainsIndexesTheSameEventsIntoOneTableOnEach() throws Exception {
        String yaml = CHAINS + """
                sources:
                  - name: create2_token
                    chain: [mainnet, base]
                    addresses: [0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48]
                    start_block: 7
                    events:
                      - signature: "%s"
                        table: transfers
                """.formatted(TRANSFER);
        List<EventTable> tables = IndexPlan.from(ConfigLoader.parse(yaml, "test.yaml", Map.of())).allTables();
        assertEquals(List.of(1L, 8453L), tables.stream().map(EventTable::chainId).toList());
        assertEquals(List.of("transfers", "transfers"), tables.stream().map(EventTable::name).toList());
        assertEquals(List.of(7L, 7L), tables.stream().map(EventTable::startBlock).toList());
    }

    @Test
    void aChainListNamesConfiguredChainsEachOnce() {
        String yaml = YAML.formatted(TRANSFER, "base", TRANSFER).replace("chain: mainnet", "chain: %s");
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(yaml.formatted("[mainnet, optimism]"), "test.yaml", Map.of()));
        assertTrue(unknown.getMessage().startsWith("test.yaml:10: sources[0].chain[1]: unknown chain \"optimism\""),
                unknown.getMessage());
        ConfigException twice = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(yaml.formatted("[mainnet, mainnet]"), "test.yaml", Map.of()));
        assertEquals("test.yaml:10: sources[0].chain[1]: duplicate chain \"mainnet\" (already used by sources[0].chain[0]"
                + " on line 10)", twice.getMessage());
        ConfigException empty = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(yaml.formatted("[]"), "test.yaml", Map.of()));
        assertEquals("test.yaml:10: sources[0].chain: empty list: name at least one chain", empty.getMessage());
        ConfigException shared = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(yaml.formatted("[mainnet, base]"), "test.yaml", Map.of()));
        assertTrue(shared.getMessage().contains("duplicate table \"transfers\""), "the second source is on base too: "
                + shared.getMessage());
    }
}
