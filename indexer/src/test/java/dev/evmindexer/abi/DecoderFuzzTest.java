package dev.evmindexer.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;

/**
 * Corrupted encodings: our decoder must never throw, and whenever it still accepts a log, web3j's
 * (lenient) decoder must read the same values from the same bytes.
 */
class DecoderFuzzTest {

    @Test
    void corruptedDataNeverThrowsAndAcceptedRowsAgreeWithWeb3j() throws Exception {
        Random rnd = new Random(99);
        Set<RejectReason> seen = EnumSet.noneOf(RejectReason.class);
        int accepted = 0;
        for (int round = 0; round < 3000; round++) {
            int n = 1 + rnd.nextInt(4);
            List<String> types = new ArrayList<>();
            List<Type> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String t = Web3jOracle.ALL_TYPES.get(rnd.nextInt(Web3jOracle.ALL_TYPES.size()));
                types.add(t);
                values.add(Web3jOracle.randomSample(t, rnd).web3j());
            }
            EventDecoder decoder = new EventDecoder(EventSignature.parse("event F(" + String.join(",", types) + ")"));
            byte[] data = corrupt(Web3jOracle.encodeData(values), rnd);
            Decoded d = decoder.decode(Web3jOracle.log(List.of(decoder.signature().topic0()), data));
            assertNotNull(d);
            if (d instanceof Decoded.Rejected r) {
                seen.add(r.reason());
                continue;
            }
            accepted++;
            Object[] row = ((Decoded.Row) d).values();
            List<Type> theirs = FunctionReturnDecoder.decode(Hex.encode(data), references(types));
            for (int i = 0; i < n; i++) assertSame(types.get(i), theirs.get(i).getValue(), row[i]);
        }
        assertTrue(accepted > 100, "too few corrupted logs accepted to compare: " + accepted);
        assertTrue(seen.containsAll(EnumSet.of(RejectReason.DATA_LENGTH, RejectReason.BAD_OFFSET,
                RejectReason.BAD_LENGTH, RejectReason.NON_CANONICAL)), "reasons seen: " + seen);
    }

    @Test
    void randomTopicsAndDataNeverThrow() {
        Random rnd = new Random(5);
        List<EventDecoder> decoders = List.of(
                new EventDecoder(EventSignature.parse("event Transfer(address indexed from, address indexed to, uint256 value)")),
                new EventDecoder(EventSignature.parse("event A(string indexed s, bytes b, int8 indexed i, string t) anonymous")),
                new EventDecoder(EventSignature.parse("event B(bool a, bytes b, string c, bytes7 d, int200 e)")));
        for (int round = 0; round < 20000; round++) {
            EventDecoder d = decoders.get(rnd.nextInt(decoders.size()));
            List<Hash> topics = new ArrayList<>();
            int count = rnd.nextInt(5);
            for (int i = 0; i < count; i++) {
                topics.add(i == 0 && rnd.nextBoolean() && d.signature().indexedCount() < 4
                        ? d.signature().topic0() : Hash.of(smallWord(rnd)));
            }
            byte[] data = new byte[rnd.nextInt(6) * 32 + (rnd.nextInt(4) == 0 ? rnd.nextInt(32) : 0)];
            for (int off = 0; off + 32 <= data.length; off += 32) System.arraycopy(smallWord(rnd), 0, data, off, 32);
            assertNotNull(d.decode(Web3jOracle.log(topics, data)));
        }
    }

    /** Words that are often small numbers, so offsets and lengths sometimes land in bounds. */
    private static byte[] smallWord(Random rnd) {
        byte[] w = new byte[32];
        switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextBytes(w);
            case 1 -> w[31] = (byte) (rnd.nextInt(8) * 32);
            case 2 -> w[31] = (byte) rnd.nextInt(256);
            default -> { w[31] = 1; w[0] = (byte) (rnd.nextBoolean() ? 0xFF : 0); }
        }
        return w;
    }

    static byte[] corrupt(byte[] data, Random rnd) {
        switch (rnd.nextInt(5)) {
            case 0 -> { return java.util.Arrays.copyOf(data, Math.max(0, data.length - 1 - rnd.nextInt(40))); }
            case 1 -> { return java.util.Arrays.copyOf(data, data.length + 32); }
            default -> {
                byte[] out = data.clone();
                int flips = 1 + rnd.nextInt(3);
                for (int i = 0; i < flips && out.length > 0; i++) {
                    int at = rnd.nextInt(out.length);
                    // bias toward the low bytes of words, where offsets, lengths and small values live
                    if (rnd.nextBoolean()) at = (at | 31) - rnd.nextInt(2);
                    at = Math.min(at, out.length - 1);
                    out[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : out[at] ^ (1 << rnd.nextInt(8)));
                }
                return out;
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<TypeReference<Type>> references(List<String> types) throws ClassNotFoundException {
        List<TypeReference<Type>> refs = new ArrayList<>();
        for (String t : types) refs.add((TypeReference) TypeReference.makeTypeReference(t));
        return refs;
    }

    /** Compares our value with web3j's getValue() for the same parameter. */
    private static void assertSame(String type, Object theirs, Object ours) {
        String ctx = type + ": web3j " + theirs + " vs ours " + ours;
        switch (type) {
            case "address" -> assertArrayEquals(Hex.decode((String) theirs), (byte[]) ours, ctx);
            case "bool" -> assertEquals(theirs, ours, ctx);
            case "string" -> assertEquals(((String) theirs).replace('\0', '\uFFFD'), ours, ctx);
            default -> {
                if (type.startsWith("bytes")) assertArrayEquals((byte[]) theirs, (byte[]) ours, ctx);
                else assertEquals((BigInteger) theirs, ours instanceof Long l ? BigInteger.valueOf(l) : ours, ctx);
            }
        }
    }
}
