package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexPlanIndexesTest {
    private static final String YAML = """
            chains:
              - name: c
                chain_id: 1
                rpc: [http://127.0.0.1:8545]
            sources:
              - name: s
                chain: c
                events:
                  - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                    table: transfers
                    indexes: %s
            """;

    private static IndexPlan plan(String indexes) throws ConfigException {
        return IndexPlan.from(ConfigLoader.parse(YAML.formatted(indexes), "test.yaml", Map.of()));
    }

    @Test
    void indexesOnEventAndStandardColumns() throws Exception {
        EventTable t = plan("[[from], [to, block_number]]").allTables().get(0);
        assertEquals(List.of(List.of("from"), List.of("to", "block_number")), t.indexes());
    }

    @Test
    void anUnknownColumnIsRefusedWithKeyAndLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> plan("[[from], [sender]]"));
        assertEquals("test.yaml:9: sources[0].events[0].indexes: no column 'sender' in table transfers (columns: address, "
                + "block_hash, block_number, block_time, chain_id, from, log_index, to, tx_hash, tx_index, value)", e.getMessage());
    }

    @Test
    void anEmptyOrRepeatedIndexIsRefused() {
        assertThrows(ConfigException.class, () -> plan("[[]]"));
        assertThrows(ConfigException.class, () -> plan("[[from, from]]"));
        assertThrows(ConfigException.class, () -> plan("[[from], [from]]"));
    }
}
