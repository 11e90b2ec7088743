package dev.evmindexer.abi;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A plain ABI encoder written from the specification, for the cases where web3j's encoder is wrong
 * (4.14: it computes offsets inside arrays of strings from the character count, not the UTF-8 length;
 * it mis-encodes fixed-size arrays of dynamic elements; it counts a fixed-size array of static tuples
 * as one head word when computing later offsets). Checked against web3j everywhere else.
 */
final class TestEncoder {
    private TestEncoder() {}

    /** The encoding of a sequence of values, as event data or the inside of a tuple. */
    static byte[] sequence(List<AbiType> types, List<Object> values) {
        int headSize = 0;
        for (AbiType t : types) headSize += t.headSize();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        for (int i = 0; i < types.size(); i++) {
            byte[] enc = value(types.get(i), values.get(i));
            if (types.get(i).dynamic()) {
                head.writeBytes(word(BigInteger.valueOf(headSize + tail.size())));
                tail.writeBytes(enc);
            } else {
                head.writeBytes(enc);
            }
        }
        head.writeBytes(tail.toByteArray());
        return head.toByteArray();
    }

    static byte[] value(AbiType type, Object raw) {
        return switch (type) {
            case AbiType.ArrayType a -> {
                Object[] items = (Object[]) raw;
                byte[] body = sequence(java.util.Collections.nCopies(items.length, a.element()), Arrays.asList(items));
                yield a.fixed() ? body : concat(word(BigInteger.valueOf(items.length)), body);
            }
            case AbiType.TupleType t -> sequence(t.components().stream().map(AbiType.Component::type).toList(), Arrays.asList((Object[]) raw));
            case AbiType.StringType s -> bytes(((String) raw).getBytes(StandardCharsets.UTF_8));
            case AbiType.BytesType b -> bytes((byte[]) raw);
            case AbiType.AddressType a -> leftPad((byte[]) raw);
            case AbiType.FixedBytesType f -> Arrays.copyOf((byte[]) raw, 32);
            case AbiType.BoolType b -> word((Boolean) raw ? BigInteger.ONE : BigInteger.ZERO);
            default -> word(raw instanceof Long l ? BigInteger.valueOf(l) : (BigInteger) raw);
        };
    }

    private static byte[] bytes(byte[] content) {
        byte[] padded = Arrays.copyOf(content, (content.length + 31) / 32 * 32);
        return concat(word(BigInteger.valueOf(content.length)), padded);
    }

    /** Two's complement in 32 bytes, sign-extended. */
    static byte[] word(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        if (v.signum() < 0) Arrays.fill(out, (byte) 0xFF);
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }

    private static byte[] leftPad(byte[] b) {
        byte[] out = new byte[32];
        System.arraycopy(b, 0, out, 32 - b.length, b.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** False where web3j's encoder is known to be wrong (see the class comment). */
    static boolean web3jAgrees(AbiType type, boolean insideArray) {
        return switch (type) {
            case AbiType.ArrayType a -> !(a.fixed() && (a.element().dynamic() || a.element() instanceof AbiType.TupleType))
                    && web3jAgrees(a.element(), true);
            case AbiType.TupleType t -> t.components().stream().allMatch(c -> web3jAgrees(c.type(), insideArray));
            case AbiType.StringType s -> !insideArray;
            default -> true;
        };
    }
}
