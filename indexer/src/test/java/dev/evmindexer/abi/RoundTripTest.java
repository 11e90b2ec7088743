package dev.evmindexer.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.evmindexer.eth.Hash;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.web3j.abi.datatypes.Type;

/** web3j encodes, we decode, the values must come back: every supported type, boundaries and random values. */
class RoundTripTest {

    static Stream<String> types() {
        return Web3jOracle.ALL_TYPES.stream();
    }

    @ParameterizedTest
    @MethodSource("types")
    void dataValuesRoundTrip(String type) {
        Random rnd = new Random(type.hashCode());
        // a static word before and a string after, so offsets and head positions are not trivial
        EventDecoder decoder = new EventDecoder(EventSignature.parse("event E(uint8 before, " + type + " v, string after)"));
        Hash topic0 = decoder.signature().topic0();
        for (Web3jOracle.Sample s : Web3jOracle.samples(type, rnd, 300)) {
            Web3jOracle.Sample before = Web3jOracle.randomSample("uint8", rnd);
            Web3jOracle.Sample after = Web3jOracle.randomSample("string", rnd);
            byte[] data = Web3jOracle.encodeData(List.<Type>of(before.web3j(), s.web3j(), after.web3j()));
            Object[] row = decodeRow(decoder, List.of(topic0), data);
            assertValue(before.expected(), row[0], "before");
            assertValue(s.expected(), row[1], type + " " + s.web3j());
            assertValue(after.expected(), row[2], "after");
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void indexedValuesRoundTrip(String type) {
        Random rnd = new Random(~type.hashCode());
        EventDecoder decoder = new EventDecoder(EventSignature.parse("event E(" + type + " indexed v, uint256 x)"));
        boolean dynamic = type.equals("string") || type.equals("bytes");
        assertEquals(dynamic, decoder.columns().get(0).topicHash());
        Hash topic0 = decoder.signature().topic0();
        for (Web3jOracle.Sample s : Web3jOracle.samples(type, rnd, 300)) {
            Hash topic = Web3jOracle.topic(s.web3j());
            byte[] data = Web3jOracle.encodeData(List.<Type>of(new org.web3j.abi.datatypes.generated.Uint256(42)));
            Object[] row = decodeRow(decoder, List.of(topic0, topic), data);
            assertValue(dynamic ? topic.toArray() : s.expected(), row[0], type + " " + s.web3j());
            assertEquals(BigInteger.valueOf(42), row[1]);
        }
    }

    /** Random events of 0..6 parameters of random types with random indexing, against web3j's encoding. */
    @Test
    void randomSignaturesRoundTrip() {
        Random rnd = new Random(20240601);
        for (int round = 0; round < 1500; round++) {
            int n = rnd.nextInt(7);
            boolean anonymous = rnd.nextInt(5) == 0;
            int maxIndexed = anonymous ? 4 : 3;
            List<String> decl = new ArrayList<>();
            List<Web3jOracle.Sample> samples = new ArrayList<>();
            List<Boolean> indexed = new ArrayList<>();
            int indexedCount = 0;
            for (int i = 0; i < n; i++) {
                String type = Web3jOracle.ALL_TYPES.get(rnd.nextInt(Web3jOracle.ALL_TYPES.size()));
                boolean idx = indexedCount < maxIndexed && rnd.nextInt(3) == 0;
                if (idx) indexedCount++;
                decl.add(type + (idx ? " indexed" : "") + (rnd.nextBoolean() ? " p" + i : ""));
                samples.add(Web3jOracle.randomSample(type, rnd));
                indexed.add(idx);
            }
            String text = "event Random" + round + "(" + String.join(", ", decl) + ")" + (anonymous ? " anonymous" : "");
            EventDecoder decoder = new EventDecoder(EventSignature.parse(text));
            List<Hash> topics = new ArrayList<>();
            if (!anonymous) topics.add(decoder.signature().topic0());
            List<Type> dataValues = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (indexed.get(i)) topics.add(Web3jOracle.topic(samples.get(i).web3j()));
                else dataValues.add(samples.get(i).web3j());
            }
            Object[] row = decodeRow(decoder, topics, Web3jOracle.encodeData(dataValues));
            assertEquals(n, row.length);
            for (int i = 0; i < n; i++) {
                Object expected = decoder.columns().get(i).topicHash()
                        ? Web3jOracle.topic(samples.get(i).web3j()).toArray()
                        : samples.get(i).expected();
                assertValue(expected, row[i], text + " parameter " + i);
            }
        }
    }

    static Object[] decodeRow(EventDecoder decoder, List<Hash> topics, byte[] data) {
        Decoded d = decoder.decode(Web3jOracle.log(topics, data));
        return assertInstanceOf(Decoded.Row.class, d, () -> "expected a row, got " + d).values();
    }

    static void assertValue(Object expected, Object actual, String context) {
        if (expected instanceof byte[] e) {
            assertArrayEquals(e, assertInstanceOf(byte[].class, actual, context), context);
        } else {
            assertEquals(expected, actual, context);
            assertEquals(expected.getClass(), actual.getClass(), context);
        }
    }
}
