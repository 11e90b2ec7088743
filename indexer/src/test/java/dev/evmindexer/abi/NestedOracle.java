package dev.evmindexer.abi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Hex;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.web3j.abi.datatypes.AbiTypes;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.StaticArray;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;

/**
 * Test support for arrays and tuples: random nested types, random values as web3j objects (encoded by
 * web3j, the oracle) with the values our decoder must produce, and the columns they must land in,
 * computed independently of the production code (JSON through Jackson).
 */
final class NestedOracle {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private NestedOracle() {}

    /** A random type: elementary at depth 0 of the budget, otherwise an array or a tuple of smaller types. */
    static AbiType randomType(Random rnd, int depth) {
        int pick = depth <= 0 ? 0 : rnd.nextInt(3);
        if (pick == 0) return AbiType.parse(Web3jOracle.ALL_TYPES.get(rnd.nextInt(Web3jOracle.ALL_TYPES.size())), "v");
        if (pick == 1) return new AbiType.ArrayType(randomType(rnd, depth - 1), rnd.nextBoolean() ? AbiType.ArrayType.DYNAMIC : 1 + rnd.nextInt(3));
        int n = 1 + rnd.nextInt(3);
        List<AbiType.Component> cs = new ArrayList<>();
        for (int i = 0; i < n; i++) cs.add(new AbiType.Component(rnd.nextInt(4) == 0 ? "" : "f" + i + "Val", randomType(rnd, depth - 1)));
        return new AbiType.TupleType(cs);
    }

    /** A web3j value and what the decoder reads (Object[] for arrays and tuples around elementary values). */
    record Sample(Type<?> web3j, Object raw) {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Sample random(AbiType type, Random rnd) {
        switch (type) {
            case AbiType.ArrayType a -> {
                int n = a.fixed() ? a.length() : rnd.nextInt(4);
                List<Type> items = new ArrayList<>();
                Object[] raw = new Object[n];
                for (int i = 0; i < n; i++) {
                    Sample s = random(a.element(), rnd);
                    items.add(s.web3j());
                    raw[i] = s.raw();
                }
                Class cls = web3jClass(a.element());
                Type v = a.fixed() ? new StaticArray(cls, items) {} : new DynamicArray(cls, items);
                return new Sample(v, raw);
            }
            case AbiType.TupleType t -> {
                List<Type> items = new ArrayList<>();
                Object[] raw = new Object[t.components().size()];
                for (int i = 0; i < raw.length; i++) {
                    Sample s = random(t.components().get(i).type(), rnd);
                    items.add(s.web3j());
                    raw[i] = s.raw();
                }
                return new Sample(t.dynamic() ? new DynamicStruct(items) : new StaticStruct(items), raw);
            }
            default -> {
                String c = type.canonical();
                List<Object> bounds = Web3jOracle.boundaries(c);
                Web3jOracle.Sample s = rnd.nextInt(4) == 0 ? Web3jOracle.sample(c, bounds.get(rnd.nextInt(bounds.size())))
                        : Web3jOracle.randomSample(c, rnd);
                return new Sample(s.web3j(), s.expected());
            }
        }
    }

    static Class<?> web3jClass(AbiType type) {
        return switch (type) {
            case AbiType.ArrayType a -> a.fixed() ? StaticArray.class : DynamicArray.class;
            case AbiType.TupleType t -> t.dynamic() ? DynamicStruct.class : StaticStruct.class;
            case AbiType.StringType s -> Utf8String.class;
            case AbiType.BytesType b -> DynamicBytes.class;
            default -> AbiTypes.getType(type.canonical());
        };
    }

    /** The column values for a value of {@code type}: tuples flattened, arrays as Object[] or JSON. */
    static void columns(AbiType type, Object raw, List<Object> out) {
        if (type instanceof AbiType.TupleType t) {
            Object[] parts = (Object[]) raw;
            for (int i = 0; i < parts.length; i++) columns(t.components().get(i).type(), parts[i], out);
        } else if (type instanceof AbiType.ArrayType a && !postgresArray(a)) {
            out.add(json(type, raw));
        } else {
            out.add(raw);
        }
    }

    /** Written independently of {@link AbiType.ArrayType#postgresArray()}: elementary leaves, only the outer dimension dynamic. */
    static boolean postgresArray(AbiType.ArrayType a) {
        String c = a.canonical();
        if (c.contains("(")) return false;
        String dims = c.substring(c.indexOf('['));
        return !dims.substring(0, dims.length() - 2).contains("[]") || dims.equals("[]");
    }

    static JsonNode json(AbiType type, Object raw) {
        return switch (type) {
            case AbiType.ArrayType a -> {
                ArrayNode arr = NODES.arrayNode();
                for (Object o : (Object[]) raw) arr.add(json(a.element(), o));
                yield arr;
            }
            case AbiType.TupleType t -> {
                ObjectNode obj = NODES.objectNode();
                Object[] parts = (Object[]) raw;
                for (int i = 0; i < parts.length; i++) {
                    String name = t.components().get(i).name();
                    obj.set(name.isEmpty() ? "arg" + i : name.replace("Val", "_val"), json(t.components().get(i).type(), parts[i]));
                }
                yield obj;
            }
            default -> switch (raw) {
                case byte[] b -> NODES.textNode(Hex.encode(b));
                case Boolean b -> NODES.booleanNode(b);
                case Long l -> NODES.numberNode(BigInteger.valueOf(l));
                case BigInteger b -> NODES.numberNode(b);
                case String s -> NODES.textNode(s);
                default -> throw new IllegalArgumentException(raw.getClass().getName());
            };
        };
    }
}
