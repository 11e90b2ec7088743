package dev.evmindexer.abi;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import dev.evmindexer.eth.Log;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.AbiTypes;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;

/**
 * Test support: random values of every supported type as web3j objects (the encoder under test's
 * oracle) together with the value our decoder must produce, and logs built from them.
 */
final class Web3jOracle {
    /** Every type the foundation decoder supports. */
    static final List<String> ALL_TYPES = allTypes();

    /** A web3j value and what {@link EventDecoder} must return for it (as a data value, not a topic hash). */
    record Sample(Type<?> web3j, Object expected) {}

    private Web3jOracle() {}

    static Log log(List<Hash> topics, byte[] data) {
        return new Log(Address.fromHex("0x00000000000000000000000000000000000000aa"), topics, data,
                7, Hash.ZERO, Hash.ZERO, 0, 0);
    }

    /** Encodes the non-indexed values as event data with web3j. */
    static byte[] encodeData(List<Type> values) {
        return Hex.decode(FunctionEncoder.encodeConstructor(values));
    }

    /** The topic web3j/Solidity would emit for an indexed value: the word itself, or keccak256 of dynamic content. */
    static Hash topic(Type<?> value) {
        if (value instanceof Utf8String s) return Hash.of(org.web3j.crypto.Hash.sha3(s.getValue().getBytes(StandardCharsets.UTF_8)));
        if (value instanceof DynamicBytes b) return Hash.of(org.web3j.crypto.Hash.sha3(b.getValue()));
        return Hash.fromHex(TypeEncoder.encode(value));
    }

    /** Boundary values first, then random ones. */
    static List<Sample> samples(String type, Random rnd, int randomCount) {
        List<Sample> out = new ArrayList<>();
        for (Object v : boundaries(type)) out.add(sample(type, v));
        for (int i = 0; i < randomCount; i++) out.add(sample(type, randomValue(type, rnd)));
        return out;
    }

    static Sample randomSample(String type, Random rnd) {
        return sample(type, randomValue(type, rnd));
    }

    /** Builds the web3j object for a raw value (byte[], Boolean, BigInteger or String) and our expected value. */
    static Sample sample(String type, Object raw) {
        try {
            if (type.equals("address")) {
                return new Sample(new org.web3j.abi.datatypes.Address(Hex.encode((byte[]) raw)), raw);
            }
            if (type.equals("bool")) return new Sample(new Bool((Boolean) raw), raw);
            if (type.equals("bytes")) return new Sample(new DynamicBytes((byte[]) raw), raw);
            if (type.equals("string")) return new Sample(new Utf8String((String) raw), raw);
            Class<? extends Type> cls = AbiTypes.getType(type);
            if (type.startsWith("bytes")) return new Sample(cls.getConstructor(byte[].class).newInstance(raw), raw);
            BigInteger big = (BigInteger) raw;
            int bits = Integer.parseInt(type.replaceAll("[a-z]", ""));
            boolean asLong = type.startsWith("uint") ? bits <= 56 : bits <= 64;
            return new Sample(cls.getConstructor(BigInteger.class).newInstance(big), asLong ? (Object) big.longValueExact() : big);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("building web3j " + type + ": " + e, e);
        }
    }

    static Object randomValue(String type, Random rnd) {
        if (type.equals("address")) return randomBytes(rnd, 20);
        if (type.equals("bool")) return rnd.nextBoolean();
        if (type.equals("bytes")) return randomBytes(rnd, randomLength(rnd));
        if (type.equals("string")) return randomString(rnd, randomLength(rnd));
        if (type.startsWith("bytes")) return randomBytes(rnd, Integer.parseInt(type.substring(5)));
        boolean signed = type.startsWith("int");
        int bits = Integer.parseInt(type.substring(signed ? 3 : 4));
        // vary the magnitude so small and large values both occur
        BigInteger v = new BigInteger(rnd.nextInt(bits + 1), rnd);
        if (signed) {
            v = v.shiftRight(1);
            if (rnd.nextBoolean()) v = v.negate().subtract(BigInteger.ONE);
        }
        return v;
    }

    static List<Object> boundaries(String type) {
        if (type.equals("address")) return List.of(new byte[20], filled(20, 0xFF));
        if (type.equals("bool")) return List.of(true, false);
        if (type.equals("bytes")) return List.of(new byte[0], filled(1, 0), filled(31, 0xAB), filled(32, 0xFF), filled(33, 1), filled(2000, 0x7F));
        if (type.equals("string")) return List.of("", "a", "x".repeat(32), "é€𝄞 日本語", "long ".repeat(2000));
        if (type.startsWith("bytes")) {
            int n = Integer.parseInt(type.substring(5));
            return List.of(new byte[n], filled(n, 0xFF));
        }
        boolean signed = type.startsWith("int");
        int bits = Integer.parseInt(type.substring(signed ? 3 : 4));
        if (!signed) return List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO.pow(bits).subtract(BigInteger.ONE));
        BigInteger max = BigInteger.TWO.pow(bits - 1).subtract(BigInteger.ONE);
        return List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE.negate(), max, max.negate().subtract(BigInteger.ONE));
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** Random valid Unicode without NUL (NUL is deliberately not round-tripped; see EventDecoder). */
    static String randomString(Random rnd, int codePoints) {
        StringBuilder sb = new StringBuilder();
        while (codePoints-- > 0) {
            int cp = switch (rnd.nextInt(4)) {
                case 0 -> 1 + rnd.nextInt(0x7F);
                case 1 -> 0x80 + rnd.nextInt(0x800 - 0x80);
                case 2 -> 0xE000 + rnd.nextInt(0x10000 - 0xE000);
                default -> 0x10000 + rnd.nextInt(0x10FFFF - 0x10000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static int randomLength(Random rnd) {
        return rnd.nextInt(10) == 0 ? rnd.nextInt(500) : rnd.nextInt(70);
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    private static List<String> allTypes() {
        List<String> types = new ArrayList<>(List.of("address", "bool", "bytes", "string"));
        for (int n = 8; n <= 256; n += 8) {
            types.add("uint" + n);
            types.add("int" + n);
        }
        for (int n = 1; n <= 32; n++) types.add("bytes" + n);
        return List.copyOf(types);
    }
}
