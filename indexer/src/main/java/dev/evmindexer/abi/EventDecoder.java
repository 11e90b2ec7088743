package dev.evmindexer.abi;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes logs of one event into rows of typed values, one per column. Immutable and thread-safe;
 * build one per event and reuse it.
 *
 * <p>Columns: one per parameter, except that a tuple parameter is flattened into one column per
 * component ({@code order_amount}, nested tuples further: {@code order_fee_bps}). Arrays are one column
 * (a PostgreSQL array, or {@code jsonb} for arrays of tuples and arrays that may be ragged, see
 * {@link AbiType.ArrayType}). Indexed reference types ({@code string}, {@code bytes}, arrays, tuples) are
 * only present as their keccak256 in the topic: the row holds that 32-byte hash in {@code <name>_hash}.
 *
 * <p>The shape is checked first: topic0 (unless anonymous), then the exact topic count (so ERC-721's
 * {@code Transfer}, which shares ERC-20's topic0 with a fourth topic, is refused by an ERC-20
 * decoder), then the data length: at least the static head, and exactly the head when the event has
 * no dynamic parameters. Values must be canonically encoded, in topics as in data: zero padding
 * around addresses, unsigned integers and bytesN, bools of exactly 0 or 1, signed integers
 * sign-extended. Offsets and lengths must stay inside the data, and values may not overlap so as to
 * claim more bytes than the data holds; as in Solidity's own {@code abi.decode}, offsets need not be
 * aligned and the tail's padding is not inspected.
 *
 * <p>Strings are decoded as UTF-8 for a PostgreSQL {@code text} column, which cannot hold NUL nor
 * invalid UTF-8: malformed sequences and NUL characters are each replaced by U+FFFD, so decoding a
 * string never fails but is lossy for such values.
 *
 * <p>{@link #decode} never throws on bad input; it returns {@link Decoded.Rejected} with the reason.
 * Events of elementary parameters (ERC-20 {@code Transfer} and the like) take a flat fast path.
 */
public final class EventDecoder {
    private static final byte ADDRESS = 0, BOOL = 1, SMALL_UINT = 2, SMALL_INT = 3, BIG_UINT = 4, BIG_INT = 5,
            FIXED_BYTES = 6, BYTES = 7, STRING = 8, TOPIC_HASH = 9, NESTED = 10;

    private final EventSignature signature;
    private final Hash topic0;
    private final List<Column> columns;
    private final int expectedTopics;
    private final int headSize;
    private final boolean hasDynamic;
    /** Per parameter: how to decode it, its width (bits or bytes), where it is (topic index or head offset), its first column. */
    private final byte[] kinds;
    private final int[] widths;
    private final int[] slots;
    private final int[] firstColumns;
    private final boolean[] indexed;
    private final String[] labels;
    /** Per parameter of kind NESTED: its reader; null otherwise. */
    private final ValueReader[] readers;
    private final AbiType[] types;

    /**
     * @throws AbiException when a column name cannot be formed
     */
    public EventDecoder(EventSignature signature) {
        this(signature, Map.of());
    }

    /**
     * @param renames generated column name to the name to use instead (the config's {@code columns:})
     * @throws AbiException when a column name cannot be formed or a rename is invalid
     */
    public EventDecoder(EventSignature signature, Map<String, String> renames) {
        this.signature = Objects.requireNonNull(signature, "signature");
        this.topic0 = signature.anonymous() ? null : signature.topic0();
        List<EventParam> params = signature.params();
        int n = params.size();
        List<String> bases = new ArrayList<>();
        List<AbiType> leafTypes = new ArrayList<>();
        List<Boolean> hashedColumns = new ArrayList<>();
        kinds = new byte[n];
        widths = new int[n];
        slots = new int[n];
        firstColumns = new int[n];
        indexed = new boolean[n];
        labels = new String[n];
        readers = new ValueReader[n];
        types = new AbiType[n];
        int topic = signature.anonymous() ? 0 : 1;
        int head = 0;
        boolean dynamic = false;
        for (int i = 0; i < n; i++) {
            EventParam p = params.get(i);
            AbiType type = p.abiType();
            types[i] = type;
            indexed[i] = p.indexed();
            labels[i] = (p.name().isEmpty() ? "#" + i : "'" + p.name() + "'") + " (" + p.type() + ")";
            firstColumns[i] = bases.size();
            String base = p.name().isEmpty() ? "arg" + i : Names.snakeCase(p.name());
            if (p.indexed()) {
                slots[i] = topic++;
            } else {
                slots[i] = head;
                head += type.headSize();
                dynamic |= type.dynamic();
            }
            if (p.hashed()) {
                kinds[i] = TOPIC_HASH;
                bases.add(base + "_hash");
                leafTypes.add(type);
                hashedColumns.add(true);
            } else if (type.elementary()) {
                kinds[i] = kindOf(type);
                widths[i] = widthOf(type);
                bases.add(base);
                leafTypes.add(type);
                hashedColumns.add(false);
            } else {
                kinds[i] = NESTED;
                readers[i] = new ValueReader(type, labels[i]);
                flatten(base, type, bases, leafTypes, hashedColumns);
            }
        }
        List<String> names = Names.columnNames(bases, renames);
        List<Column> cols = new ArrayList<>(names.size());
        for (int c = 0; c < names.size(); c++) {
            AbiType t = leafTypes.get(c);
            boolean hashed = hashedColumns.get(c);
            cols.add(new Column(names.get(c), hashed ? "bytea" : t.sqlType(), t.canonical(), hashed));
        }
        this.columns = List.copyOf(cols);
        this.expectedTopics = topic;
        this.headSize = head;
        this.hasDynamic = dynamic;
    }

    /** A tuple becomes one column per component (recursively); anything else one column. */
    private static void flatten(String base, AbiType type, List<String> bases, List<AbiType> leafTypes, List<Boolean> hashed) {
        if (type instanceof AbiType.TupleType t) {
            for (int i = 0; i < t.components().size(); i++) {
                AbiType.Component c = t.components().get(i);
                flatten(base + "_" + Names.componentKey(c.name(), i), c.type(), bases, leafTypes, hashed);
            }
            return;
        }
        bases.add(base);
        leafTypes.add(type);
        hashed.add(false);
    }

    /** Puts a decoded value of {@code type} into {@code out} from {@code col} the way {@link #flatten} laid it out. */
    private static int put(AbiType type, Object value, Object[] out, int col) {
        switch (type) {
            case AbiType.TupleType t -> {
                Object[] parts = (Object[]) value;
                for (int i = 0; i < parts.length; i++) col = put(t.components().get(i).type(), parts[i], out, col);
                return col;
            }
            case AbiType.ArrayType a -> {
                out[col] = a.postgresArray() ? value : Jsonb.of(a, value);
                return col + 1;
            }
            default -> {
                out[col] = value;
                return col + 1;
            }
        }
    }

    public EventSignature signature() {
        return signature;
    }

    /** The columns in order; {@link Decoded.Row#values()} follows it. */
    public List<Column> columns() {
        return columns;
    }

    /** Decodes {@code log}, or says why it is not a well-formed instance of this event. Never throws on bad input. */
    public Decoded decode(Log log) {
        List<Hash> topics = log.topics();
        if (topic0 != null) {
            if (topics.isEmpty()) return reject(RejectReason.TOPIC0_MISMATCH, "log has no topics; expected topic0 " + topic0);
            if (!topic0.equals(topics.get(0))) {
                return reject(RejectReason.TOPIC0_MISMATCH, "topic0 " + topics.get(0) + " is not " + signature.canonical() + "'s " + topic0);
            }
        }
        if (topics.size() != expectedTopics) {
            return reject(RejectReason.TOPIC_COUNT, "expected " + expectedTopics + " topics for " + signature.canonical()
                    + " with " + signature.indexedCount() + " indexed, got " + topics.size());
        }
        byte[] data = log.data();
        if (data.length < headSize || (!hasDynamic && data.length != headSize)) {
            return reject(RejectReason.DATA_LENGTH, "expected " + (hasDynamic ? "at least " : "") + headSize
                    + " data bytes for " + signature.canonical() + ", got " + data.length);
        }
        Object[] values = new Object[columns.size()];
        ValueReader.Budget budget = null;
        for (int i = 0; i < kinds.length; i++) {
            byte[] buf = indexed[i] ? topics.get(slots[i]).unsafeBytes() : data;
            int off = indexed[i] ? 0 : slots[i];
            Object v = switch (kinds[i]) {
                case ADDRESS -> Words.address(buf, off);
                case BOOL -> Words.bool(buf, off);
                case SMALL_UINT -> Words.smallUint(buf, off, widths[i]);
                case SMALL_INT -> Words.smallInt(buf, off, widths[i]);
                case BIG_UINT -> Words.bigUint(buf, off, widths[i]);
                case BIG_INT -> Words.bigInt(buf, off, widths[i]);
                case FIXED_BYTES -> Words.fixedBytes(buf, off, widths[i]);
                case TOPIC_HASH -> buf.clone();
                case BYTES, STRING -> tail(data, off, i);
                case NESTED -> {
                    if (budget == null) budget = new ValueReader.Budget(data.length);
                    try {
                        put(types[i], readers[i].readSlot(data, 0, off, budget), values, firstColumns[i]);
                        yield true;
                    } catch (ValueReader.Malformed m) {
                        yield reject(m.reason, m.getMessage());
                    }
                }
                default -> throw new IllegalStateException("unknown kind " + kinds[i]);
            };
            if (v == null) {
                return reject(RejectReason.NON_CANONICAL, "value of " + labels[i] + " in "
                        + (indexed[i] ? "topic " + slots[i] : "data at byte " + off) + " is not canonically encoded");
            }
            if (v instanceof Decoded.Rejected r) return r;
            if (kinds[i] != NESTED) values[firstColumns[i]] = v;
        }
        return new Decoded.Row(values);
    }

    /** The content of a dynamic parameter whose offset word is at {@code data[head]}, or a Rejected. */
    private Object tail(byte[] data, int head, int i) {
        int offset = Words.smallCount(data, head);
        if (offset < 0 || offset > data.length - Words.WORD) {
            return reject(RejectReason.BAD_OFFSET, "offset of " + labels[i] + " points past the end of the "
                    + data.length + "-byte data");
        }
        int length = Words.smallCount(data, offset);
        int start = offset + Words.WORD;
        if (length < 0 || length > data.length - start) {
            return reject(RejectReason.BAD_LENGTH, "length of " + labels[i] + " at byte " + offset
                    + " runs past the end of the " + data.length + "-byte data");
        }
        return kinds[i] == STRING ? Words.text(data, start, length) : Arrays.copyOfRange(data, start, start + length);
    }

    private static Decoded.Rejected reject(RejectReason reason, String detail) {
        return new Decoded.Rejected(reason, detail);
    }

    private static byte kindOf(AbiType type) {
        return switch (type) {
            case AbiType.AddressType a -> ADDRESS;
            case AbiType.BoolType b -> BOOL;
            case AbiType.UintType u -> u.fitsLong() ? SMALL_UINT : BIG_UINT;
            case AbiType.IntType s -> s.fitsLong() ? SMALL_INT : BIG_INT;
            case AbiType.FixedBytesType f -> FIXED_BYTES;
            case AbiType.BytesType b -> BYTES;
            case AbiType.StringType s -> STRING;
            default -> throw new IllegalArgumentException("not an elementary type: " + type.canonical());
        };
    }

    private static int widthOf(AbiType type) {
        return switch (type) {
            case AbiType.UintType u -> u.bits();
            case AbiType.IntType s -> s.bits();
            case AbiType.FixedBytesType f -> f.size();
            default -> 0;
        };
    }

    @Override
    public String toString() {
        return "EventDecoder[" + signature.canonical() + "]";
    }
}
