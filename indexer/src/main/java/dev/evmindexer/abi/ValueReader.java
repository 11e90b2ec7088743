package dev.evmindexer.abi;

import java.util.List;

/**
 * Decodes one value of a nested type (an array or a tuple, possibly holding further arrays and tuples)
 * from event data, compiled once per type. Values come back as {@code Object[]} for arrays and tuples
 * (elements or components in order) around the elementary values of {@link Decoded.Row}.
 *
 * <p>Every offset and length is checked against the data before use. A canonical encoding uses each
 * byte of the data for at most one value, so a {@link Budget} of the data's size bounds the work and
 * the output: offsets that alias one another to inflate a small log into a huge row are refused.
 */
final class ValueReader {
    /** A malformed encoding; cheap to throw (no stack trace), caught by {@link EventDecoder#decode}. */
    static final class Malformed extends RuntimeException {
        final RejectReason reason;

        Malformed(RejectReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /** Bytes of data a canonical encoding could still account for; one per decoded log. */
    static final class Budget {
        long left;

        Budget(long left) {
            this.left = left;
        }

        void spend(long bytes, String label) {
            left -= bytes;
            if (left < 0) {
                throw new Malformed(RejectReason.BAD_OFFSET, "offsets inside " + label
                        + " overlap: the values claim more bytes than the data holds");
            }
        }
    }

    private static final byte ADDRESS = 0, BOOL = 1, SMALL_UINT = 2, SMALL_INT = 3, BIG_UINT = 4, BIG_INT = 5,
            FIXED_BYTES = 6, BYTES = 7, STRING = 8, DYNAMIC_ARRAY = 9, FIXED_ARRAY = 10, TUPLE = 11;

    private final byte kind;
    private final int width;
    final boolean dynamic;
    /** Bytes in an enclosing head: 32 when dynamic, else the whole static size. */
    final int headSize;
    /** Bytes at the start of this value's own encoding that must be inside the data. */
    final int ownHead;
    private final ValueReader element;
    private final int length;
    private final ValueReader[] children;
    private final int[] childOffsets;
    private final String label;

    ValueReader(AbiType type, String label) {
        this.label = label;
        this.dynamic = type.dynamic();
        this.headSize = type.headSize();
        ValueReader el = null;
        ValueReader[] kids = null;
        int[] offsets = null;
        int len = 0;
        int w = 0;
        int own = 32;
        switch (type) {
            case AbiType.AddressType a -> kind = ADDRESS;
            case AbiType.BoolType b -> kind = BOOL;
            case AbiType.UintType u -> {
                kind = u.fitsLong() ? SMALL_UINT : BIG_UINT;
                w = u.bits();
            }
            case AbiType.IntType s -> {
                kind = s.fitsLong() ? SMALL_INT : BIG_INT;
                w = s.bits();
            }
            case AbiType.FixedBytesType f -> {
                kind = FIXED_BYTES;
                w = f.size();
            }
            case AbiType.BytesType b -> kind = BYTES;
            case AbiType.StringType s -> kind = STRING;
            case AbiType.ArrayType a -> {
                el = new ValueReader(a.element(), label);
                len = a.length();
                kind = a.fixed() ? FIXED_ARRAY : DYNAMIC_ARRAY;
                if (a.fixed()) own = len * el.headSize;
            }
            case AbiType.TupleType t -> {
                kind = TUPLE;
                List<AbiType.Component> cs = t.components();
                kids = new ValueReader[cs.size()];
                offsets = new int[cs.size()];
                own = 0;
                for (int i = 0; i < kids.length; i++) {
                    kids[i] = new ValueReader(cs.get(i).type(), label);
                    offsets[i] = own;
                    own += kids[i].headSize;
                }
            }
        }
        this.element = el;
        this.children = kids;
        this.childOffsets = offsets;
        this.length = len;
        this.width = w;
        this.ownHead = own;
    }

    /**
     * The value whose head slot is at {@code data[slot]}, inside an encoding that starts at {@code start}
     * (offsets of dynamic values count from there). The slot itself must be in bounds.
     */
    Object readSlot(byte[] data, int start, int slot, Budget budget) {
        if (!dynamic) return read(data, slot, budget);
        int offset = Words.smallCount(data, slot);
        if (offset < 0 || offset > data.length - start - ownHead) {
            throw new Malformed(RejectReason.BAD_OFFSET, "offset in " + label + " at byte " + slot
                    + " points past the end of the " + data.length + "-byte data");
        }
        return read(data, start + offset, budget);
    }

    /** The value whose own encoding starts at {@code at}; its first {@link #ownHead} bytes are in bounds. */
    private Object read(byte[] data, int at, Budget budget) {
        switch (kind) {
            case DYNAMIC_ARRAY -> {
                budget.spend(32, label);
                int n = Words.smallCount(data, at);
                int start = at + 32;
                if (n < 0 || (long) n * element.headSize > data.length - start) {
                    throw new Malformed(RejectReason.BAD_LENGTH, "length of an array in " + label + " at byte " + at
                            + " runs past the end of the " + data.length + "-byte data");
                }
                return sequence(data, start, n, budget);
            }
            case FIXED_ARRAY -> {
                return sequence(data, at, length, budget);
            }
            case TUPLE -> {
                Object[] out = new Object[children.length];
                for (int i = 0; i < children.length; i++) out[i] = children[i].readSlot(data, at, at + childOffsets[i], budget);
                return out;
            }
            case BYTES, STRING -> {
                int n = Words.smallCount(data, at);
                int start = at + 32;
                if (n < 0 || n > data.length - start) {
                    throw new Malformed(RejectReason.BAD_LENGTH, "length of a " + (kind == STRING ? "string" : "bytes")
                            + " in " + label + " at byte " + at + " runs past the end of the " + data.length + "-byte data");
                }
                budget.spend(32L + n, label);
                return kind == STRING ? Words.text(data, start, n) : java.util.Arrays.copyOfRange(data, start, start + n);
            }
            default -> {
                budget.spend(32, label);
                Object v = switch (kind) {
                    case ADDRESS -> Words.address(data, at);
                    case BOOL -> Words.bool(data, at);
                    case SMALL_UINT -> Words.smallUint(data, at, width);
                    case SMALL_INT -> Words.smallInt(data, at, width);
                    case BIG_UINT -> Words.bigUint(data, at, width);
                    case BIG_INT -> Words.bigInt(data, at, width);
                    case FIXED_BYTES -> Words.fixedBytes(data, at, width);
                    default -> throw new IllegalStateException("unknown kind " + kind);
                };
                if (v == null) {
                    throw new Malformed(RejectReason.NON_CANONICAL, "a value in " + label + " at byte " + at
                            + " is not canonically encoded");
                }
                return v;
            }
        }
    }

    private Object[] sequence(byte[] data, int start, int n, Budget budget) {
        Object[] out = new Object[n];
        int h = element.headSize;
        for (int i = 0; i < n; i++) out[i] = element.readSlot(data, start, start + i * h, budget);
        return out;
    }
}
