package dev.evmindexer.abi;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Known vectors, the shape checks and every {@link RejectReason}. */
class EventDecoderTest {
    static final Hash TRANSFER = Hash.fromHex("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    static final String FROM = "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
    static final String TO = "fb6916095ca1df60bb79ce92ce3ea74c37c5d359";
    static final EventDecoder ERC20 = new EventDecoder(EventSignature.parse(
            "event Transfer(address indexed from, address indexed to, uint256 value)"));

    /** A 32-byte word from hex digits, left-padded with zeros. */
    static String word(String hexDigits) {
        return "0".repeat(64 - hexDigits.length()) + hexDigits;
    }

    static Hash topic(String hexDigits) {
        return Hash.fromHex(word(hexDigits));
    }

    static byte[] data(String... words) {
        return Hex.decode(String.join("", words));
    }

    static Decoded decode(EventDecoder d, List<Hash> topics, byte[] data) {
        return d.decode(Web3jOracle.log(topics, data));
    }

    static Decoded.Rejected assertRejected(RejectReason reason, Decoded d) {
        Decoded.Rejected r = assertInstanceOf(Decoded.Rejected.class, d, () -> "expected " + reason + ", got " + d);
        assertEquals(reason, r.reason(), r.detail());
        assertTrue(!r.detail().isBlank());
        return r;
    }

    static Object[] assertRow(Decoded d) {
        return assertInstanceOf(Decoded.Row.class, d, () -> "expected a row, got " + d).values();
    }

    @Test
    void erc20TransferKnownVector() {
        assertEquals(TRANSFER, ERC20.signature().topic0());
        Object[] row = assertRow(decode(ERC20, List.of(TRANSFER, topic(FROM), topic(TO)), data(word("0de0b6b3a7640000"))));
        assertArrayEquals(Hex.decode(FROM), (byte[]) row[0]);
        assertArrayEquals(Hex.decode(TO), (byte[]) row[1]);
        assertEquals(new BigInteger("1000000000000000000"), row[2]);
        assertEquals(List.of(
                new Column("from", "bytea", "address", false),
                new Column("to", "bytea", "address", false),
                new Column("value", "numeric(78,0)", "uint256", false)), ERC20.columns());
    }

    @Test
    void erc721TransferIsRejectedByTopicCount() {
        // same topic0 as ERC-20, tokenId indexed: 4 topics and no data
        Decoded d = decode(ERC20, List.of(TRANSFER, topic(FROM), topic(TO), topic("2a")), new byte[0]);
        Decoded.Rejected r = assertRejected(RejectReason.TOPIC_COUNT, d);
        assertTrue(r.detail().contains("expected 3 topics"), r.detail());
        assertTrue(r.detail().contains("got 4"), r.detail());
    }

    @Test
    void topic0Mismatch() {
        Hash approval = Hash.fromHex("0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925");
        assertRejected(RejectReason.TOPIC0_MISMATCH, decode(ERC20, List.of(approval, topic(FROM), topic(TO)), data(word("1"))));
        assertRejected(RejectReason.TOPIC0_MISMATCH, decode(ERC20, List.of(), data(word("1"))));
    }

    @Test
    void anonymousEventsSkipTopic0ButCountTopics() {
        EventDecoder d = new EventDecoder(EventSignature.parse("event Anon(address indexed a, uint8 b) anonymous"));
        Object[] row = assertRow(decode(d, List.of(topic(FROM)), data(word("ff"))));
        assertArrayEquals(Hex.decode(FROM), (byte[]) row[0]);
        assertEquals(255L, row[1]);
        assertRejected(RejectReason.TOPIC_COUNT, decode(d, List.of(TRANSFER, topic(FROM)), data(word("ff"))));
    }

    @Test
    void dataLength() {
        List<Hash> topics = List.of(TRANSFER, topic(FROM), topic(TO));
        assertRejected(RejectReason.DATA_LENGTH, decode(ERC20, topics, new byte[31]));
        assertRejected(RejectReason.DATA_LENGTH, decode(ERC20, topics, new byte[0]));
        // static-only events must be exactly their head
        assertRejected(RejectReason.DATA_LENGTH, decode(ERC20, topics, new byte[64]));
        EventDecoder dyn = new EventDecoder(EventSignature.parse("event Named(uint256 id, string name)"));
        assertRejected(RejectReason.DATA_LENGTH, decode(dyn, List.of(dyn.signature().topic0()), data(word("1"))));
    }

    @Test
    void badOffset() {
        EventDecoder d = new EventDecoder(EventSignature.parse("event Named(uint256 id, string name)"));
        List<Hash> topics = List.of(d.signature().topic0());
        // valid: offset 0x40, length 3, "abc"
        Object[] row = assertRow(decode(d, topics, data(word("1"), word("40"), word("3"), "616263" + "0".repeat(58))));
        assertEquals("abc", row[1]);
        // offset past the end
        assertRejected(RejectReason.BAD_OFFSET, decode(d, topics, data(word("1"), word("80"), word("3"), "616263" + "0".repeat(58))));
        // offset whose length word would straddle the end
        assertRejected(RejectReason.BAD_OFFSET, decode(d, topics, data(word("1"), word("61"), word("3"), "616263" + "0".repeat(58))));
        // absurd offset (2^255)
        assertRejected(RejectReason.BAD_OFFSET, decode(d, topics, data(word("1"), "8" + "0".repeat(63), word("3"), word("0"))));
    }

    @Test
    void badLength() {
        EventDecoder d = new EventDecoder(EventSignature.parse("event Blob(bytes payload)"));
        List<Hash> topics = List.of(d.signature().topic0());
        Object[] ok = assertRow(decode(d, topics, data(word("20"), word("20"), "ab".repeat(32))));
        assertArrayEquals(Web3jOracle.filled(32, 0xAB), (byte[]) ok[0]);
        assertRejected(RejectReason.BAD_LENGTH, decode(d, topics, data(word("20"), word("21"), "ab".repeat(32))));
        assertRejected(RejectReason.BAD_LENGTH, decode(d, topics, data(word("20"), "f".repeat(64), "ab".repeat(32))));
        assertRejected(RejectReason.BAD_LENGTH, decode(d, topics, data(word("20"), word("80000000"), "ab".repeat(32))));
    }

    @Test
    void dirtyAddressIsNonCanonicalInDataAndInTopics() {
        List<Hash> topics = List.of(TRANSFER, topic("01" + "0".repeat(22) + FROM), topic(TO));
        Decoded.Rejected r = assertRejected(RejectReason.NON_CANONICAL, decode(ERC20, topics, data(word("1"))));
        assertTrue(r.detail().contains("'from' (address)"), r.detail());
        assertTrue(r.detail().contains("topic 1"), r.detail());
        EventDecoder d = new EventDecoder(EventSignature.parse("event E(address a)"));
        assertRejected(RejectReason.NON_CANONICAL, decode(d, List.of(d.signature().topic0()), data("ff" + word(FROM).substring(2))));
    }

    @Test
    void nonCanonicalValueTypes() {
        assertNonCanonical("bool", word("2"));
        assertNonCanonical("bool", "01" + word("1").substring(2));
        assertNonCanonical("uint8", word("100"));
        assertNonCanonical("uint56", word("100000000000000"));
        assertNonCanonical("uint64", word("10000000000000000"));
        assertNonCanonical("uint248", "01" + "0".repeat(62));
        assertNonCanonical("int8", word("80"));                        // 128 is not an int8: missing sign extension
        assertNonCanonical("int8", "f".repeat(62) + "7f");              // negative fill around a positive value
        assertNonCanonical("int64", "0".repeat(48) + "8" + "0".repeat(15));
        assertNonCanonical("int128", "0".repeat(32) + "8" + "0".repeat(31));
        assertNonCanonical("bytes4", "deadbeef" + "0".repeat(55) + "1");
        assertNonCanonical("bytes31", "ab".repeat(31) + "01");
    }

    @Test
    void canonicalEdgeValues() {
        assertEquals(-128L, decodeOne("int8", "f".repeat(62) + "80"));
        assertEquals(Long.MIN_VALUE, decodeOne("int64", "f".repeat(48) + "8" + "0".repeat(15)));
        assertEquals(BigInteger.TWO.pow(255).negate(), decodeOne("int256", "8" + "0".repeat(63)));
        assertEquals(BigInteger.TWO.pow(64).subtract(BigInteger.ONE), decodeOne("uint64", word("f".repeat(16))));
        assertEquals((1L << 56) - 1, decodeOne("uint56", word("f".repeat(14))));
        assertEquals(true, decodeOne("bool", word("1")));
    }

    @Test
    void stringsAreLossyForInvalidUtf8AndNul() {
        EventDecoder d = new EventDecoder(EventSignature.parse("event S(string s)"));
        List<Hash> topics = List.of(d.signature().topic0());
        // "a", NUL, "b", an invalid byte 0xff, "c", a truncated 3-byte sequence
        String content = "61" + "00" + "62" + "ff" + "63" + "e282";
        int len = content.length() / 2;
        byte[] bytes = data(word("20"), word(Integer.toHexString(len)), content + "0".repeat(64 - content.length()));
        Object[] row = assertRow(decode(d, topics, bytes));
        assertEquals("a\uFFFDb\uFFFDc\uFFFD", row[0]);
    }

    @Test
    void indexedDynamicValuesAreTheirTopicHash() {
        EventDecoder d = new EventDecoder(EventSignature.parse("event Named(string indexed name, bytes indexed blob)"));
        assertEquals(List.of(new Column("name_hash", "bytea", "string", true), new Column("blob_hash", "bytea", "bytes", true)),
                d.columns());
        Hash h1 = Hash.of(Keccak.keccak256("vitalik".getBytes(UTF_8)));
        Hash h2 = topic("ffff");
        Object[] row = assertRow(decode(d, List.of(d.signature().topic0(), h1, h2), new byte[0]));
        assertArrayEquals(h1.toArray(), (byte[]) row[0]);
        assertArrayEquals(h2.toArray(), (byte[]) row[1]);
    }

    @Test
    void sqlTypeMapping() {
        EventDecoder d = new EventDecoder(EventSignature.parse("event M(uint8 a, uint56 b, uint64 c, uint72 d, int8 e, int64 f,"
                + " int72 g, int256 h, bool i, bytes1 j, bytes32 k, bytes l, string m, address n, uint o, int p)"));
        List<String> sql = d.columns().stream().map(Column::sqlType).toList();
        assertEquals(List.of("int8", "int8", "numeric(20,0)", "numeric(78,0)", "int8", "int8", "numeric(78,0)",
                "numeric(78,0)", "boolean", "bytea", "bytea", "bytea", "text", "bytea", "numeric(78,0)", "numeric(78,0)"), sql);
        assertEquals("uint256", d.columns().get(14).solidityType());
        assertEquals("int256", d.columns().get(15).solidityType());
    }

    @Test
    void rejectReasonMetricNames() {
        assertEquals("topic0_mismatch", RejectReason.TOPIC0_MISMATCH.metricName());
        assertEquals("topic_count", RejectReason.TOPIC_COUNT.metricName());
        assertEquals("non_canonical", RejectReason.NON_CANONICAL.metricName());
        for (RejectReason r : RejectReason.values()) assertTrue(r.metricName().matches("[a-z0-9_]+"), r.metricName());
    }

    private static void assertNonCanonical(String type, String wordHex) {
        EventDecoder d = new EventDecoder(EventSignature.parse("event E(" + type + " v)"));
        Decoded.Rejected r = assertRejected(RejectReason.NON_CANONICAL, decode(d, List.of(d.signature().topic0()), data(wordHex)));
        assertTrue(r.detail().contains("'v' (" + type + ")"), r.detail());
        EventDecoder indexed = new EventDecoder(EventSignature.parse("event E(" + type + " indexed v)"));
        assertRejected(RejectReason.NON_CANONICAL, decode(indexed, List.of(indexed.signature().topic0(), Hash.fromHex(wordHex)), new byte[0]));
    }

    private static Object decodeOne(String type, String wordHex) {
        EventDecoder d = new EventDecoder(EventSignature.parse("event E(" + type + " v)"));
        Object fromData = assertRow(decode(d, List.of(d.signature().topic0()), data(wordHex)))[0];
        EventDecoder indexed = new EventDecoder(EventSignature.parse("event E(" + type + " indexed v)"));
        Object fromTopic = assertRow(decode(indexed, List.of(indexed.signature().topic0(), Hash.fromHex(wordHex)), new byte[0]))[0];
        assertEquals(fromData, fromTopic);
        return fromData;
    }
}
