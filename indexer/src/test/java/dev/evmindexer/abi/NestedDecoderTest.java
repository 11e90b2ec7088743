package dev.evmindexer.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Columns of arrays and tuples, indexed reference types, renames, and malformed nested encodings. */
class NestedDecoderTest {
    private static final String ORDER = "event Order((address maker, (uint256 amount, uint16 feeBps) price, string memo) order,"
            + " (uint8 kind, bytes data)[] legs, uint256[2][] grid, uint256[][] ragged, string[] tags, bool[3] flags)";

    private static List<String> describe(EventDecoder d) {
        return d.columns().stream().map(c -> c.name() + " " + c.sqlType() + " " + c.solidityType() + (c.topicHash() ? " hash" : "")).toList();
    }

    @Test
    void tuplesFlattenArraysBecomePostgresArraysOrJsonb() {
        assertEquals(List.of("order_maker bytea address", "order_price_amount numeric(78,0) uint256",
                "order_price_fee_bps int8 uint16", "order_memo text string", "legs jsonb (uint8,bytes)[]",
                "grid numeric(78,0)[][] uint256[2][]", "ragged jsonb uint256[][]", "tags text[] string[]",
                "flags boolean[] bool[3]"), describe(new EventDecoder(EventSignature.parse(ORDER))));
    }

    @Test
    void indexedReferenceTypesAreHashesEvenWhenStatic() {
        EventDecoder d = new EventDecoder(EventSignature.parse(
                "event I((uint256 a, uint256 b) indexed pair, uint256[2] indexed fixedIds, string indexed name, uint8 x)"));
        assertEquals(List.of("pair_hash bytea (uint256,uint256) hash", "fixed_ids_hash bytea uint256[2] hash",
                "name_hash bytea string hash", "x int8 uint8"), describe(d));
        Hash h1 = Hash.of(Web3jOracle.filled(32, 1)), h2 = Hash.of(Web3jOracle.filled(32, 2)), h3 = Hash.of(Web3jOracle.filled(32, 3));
        Object[] row = RoundTripTest.decodeRow(d, List.of(d.signature().topic0(), h1, h2, h3), TestEncoder.word(BigInteger.TEN));
        assertTrue(Arrays.equals(h2.toArray(), (byte[]) row[1]));
        assertEquals(10L, row[3]);
    }

    @Test
    void renamesApplyToGeneratedNamesAndAreChecked() {
        EventSignature sig = EventSignature.parse(ORDER);
        EventDecoder d = new EventDecoder(sig, Map.of("order_price_fee_bps", "fee", "legs", "order_legs"));
        assertEquals("fee", d.columns().get(2).name());
        assertEquals("order_legs", d.columns().get(4).name());
        assertTrue(assertThrows(AbiException.class, () -> new EventDecoder(sig, Map.of("fee_bps", "fee"))).getMessage()
                .startsWith("no column 'fee_bps' to rename; the event's columns are order_maker, order_price_amount"));
        assertTrue(assertThrows(AbiException.class, () -> new EventDecoder(sig, Map.of("legs", "tags"))).getMessage()
                .contains("two columns would be named 'tags'"));
        assertTrue(assertThrows(AbiException.class, () -> new EventDecoder(sig, Map.of("legs", "block_number"))).getMessage()
                .contains("standard column"));
        assertTrue(assertThrows(AbiException.class, () -> new EventDecoder(sig, Map.of("legs", "Legs"))).getMessage()
                .contains("lower-case"));
    }

    @Test
    void flattenedNamesCollideLikeParameters() {
        EventDecoder d = new EventDecoder(EventSignature.parse("event C((uint8 number) block, uint8 block_number, (uint8 b) a, uint8 a_b)"));
        assertEquals(List.of("evt_block_number", "evt_block_number_2", "a_b", "a_b_2"), d.columns().stream().map(Column::name).toList());
    }

    // --- malformed nested encodings: one test per reason -------------------------------------------------

    private static Decoded.Rejected reject(String signature, byte[] data) {
        EventDecoder d = new EventDecoder(EventSignature.parse(signature));
        Decoded r = d.decode(Web3jOracle.log(List.of(d.signature().topic0()), data));
        return assertInstanceOf(Decoded.Rejected.class, r, () -> "expected a rejection, got " + r);
    }

    private static byte[] words(long... ws) {
        byte[] out = new byte[ws.length * 32];
        for (int i = 0; i < ws.length; i++) System.arraycopy(TestEncoder.word(BigInteger.valueOf(ws[i])), 0, out, i * 32, 32);
        return out;
    }

    @Test
    void arrayOffsetPastTheEnd() {
        Decoded.Rejected r = reject("event A(uint256[] xs)", words(0x1000));
        assertEquals(RejectReason.BAD_OFFSET, r.reason());
        assertTrue(r.detail().contains("'xs' (uint256[])"), r.detail());
    }

    @Test
    void arrayLengthPastTheEnd() {
        assertEquals(RejectReason.BAD_LENGTH, reject("event A(uint256[] xs)", words(0x20, 3, 1, 2)).reason());
        assertEquals(RejectReason.BAD_LENGTH, reject("event A(uint256[] xs)", words(0x20, 1L << 40)).reason());
        assertEquals(RejectReason.BAD_LENGTH, reject("event A(string[] xs)", words(0x20, 1, 0x20, 99)).reason());
    }

    @Test
    void offsetInsideATuplePastTheEnd() {
        assertEquals(RejectReason.BAD_OFFSET, reject("event A((uint8 a, string s) t)", words(0x20, 1, 0x999)).reason());
    }

    @Test
    void nonCanonicalValueInsideAnArrayAndATuple() {
        assertEquals(RejectReason.NON_CANONICAL, reject("event A(bool[] xs)", words(0x20, 2, 1, 2)).reason());
        assertEquals(RejectReason.NON_CANONICAL, reject("event A((uint8 a, address b) t)", words(256, 1)).reason());
        assertEquals(RejectReason.NON_CANONICAL, reject("event A(int8[2] xs)", words(-1, 255)).reason());
    }

    @Test
    void staticShapesMustBeExactAndDynamicOnesAtLeastTheHead() {
        assertEquals(RejectReason.DATA_LENGTH, reject("event A(uint8[3] xs)", words(1, 2)).reason());
        assertEquals(RejectReason.DATA_LENGTH, reject("event A((uint8 a, uint8 b) t)", words(1, 2, 3)).reason());
        assertEquals(RejectReason.DATA_LENGTH, reject("event A(uint8[] xs, uint8 y)", words(0x40)).reason());
    }

    /** 64 offsets all pointing at one 64-element array: 2 KiB of data would decode to 4096 values. */
    @Test
    void aliasedOffsetsCannotInflateARow() {
        int n = 64;
        List<Long> ws = new ArrayList<>();
        ws.add(0x20L);
        ws.add((long) n);
        for (int i = 0; i < n; i++) ws.add(n * 32L); // every inner offset points just past the offsets
        ws.add((long) n);
        for (int i = 0; i < n; i++) ws.add((long) i);
        Decoded.Rejected r = reject("event A(uint256[][] xs)", words(ws.stream().mapToLong(Long::longValue).toArray()));
        assertEquals(RejectReason.BAD_OFFSET, r.reason());
        assertTrue(r.detail().contains("overlap"), r.detail());
    }
}
