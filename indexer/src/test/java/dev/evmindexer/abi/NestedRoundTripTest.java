package dev.evmindexer.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.eth.Hash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.web3j.abi.datatypes.Type;

/** Arrays and tuples: web3j encodes random nested values, we decode, and every column must hold what went in. */
class NestedRoundTripTest {

    /** Every type family on its own, with boundary values mixed into the random ones. */
    @ParameterizedTest
    @ValueSource(strings = {"uint256[]", "int256[3]", "address[]", "bool[2]", "bytes32[]", "bytes[]", "string[]",
            "string[2]", "uint8[2][]", "int64[2][3]", "uint256[][]", "string[][2]", "(uint256 a, address b)",
            "(string s, bytes b, uint64 n)", "(uint256 a, (bool x, string y) inner)", "(uint256 a, bool b)[]",
            "(string s, uint8[] xs)[2]", "((uint8 a)[] inner, string t)[]", "(uint256[2] pair, int8 x)"})
    void eachFamilyRoundTrips(String declaration) {
        Random rnd = new Random(declaration.hashCode());
        EventSignature sig = EventSignature.parse("event N(uint8 before, " + declaration + " v, string after)");
        for (int i = 0; i < 200; i++) roundTrip(sig, rnd);
    }

    /** Random nested combinations of every type, up to three levels deep, with random indexing. */
    @Test
    void randomNestedCombinationsRoundTrip() {
        Random rnd = new Random(4242);
        int nested = 0;
        for (int round = 0; round < 1500; round++) {
            int n = 1 + rnd.nextInt(4);
            List<String> decl = new ArrayList<>();
            int indexedCount = 0;
            for (int i = 0; i < n; i++) {
                AbiType t = NestedOracle.randomType(rnd, 1 + rnd.nextInt(3));
                if (!t.elementary()) nested++;
                boolean idx = indexedCount < 3 && rnd.nextInt(4) == 0;
                if (idx) indexedCount++;
                decl.add(t.declaration() + (idx ? " indexed" : "") + " p" + i);
            }
            EventSignature sig = EventSignature.parse("event R" + round + "(" + String.join(", ", decl) + ")");
            roundTrip(sig, rnd);
        }
        assertTrue(nested > 1000, "too few nested types generated: " + nested);
    }

    /** Corrupted nested encodings never throw; every reason a nested value can be refused for shows up. */
    @Test
    void corruptedNestedDataNeverThrows() {
        Random rnd = new Random(777);
        java.util.Set<RejectReason> seen = java.util.EnumSet.noneOf(RejectReason.class);
        for (int round = 0; round < 3000; round++) {
            AbiType t = NestedOracle.randomType(rnd, 1 + rnd.nextInt(3));
            if (t.elementary()) continue;
            EventDecoder decoder = new EventDecoder(EventSignature.parse("event F(" + t.declaration() + " v, string s)"));
            NestedOracle.Sample v = NestedOracle.random(t, rnd);
            byte[] data = DecoderFuzzTest.corrupt(TestEncoder.sequence(List.of(t, AbiType.parse("string", "s")), List.of(v.raw(), "tail")), rnd);
            Decoded d = decoder.decode(Web3jOracle.log(List.of(decoder.signature().topic0()), data));
            if (d instanceof Decoded.Rejected r) seen.add(r.reason());
        }
        // DATA_LENGTH is rare here (the head is short); NestedDecoderTest covers it
        assertTrue(seen.containsAll(java.util.EnumSet.of(RejectReason.BAD_OFFSET, RejectReason.BAD_LENGTH,
                RejectReason.NON_CANONICAL)), "reasons seen: " + seen);
    }

    /** One random instance of {@code sig}: indexed values become random topics (hashes for reference types). */
    private static void roundTrip(EventSignature sig, Random rnd) {
        EventDecoder decoder = new EventDecoder(sig);
        List<Hash> topics = new ArrayList<>(List.of(sig.topic0()));
        List<Type> data = new ArrayList<>();
        List<AbiType> dataTypes = new ArrayList<>();
        List<Object> dataRaw = new ArrayList<>();
        boolean web3jAgrees = true;
        List<Object> expected = new ArrayList<>();
        for (EventParam p : sig.params()) {
            NestedOracle.Sample s = NestedOracle.random(p.abiType(), rnd);
            if (p.indexed()) {
                Hash topic = p.hashed() ? Hash.of(Web3jOracle.randomBytes(rnd, 32)) : Web3jOracle.topic(s.web3j());
                topics.add(topic);
                expected.add(p.hashed() ? topic.toArray() : s.raw());
            } else {
                data.add(s.web3j());
                dataTypes.add(p.abiType());
                dataRaw.add(s.raw());
                web3jAgrees &= TestEncoder.web3jAgrees(p.abiType(), false);
                NestedOracle.columns(p.abiType(), s.raw(), expected);
            }
        }
        byte[] encoded = TestEncoder.sequence(dataTypes, dataRaw);
        if (web3jAgrees) assertEquals(dev.evmindexer.eth.Hex.encode(Web3jOracle.encodeData(data)), dev.evmindexer.eth.Hex.encode(encoded),
                sig + ": the test encoder must agree with web3j");
        Decoded d = decoder.decode(Web3jOracle.log(topics, encoded));
        Object[] row = assertInstanceOf(Decoded.Row.class, d, () -> sig + ": expected a row, got " + d + " for data " + dump(encoded) + " values " + data).values();
        assertEquals(expected.size(), row.length, sig.toString());
        assertEquals(decoder.columns().size(), row.length);
        for (int c = 0; c < row.length; c++) assertColumn(expected.get(c), row[c], sig + " column " + decoder.columns().get(c));
    }

    private static String dump(byte[] data) {
        StringBuilder sb = new StringBuilder();
        String h = dev.evmindexer.eth.Hex.encode(data).substring(2);
        for (int i = 0; i < Math.min(h.length(), 64 * 40); i += 64) sb.append('\n').append(Integer.toHexString(i / 2)).append(' ').append(h, i, Math.min(h.length(), i + 64));
        return sb.toString();
    }

    static void assertColumn(Object expected, Object actual, String context) {
        if (expected instanceof JsonNode json) {
            Jsonb j = assertInstanceOf(Jsonb.class, actual, context);
            try {
                assertEquals(json, NestedOracle.JSON.readTree(j.text()), context + " json " + j.text());
            } catch (java.io.IOException e) {
                throw new AssertionError(context + ": not JSON: " + j.text(), e);
            }
        } else if (expected instanceof Object[] arr) {
            Object[] got = assertInstanceOf(Object[].class, actual, context);
            assertTrue(Arrays.deepEquals(arr, got), context + ": expected " + Arrays.deepToString(arr) + " got " + Arrays.deepToString(got));
            assertEquals(Arrays.deepToString(arr), Arrays.deepToString(got), context);
        } else if (expected instanceof byte[] b) {
            assertArrayEquals(b, assertInstanceOf(byte[].class, actual, context), context);
        } else {
            assertEquals(expected, actual, context);
            assertEquals(expected.getClass(), actual.getClass(), context);
        }
    }
}
