package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each way a factory link can be wrong is refused naming the file, line and key. */
public class FactoryConfigTest {
    /** Line 11 is the child's addresses mapping; the factory is FactoryTest.FACTORY. */
    public static final String YAML = """
            chains:
              - name: c
                chain_id: 1
                rpc: [http://127.0.0.1:8545]
              - name: d
                chain_id: 2
                rpc: [http://127.0.0.1:8546]
            sources:
              - name: pairs
                chain: c
                addresses: {factory: factory, event: PairCreated, parameter: pair}
                events:
                  - signature: "event Swap(address indexed sender, uint256 amount)"
                    table: swaps
              - name: factory
                chain: c
                addresses: [0x00000000000000000000000000000000000000fa]
                events:
                  - signature: "event PairCreated(address indexed token0, address indexed token1, address pair, uint256 n)"
                    table: pairs_created
            """;

    private static void refused(String from, String to, String message) {
        assertEquals(1, YAML.split(java.util.regex.Pattern.quote(from), -1).length - 1, "fixture holds " + from + " once");
        ConfigException e = assertThrows(ConfigException.class,
                () -> IndexPlan.from(ConfigLoader.parse(YAML.replace(from, to), "f.yaml", Map.of())));
        assertEquals(message, e.getMessage());
    }

    @Test
    void theFixtureIsValid() throws Exception {
        assertEquals(2, IndexPlan.from(ConfigLoader.parse(YAML, "f.yaml", Map.of())).allTables().size());
    }

    @Test
    void anUnknownFactorySource() {
        refused("{factory: factory,", "{factory: factroy,", "f.yaml:11: sources[0].addresses.factory: unknown factory source "
                + "\"factroy\" (did you mean \"factory\"?); sources: pairs, factory");
    }

    @Test
    void anEventTheFactoryDoesNotHave() {
        refused("event: PairCreated,", "event: PoolCreated,", "f.yaml:11: sources[0].addresses.event: event 'PoolCreated' is "
                + "not among the events of factory source factory (events: PairCreated(address,address,address,uint256))");
    }

    @Test
    void aParameterTheEventDoesNotHave() {
        refused("parameter: pair}", "parameter: pool}", "f.yaml:11: sources[0].addresses.parameter: event "
                + "PairCreated(address,address,address,uint256) of factory source factory has no parameter 'pool' "
                + "(parameters: token0, token1, pair, n)");
    }

    @Test
    void aParameterThatIsNotAnAddress() {
        refused("parameter: pair}", "parameter: n}", "f.yaml:11: sources[0].addresses.parameter: parameter 'n' of "
                + "PairCreated(address,address,address,uint256) is uint256, not address: children are contract addresses");
    }

    @Test
    void aFactoryOnAnotherChain() {
        refused("    chain: c\n    addresses: [", "    chain: d\n    addresses: [", "f.yaml:11: sources[0].addresses.factory: "
                + "factory source \"factory\" is not on chain c (it is on d): children are followed on their factory's chain");
    }

    @Test
    void factoriesInACycle() {
        refused("addresses: [0x00000000000000000000000000000000000000fa]", "addresses: {factory: pairs, event: Swap, "
                + "parameter: sender}", "f.yaml:11: sources[0].addresses.factory: factories form a cycle: pairs -> factory -> "
                + "pairs (each takes its addresses from the next)");
    }

    @Test
    void anUnknownKeyInTheFactoryMapping() {
        refused("parameter: pair}", "paramter: pair}", "f.yaml:11: sources[0].addresses.paramter: unknown key \"paramter\" (did you "
                + "mean \"parameter\"?); allowed keys in sources[0].addresses: factory, event, parameter");
    }

    @Test
    void theFactoryLinkIsPartOfTheChildTablesDefinition() throws Exception {
        EventTable linked = IndexPlan.from(ConfigLoader.parse(YAML, "f.yaml", Map.of())).allTables().get(1);
        assertEquals("swaps", linked.name());
        EventTable plain = IndexPlan.from(ConfigLoader.parse(YAML.replace(
                "{factory: factory, event: PairCreated, parameter: pair}", "[0x00000000000000000000000000000000000000fb]"),
                "f.yaml", Map.of())).allTables().get(0);
        assertEquals("swaps", plain.name());
        assertNotEquals(plain.definitionHash(), linked.definitionHash());
    }
}
