package dev.evmindexer.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Hash;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.web3j.abi.EventEncoder;

class EventSignatureTest {

    @Test
    void parsesTransfer() {
        EventSignature s = EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)");
        assertEquals("Transfer", s.name());
        assertFalse(s.anonymous());
        assertEquals(List.of(new EventParam("from", "address", true), new EventParam("to", "address", true),
                new EventParam("value", "uint256", false)), s.params());
        assertEquals("Transfer(address,address,uint256)", s.canonical());
        assertEquals(Hash.fromHex("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"), s.topic0());
        assertEquals(2, s.indexedCount());
    }

    @Test
    void toleratesWhitespaceOptionalKeywordAndAliases() {
        EventSignature s = EventSignature.parse("  \n Transfer (\taddress  indexed\nfrom ,address indexed to,\n uint value ) ; ");
        assertEquals("Transfer(address,address,uint256)", s.canonical());
        assertEquals(EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)"), s);
        assertEquals("E(int256,bytes1)", EventSignature.parse("event E(int a, byte b)").canonical());
    }

    @Test
    void unnamedParametersAndEmptyLists() {
        EventSignature s = EventSignature.parse("event Approval(address indexed, address indexed, uint256)");
        assertEquals(List.of("", "", ""), s.params().stream().map(EventParam::name).toList());
        assertTrue(s.params().get(0).indexed());
        EventSignature ping = EventSignature.parse("event Ping()");
        assertEquals("Ping()", ping.canonical());
        assertEquals(0, ping.params().size());
    }

    @Test
    void anonymousAllowsFourIndexed() {
        EventSignature s = EventSignature.parse("event A(uint8 indexed a, uint8 indexed b, uint8 indexed c, uint8 indexed d) anonymous");
        assertTrue(s.anonymous());
        assertEquals(4, s.indexedCount());
        assertEquals("event A(uint8 indexed a, uint8 indexed b, uint8 indexed c, uint8 indexed d) anonymous", s.humanReadable());
        assertEquals(s, EventSignature.parse(s.humanReadable()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Transfer(address,address,uint256)",
            "Approval(address,address,uint256)",
            "Deposit(address,uint256)",
            "Swap(address,uint256,uint256,uint256,uint256,address)",
            "Sync(uint112,uint112)",
            "URI(string,uint256)",
            "Mixed(int8,bytes32,bytes,bool,string,int256,bytes1)"})
    void topic0MatchesWeb3j(String canonical) {
        String name = canonical.substring(0, canonical.indexOf('('));
        String types = canonical.substring(name.length() + 1, canonical.length() - 1);
        EventSignature s = EventSignature.parse(name + "(" + types.replace(",", " , ") + ")");
        assertEquals(canonical, s.canonical());
        assertEquals(Hash.fromHex(EventEncoder.buildEventSignature(canonical)), s.topic0());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "event Batch(uint256[0] ids)|bad array length 0",
            "event Batch(uint256[-1] ids)|bad array suffix [-1]",
            "event Batch(uint256[99999999][99999999] ids)|larger than any log could hold",
            "event T(() t)|empty tuple in parameter 't'",
            "event T((uint256 a b) t)|tuple component 'uint256 a b' in parameter 't' is not 'type [name]'",
            "event T((uint7 a) t)|unknown type uint7 in parameter 't'",
            "event E(uint7 x)|unknown type uint7 in parameter 'x'",
            "event E(uint264 x)|unknown type uint264 in parameter 'x'",
            "event E(uint0 x)|unknown type uint0 in parameter 'x'",
            "event E(int08 x)|unknown type int08 in parameter 'x'",
            "event E(bytes33 x)|unknown type bytes33 in parameter 'x'",
            "event E(bytes0 x)|unknown type bytes0 in parameter 'x'",
            "event E(uint256 x, Address y)|unknown type Address in parameter 'y'",
            "event E(fixed128x18 x)|type fixed128x18 in parameter 'x' is not supported",
            "event E(foo)|unknown type foo in an unnamed parameter",
            "event 1E(uint256 x)|event name '1E' is not a valid identifier",
            "event E-1(uint256 x)|event name 'E-1' is not a valid identifier",
            "event (uint256 x)|missing event name",
            "event E uint256 x|missing '(' after the event name",
            "event E(uint256 x|unbalanced parentheses",
            "event E(uint256 x) indexed|unexpected 'indexed' after the parameter list",
            "event E(uint256 x,)|parameter 2 is empty",
            "event E(uint256 9x)|parameter name '9x' (parameter 1) is not a valid identifier",
            "event E(uint256 x y)|has unexpected words",
            "event E(uint256 x indexed)|has unexpected words",
            "event E(uint8 indexed a, uint8 indexed b, uint8 indexed c, uint8 indexed d)|event E has 4 indexed parameters; at most 3 are allowed",
            "event E(uint8 indexed a, uint8 indexed b, uint8 indexed c, uint8 indexed d, uint8 indexed e) anonymous|at most 4 are allowed for an anonymous event"})
    void rejectsBadSignaturesWithPreciseMessages(String text, String expectedMessagePart) {
        AbiException e = assertThrows(AbiException.class, () -> EventSignature.parse(text));
        assertTrue(e.getMessage().contains(expectedMessagePart), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad event signature '"), e.getMessage());
    }

    @Test
    void recordConstructorValidatesToo() {
        AbiException e = assertThrows(AbiException.class, () -> new EventParam("ids", "uint256[0]", false));
        assertEquals("bad array length 0 in type uint256[0] in parameter 'ids'", e.getMessage());
        assertEquals("uint256", new EventParam("v", "uint", false).type());
        assertThrows(AbiException.class, () -> new EventParam("bad name", "uint256", false));
        assertThrows(AbiException.class, () -> new EventSignature("", List.of(), false));
        assertThrows(AbiException.class, () -> new EventSignature("E", List.of(
                new EventParam("a", "bool", true), new EventParam("b", "bool", true),
                new EventParam("c", "bool", true), new EventParam("d", "bool", true)), false));
    }
}
