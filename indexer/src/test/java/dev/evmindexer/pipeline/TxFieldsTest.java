package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.abi.Column;
import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.config.TxField;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code fields:}: config errors, the columns and their types, what each set of fields costs, and filling the rows. */
class TxFieldsTest {
    private static final String TRANSFER = "event Transfer(address indexed from, address indexed to, uint256 value)";

    /** {@link ParamFilterTest}'s config with another event signature and lines added to the event. */
    private static EventTable table(String signature, String eventExtra) throws ConfigException {
        String yaml = ParamFilterTest.YAML.replace(TRANSFER, signature).formatted("", eventExtra);
        return IndexPlan.from(ConfigLoader.parse(yaml, "test.yaml", Map.of())).allTables().get(0);
    }

    private static ConfigException refused(String signature, String eventExtra) {
        return assertThrows(ConfigException.class, () -> table(signature, eventExtra));
    }

    @Test
    void anUnknownFieldIsRefusedNamingFileLineAndKeyWithTheKnownNames() {
        ConfigException e = refused(TRANSFER, "        fields: [tx_from, tx_form]");
        assertEquals(13, e.line());
        assertEquals("sources[0].events[0].fields[1]", e.path());
        assertTrue(e.getMessage().startsWith("test.yaml:13: sources[0].events[0].fields[1]: unknown field \"tx_form\" (did you mean \"tx_from\"?)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("known fields: " + String.join(", ", TxField.names())), e.getMessage());
    }

    @Test
    void aFieldTwiceAnEmptyListAndAClashWithAParameterColumnAreRefused() {
        ConfigException twice = refused(TRANSFER, "        fields: [tx_from, tx_to, tx_from]");
        assertEquals("sources[0].events[0].fields[2]", twice.path());
        assertTrue(twice.getMessage().contains("duplicate field \"tx_from\""), twice.getMessage());
        ConfigException empty = refused(TRANSFER, "        fields: []");
        assertEquals("sources[0].events[0].fields", empty.path());
        assertTrue(empty.getMessage().contains("empty list"), empty.getMessage());
        ConfigException clash = refused("event Paid(address indexed tx_from, uint256 value)", "        fields: [tx_from]");
        assertEquals("sources[0].events[0].fields", clash.path());
        assertEquals(11, clash.line(), "the event's line, as for its other keys checked against the event");
        assertTrue(clash.getMessage().contains("field tx_from clashes with the column of the same name"), clash.getMessage());
    }

    @Test
    void eachFieldIsATypedColumnAfterTheParametersAndPartOfTheDefinition() throws Exception {
        EventTable plain = table(TRANSFER, "");
        EventTable all = table(TRANSFER, "        fields: [" + String.join(", ", TxField.names()) + "]");
        List<Column> extra = all.columns().subList(plain.columns().size(), all.columns().size());
        assertEquals(plain.columns(), all.columns().subList(0, plain.columns().size()), "parameters first, unchanged");
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("tx_from", "bytea");
        expected.put("tx_to", "bytea");
        expected.put("tx_type", "int2");
        expected.put("tx_value", "numeric(78,0)");
        expected.put("tx_input", "bytea");
        expected.put("tx_selector", "bytea");
        expected.put("tx_nonce", "int8");
        expected.put("tx_status", "boolean");
        expected.put("tx_gas_used", "int8");
        expected.put("tx_effective_gas_price", "numeric(78,0)");
        expected.put("block_base_fee", "numeric(78,0)");
        expected.put("block_miner", "bytea");
        Map<String, String> got = new java.util.LinkedHashMap<>();
        extra.forEach(c -> got.put(c.name(), c.sqlType()));
        assertEquals(expected, got);

        assertEquals(IndexPlan.definitionHash(1, plain.signature(), plain.filter().addresses(), plain.columns()),
                plain.definitionHash(), "a table without fields keeps the hash it had before fields existed");
        EventTable from = table(TRANSFER, "        fields: [tx_from]");
        assertNotEquals(plain.definitionHash(), from.definitionHash(), "adding a field changes the definition: reset");
        assertNotEquals(from.definitionHash(), table(TRANSFER, "        fields: [tx_to]").definitionHash());
        assertEquals(List.of(TxField.TX_FROM), from.fields());
        assertEquals(from.columns(), from.renamed("pg_temp", "x").columns(), "verify's scratch table has the fields too");
    }

    @Test
    void fieldsCostOneCallPerBlockForEachKindOfAnswerTheyNeed() {
        assertEquals(new TxData.Needs(true, false, false), needs(TxField.TX_FROM), "tx_from: the block's receipts");
        assertEquals(new TxData.Needs(true, false, false), needs(TxField.TX_FROM, TxField.TX_STATUS, TxField.TX_GAS_USED));
        assertEquals(new TxData.Needs(false, true, false), needs(TxField.TX_FROM, TxField.TX_VALUE),
                "sender and value both come with the full transactions");
        assertEquals(new TxData.Needs(true, true, false), needs(TxField.TX_STATUS, TxField.TX_NONCE));
        assertEquals(new TxData.Needs(false, false, true), needs(TxField.BLOCK_MINER));
        assertEquals(1, needs(TxField.TX_INPUT, TxField.BLOCK_BASE_FEE).callsPerBlock(), "the full block carries its header");
        assertEquals(2, needs(TxField.TX_GAS_USED, TxField.BLOCK_BASE_FEE).callsPerBlock());
        assertEquals(1, needs(TxField.TX_FROM).callsPerBlock());
        assertTrue(needs().none());
    }

    private static TxData.Needs needs(TxField... fields) {
        return TxData.Needs.of(List.of(fields));
    }

    /** Records what it was asked; answers from a fixed map. */
    private static final class Recording implements ChainSource {
        final List<List<Log>> asked = new ArrayList<>();
        final List<TxData.Needs> needs = new ArrayList<>();
        final TxData answer;

        Recording(TxData answer) {
            this.answer = answer;
        }

        @Override
        public TxData txData(List<Log> logs, TxData.Needs n) {
            asked.add(logs);
            needs.add(n);
            return answer;
        }

        // the rest is not used by TxColumns
        @Override public long chainId() { return 1; }
        @Override public Heads heads() { throw new UnsupportedOperationException(); }
        @Override public java.util.Optional<dev.evmindexer.eth.BlockHeader> header(long n) { throw new UnsupportedOperationException(); }
        @Override public List<dev.evmindexer.eth.BlockHeader> headers(long a, long b) { throw new UnsupportedOperationException(); }
        @Override public List<Log> blockLogs(dev.evmindexer.eth.Header h, LogFilter f) { throw new UnsupportedOperationException(); }
        @Override public RangeLogs rangeLogs(long a, long b, LogFilter f) { throw new UnsupportedOperationException(); }
    }

    private static Hash hash(int v) {
        return Hash.fromHex("0x%064x".formatted(v));
    }

    private static Address address(int v) {
        return Address.fromHex("0x%040x".formatted(v));
    }

    private static Log log(long block, int tx, int index) {
        return new Log(address(0xaa), List.of(), new byte[0], block, hash((int) block), hash((int) (1000 * block) + tx), tx, index);
    }

    @Test
    void rowsGetTheirTransactionsAndBlocksValuesInFieldOrderFromOneCall() throws Exception {
        EventTable withFields = table(TRANSFER, "        fields: [tx_to, tx_selector, block_base_fee, tx_from, tx_status]");
        EventTable without = table(TRANSFER, "");
        Log a = log(7, 0, 0);
        Log b = log(7, 1, 1);
        Log c = log(9, 0, 0);
        TxData data = new TxData(Map.of(
                a.txHash(), new TxData.Tx(address(1), address(2), 2, null, new byte[] {1, 2, 3, 4, 5}, null, true, 21_000L, null),
                b.txHash(), new TxData.Tx(address(3), null, 0, null, new byte[] {9}, null, false, 50_000L, null)),
                Map.of(hash(7), new TxData.Block(BigInteger.TEN, address(4)), hash(9), new TxData.Block(null, address(4))));
        Recording source = new Recording(data);
        Object[] values = {"p"};
        List<TableRows> routed = List.of(
                new TableRows(withFields, List.of(new EventRow(a, 1, values), new EventRow(b, 1, values), new EventRow(c, 2, values))),
                new TableRows(without, List.of(new EventRow(a, 1, values))));
        // c's transaction is missing from the answer: TxColumns trusts the source's checks and says it is a bug
        assertThrows(IllegalStateException.class, () -> TxColumns.attach(source, routed));
        assertEquals(List.of(List.of(a, b, c)), source.asked, "one call for every block holding a row, each log once");
        assertEquals(List.of(new TxData.Needs(true, true, true)), source.needs);

        List<TableRows> two = List.of(new TableRows(withFields, List.of(new EventRow(a, 1, values), new EventRow(b, 1, values))),
                routed.get(1));
        List<TableRows> out = TxColumns.attach(source, two);
        Object[] ra = out.get(0).rows().get(0).values();
        assertEquals(6, ra.length);
        assertEquals("p", ra[0]);
        assertArrayEquals(address(2).toArray(), (byte[]) ra[1]);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, (byte[]) ra[2], "the selector is the input's first 4 bytes");
        assertEquals(BigInteger.TEN, ra[3]);
        assertArrayEquals(address(1).toArray(), (byte[]) ra[4]);
        assertEquals(true, ra[5]);
        Object[] rb = out.get(0).rows().get(1).values();
        assertNull(rb[1], "a contract creation has no recipient");
        assertNull(rb[2], "an input shorter than 4 bytes has no selector");
        assertEquals(false, rb[5]);
        assertSame(two.get(1), out.get(1), "a table without fields is left as it is");

        Recording none = new Recording(data);
        List<TableRows> noFields = List.of(routed.get(1), new TableRows(withFields, List.of()));
        assertSame(noFields, TxColumns.attach(none, noFields));
        assertEquals(List.of(), none.asked, "no rows of a table with fields: no call");
    }
}
