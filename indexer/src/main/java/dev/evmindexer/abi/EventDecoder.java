package dev.evmindexer.abi;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decodes logs of one event into rows of typed values, one per parameter in declaration order.
 * Immutable and thread-safe; build one per event and reuse it.
 *
 * <p>The shape is checked first: topic0 (unless anonymous), then the exact topic count (so ERC-721's
 * {@code Transfer}, which shares ERC-20's topic0 with a fourth topic, is refused by an ERC-20
 * decoder), then the data length: at least the static head, and exactly the head when the event has
 * no dynamic parameters. Values must be canonically encoded, in topics as in data: zero padding
 * around addresses, unsigned integers and bytesN, bools of exactly 0 or 1, signed integers
 * sign-extended. For {@code bytes} and {@code string} the offset and length must stay inside the
 * data; as in Solidity's own {@code abi.decode}, the offset need not be aligned and the tail's
 * padding is not inspected.
 *
 * <p>Strings are decoded as UTF-8 for a PostgreSQL {@code text} column, which cannot hold NUL nor
 * invalid UTF-8: malformed sequences and NUL characters are each replaced by U+FFFD, so decoding a
 * string never fails but is lossy for such values.
 *
 * <p>Indexed {@code bytes} and {@code string} values are only present as their keccak256 in the topic;
 * the row holds that 32-byte hash in a column named {@code <name>_hash}.
 *
 * <p>{@link #decode} never throws on bad input; it returns {@link Decoded.Rejected} with the reason.
 */
public final class EventDecoder {
    private static final byte ADDRESS = 0, BOOL = 1, SMALL_UINT = 2, SMALL_INT = 3, BIG_UINT = 4, BIG_INT = 5,
            FIXED_BYTES = 6, BYTES = 7, STRING = 8, TOPIC_HASH = 9;

    private final EventSignature signature;
    private final Hash topic0;
    private final List<Column> columns;
    private final int expectedTopics;
    private final int headSize;
    private final boolean hasDynamic;
    /** Per parameter: how to decode it, its width (bits or bytes), and where it is (topic index or head offset). */
    private final byte[] kinds;
    private final int[] widths;
    private final int[] slots;
    private final boolean[] indexed;
    private final String[] labels;

    /**
     * @throws AbiException when a column name cannot be formed (longer than 63 bytes)
     */
    public EventDecoder(EventSignature signature) {
        this.signature = Objects.requireNonNull(signature, "signature");
        this.topic0 = signature.anonymous() ? null : signature.topic0();
        List<EventParam> params = signature.params();
        int n = params.size();
        List<String> names = Names.columnNames(params);
        List<Column> cols = new ArrayList<>(n);
        kinds = new byte[n];
        widths = new int[n];
        slots = new int[n];
        indexed = new boolean[n];
        labels = new String[n];
        int topic = signature.anonymous() ? 0 : 1;
        int head = 0;
        boolean dynamic = false;
        for (int i = 0; i < n; i++) {
            EventParam p = params.get(i);
            AbiType type = p.abiType();
            boolean hashed = p.indexed() && type.dynamic();
            indexed[i] = p.indexed();
            labels[i] = (p.name().isEmpty() ? "#" + i : "'" + p.name() + "'") + " (" + p.type() + ")";
            if (p.indexed()) {
                slots[i] = topic++;
            } else {
                slots[i] = head;
                head += Words.WORD;
                dynamic |= type.dynamic();
            }
            kinds[i] = hashed ? TOPIC_HASH : kindOf(type);
            widths[i] = widthOf(type);
            cols.add(new Column(names.get(i), hashed ? "bytea" : type.sqlType(), p.type(), hashed));
        }
        this.columns = List.copyOf(cols);
        this.expectedTopics = topic;
        this.headSize = head;
        this.hasDynamic = dynamic;
    }

    public EventSignature signature() {
        return signature;
    }

    /** One column per parameter, in parameter order; {@link Decoded.Row#values()} follows it. */
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
        Object[] values = new Object[kinds.length];
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
                default -> throw new IllegalStateException("unknown kind " + kinds[i]);
            };
            if (v == null) {
                return reject(RejectReason.NON_CANONICAL, "value of " + labels[i] + " in "
                        + (indexed[i] ? "topic " + slots[i] : "data at byte " + off) + " is not canonically encoded");
            }
            if (v instanceof Decoded.Rejected r) return r;
            values[i] = v;
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
