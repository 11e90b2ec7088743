package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Parameter filters: topics pushed down for indexed parameters, every filter checked per table on decoded logs; end_block. */
class ParamFilterTest {
    static final String YAML = """
            chains:
              - name: c
                chain_id: 1
                rpc: [http://127.0.0.1:8545]
            sources:
              - name: s
                chain: c
                addresses: [0x00000000000000000000000000000000000000aa]
            %s
                events:
                  - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                    table: transfers
            %s
            """;

    static EventTable table(String sourceExtra, String eventExtra) throws ConfigException {
        return IndexPlan.from(ConfigLoader.parse(YAML.formatted(sourceExtra, eventExtra), "test.yaml", Map.of())).allTables().get(0);
    }

    static String address(long v) {
        return "0x%040x".formatted(v);
    }

    static Hash word(long v) {
        byte[] b = new byte[32];
        ByteBuffer.wrap(b).putLong(24, v);
        return Hash.of(b);
    }

    private final FakeChain chain = new FakeChain();
    private final MemoryStore store = new MemoryStore();

    @Test
    void indexedValuesArePushedIntoTheirTopicPosition() throws Exception {
        EventTable t = table("", "        filter: {to: [" + address(101) + ", " + address(100) + "]}");
        assertEquals(List.of(List.of(), List.of(word(100), word(101))), t.filter().topics(), "to is topic 2; from stays open");
        assertEquals(1, t.params().size());
        assertTrue(t.params().get(0).indexed());
        EventTable byFrom = table("", "        filter: {from: " + address(7) + "}");
        assertEquals(List.of(List.of(word(7))), byFrom.filter().topics(), "from is topic 1");
    }

    @Test
    void nonIndexedValuesStayOnTheDecodedSide() throws Exception {
        EventTable t = table("", "        filter: {value: [5, 0x10]}");
        assertEquals(List.of(), t.filter().topics(), "value is in the data: nothing for the node");
        ParamFilter p = t.params().get(0);
        assertFalse(p.indexed());
        assertEquals(0, p.slot(), "value is the first data word");
        assertEquals(java.util.Set.of(word(5), word(16)), p.values());
    }

    @Test
    void beyondTheTopicListLimitThePositionStaysOpenAndTheDecodedSideFilters() throws Exception {
        String many = IntStream.rangeClosed(1, ParamFilters.MAX_TOPIC_VALUES + 1).mapToObj(ParamFilterTest::address)
                .collect(Collectors.joining(", "));
        EventTable t = table("", "        filter: {to: [" + many + "]}");
        assertEquals(List.of(), t.filter().topics());
        assertEquals(ParamFilters.MAX_TOPIC_VALUES + 1, t.params().get(0).values().size());
        EventTable limit = table("", "        filter: {to: [" + many.substring(0, many.lastIndexOf(',')) + "]}");
        assertEquals(ParamFilters.MAX_TOPIC_VALUES, limit.filter().topics().get(1).size(), "at the limit it is pushed down");
    }

    @Test
    void aFilterIsPartOfTheDefinitionButItsValueOrderIsNot() throws Exception {
        EventTable plain = table("", "");
        EventTable ab = table("", "        filter: {to: [" + address(1) + ", " + address(2) + "]}");
        EventTable ba = table("", "        filter: {to: [" + address(2) + ", " + address(1) + "]}");
        EventTable a = table("", "        filter: {to: [" + address(1) + "]}");
        assertEquals(IndexPlan.definitionHash(1, plain.signature(), plain.filter().addresses(), plain.columns()), plain.definitionHash(),
                "tables without filters keep the hash they had before filters existed");
        assertEquals(ab.definitionHash(), ba.definitionHash());
        assertNotEquals(plain.definitionHash(), ab.definitionHash());
        assertNotEquals(a.definitionHash(), ab.definitionHash());
        assertEquals(plain.definitionHash(), table("    end_block: 99", "").definitionHash(), "end_block is not the definition");
    }

    @Test
    void signedSmallAndFixedBytesValuesEncodeAsTheirAbiWords() {
        assertEquals(Hash.fromHex("0x" + "ff".repeat(32)), ParamFilters.word(new dev.evmindexer.abi.AbiType.IntType(24), "-1"));
        assertEquals(word(1), ParamFilters.word(new dev.evmindexer.abi.AbiType.BoolType(), "true"));
        assertEquals(Hash.fromHex("0xabcd" + "00".repeat(30)), ParamFilters.word(new dev.evmindexer.abi.AbiType.FixedBytesType(2), "0xabcd"));
    }

    @Test
    void theRouterKeepsPerTableOnlyWhatItsOwnFiltersAllow() throws Exception {
        chain.mine(20, 4); // blocks 1..20; per block: transfers to 100..103, values n*1000+i
        EventTable all = table("", "");
        EventTable to = table("", "        filter: {to: [" + address(101) + ", " + address(103) + "]}");
        EventTable value = table("", "        filter: {value: [" + 5002 + ", " + 7000 + "]}");
        // one call for all three (the tip phase's union): topics after topic0 are not in it
        LogFilter union = LogRouter.union(List.of(all, to, value));
        assertEquals(List.of(), union.topics());
        RangeLogs logs = chain.rangeLogs(0, 20, union);
        List<TableRows> routed = new LogRouter().route(List.of(all, to, value), logs.logs(), n -> logs.headers().get(n));
        List<Log> everything = routed.get(0).rows().stream().map(EventRow::log).toList();
        assertEquals(80, everything.size());
        assertEquals(everything.stream().filter(l -> l.topics().get(2).equals(word(101)) || l.topics().get(2).equals(word(103))).toList(),
                routed.get(1).rows().stream().map(EventRow::log).toList());
        assertEquals(40, routed.get(1).rows().size());
        List<Log> byValue = routed.get(2).rows().stream().map(EventRow::log).toList();
        assertEquals(List.of(5L, 7L), byValue.stream().map(Log::blockNumber).toList());
    }

    @Test
    void aRangeCallWithPushedDownTopicsGivesTheFilteredRows() throws Exception {
        chain.mine(300, 3);
        store.advanceFinalized(1, 300);
        EventTable all = table("", "");
        EventTable to = table("", "        filter: {to: " + address(102) + "}");
        RangePhase p = phase();
        for (List<RangePhase.Unit> u = p.plan(List.of(to), 0, 300, 32); !u.isEmpty(); u = p.plan(List.of(to), 0, 300, 32)) {
            p.run(u, 0, false);
        }
        List<Log> expected = new ArrayList<>();
        for (Log l : chain.rangeLogs(0, 300, all.filter()).logs()) {
            if (l.topics().size() == 3 && l.topics().get(2).equals(word(102))) expected.add(l);
        }
        assertEquals(300, expected.size(), "blocks 1..300, one transfer to 102 each");
        assertEquals(expected, store.rowsOf("transfers").stream().map(EventRow::log).toList());
    }

    @Test
    void aTableWithEndBlockIsPlannedAndRoutedNoFurther() throws Exception {
        chain.mine(300, 2);
        store.advanceFinalized(1, 300);
        EventTable t = table("    end_block: 150", "");
        assertEquals(150, t.endBlock());
        RangePhase p = phase();
        List<RangePhase.Unit> units = p.plan(List.of(t), 0, 300, 32);
        assertEquals(List.of(new Span(0, 99), new Span(100, 150)), units.stream().map(RangePhase.Unit::span).toList());
        p.run(units, 0, false);
        assertFalse(p.pending(List.of(t), 0, 300), "complete once covered up to end_block");
        assertEquals(List.of(), p.plan(List.of(t), 0, 300, 32));
        List<EventRow> rows = store.rowsOf("transfers");
        assertEquals(150 * 2, rows.size(), "blocks 1..150");
        assertTrue(rows.stream().allMatch(r -> r.log().blockNumber() <= 150));
        // the tip phase routes nothing above it
        RangeLogs above = chain.rangeLogs(151, 160, t.filter());
        assertFalse(above.logs().isEmpty());
        assertEquals(List.of(), new LogRouter().route(List.of(t), above.logs(), n -> above.headers().get(n)).get(0).rows());
    }

    private static void refused(String eventExtra, String message) {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> table("", eventExtra));
        assertEquals(message, e.getMessage());
    }

    @Test
    void configErrorsNameTheFileLineAndKey() {
        refused("        filter: {receiver: " + address(1) + "}", "test.yaml:13: sources[0].events[0].filter.receiver: event "
                + "Transfer(address,address,uint256) has no parameter 'receiver' (parameters: from, to, value)");
        refused("        filter:\n          value: [1, x2]", "test.yaml:14: sources[0].events[0].filter.value: 'x2' is not a "
                + "uint256: expected a decimal or 0x-hex integer");
        refused("        filter: {to: 0x1234}", "test.yaml:13: sources[0].events[0].filter.to: '0x1234' is not a address: "
                + "not an address (0x and 40 hex digits): 0x1234");
        refused("        filter: {value: -1}", "test.yaml:13: sources[0].events[0].filter.value: '-1' is not a uint256: "
                + "out of range for uint256");
    }

    @Test
    void typesThatCannotBeFilteredAreRefused() {
        String yaml = YAML.replace("event Transfer(address indexed from, address indexed to, uint256 value)",
                "event Note(string indexed memo, bytes data, uint8[2] pair)");
        for (String param : List.of("memo", "data", "pair")) {
            ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> IndexPlan.from(
                    ConfigLoader.parse(yaml.formatted("", "        filter: {" + param + ": 1}"), "test.yaml", Map.of())));
            assertTrue(e.getMessage().startsWith("test.yaml:13: sources[0].events[0].filter." + param + ": parameter '" + param
                    + "' is "), e.getMessage());
            assertTrue(e.getMessage().contains("which cannot be filtered (only address, bool, uintN, intN and bytesN can)"));
        }
    }

    @Test
    void aDataParameterAfterAFixedArrayIsReadAtItsHeadOffset() throws Exception {
        String yaml = YAML.replace("event Transfer(address indexed from, address indexed to, uint256 value)",
                "event Note(address indexed who, uint8[2] pair, string memo, bool ok)");
        EventTable t = IndexPlan.from(ConfigLoader.parse(yaml.formatted("", "        filter: {ok: true}"), "test.yaml", Map.of()))
                .allTables().get(0);
        assertEquals(96, t.params().get(0).slot(), "two words of the array, one offset word of the string");
    }

    private RangePhase phase() {
        var settings = new ChainSettings(1, "test", OptionalInt.of(0), 128, 1, 100, 3, 32);
        return new RangePhase(chain, store, new LogRouter(), settings, new MemoryBudget(1 << 24));
    }
}
