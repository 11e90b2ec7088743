package dev.evmindexer.abi;

/**
 * A parsed Solidity ABI type: the elementary types, fixed and dynamic arrays ({@code T[k]}, {@code T[]},
 * nested) and tuples (structs, with their component names).
 */
public sealed interface AbiType {

    /** The canonical spelling used in event signatures: {@code uint256}, never {@code uint}. */
    String canonical();

    /** True for types encoded out of line (an offset in the head, the content in the tail). */
    boolean dynamic();

    /**
     * The PostgreSQL column type holding a decoded value of this type as one column (README.md, type mapping).
     * A tuple parameter is flattened into one column per component instead; a tuple stored
     * whole (inside an array) is {@code jsonb}.
     */
    String sqlType();

    /**
     * True for the types whose indexed values are stored in the topic as a keccak256 hash (Solidity's
     * rule for reference types: {@code string}, {@code bytes}, arrays, even fixed-size ones, and structs).
     */
    default boolean hashedWhenIndexed() {
        return this instanceof BytesType || this instanceof StringType || this instanceof ArrayType
                || this instanceof TupleType;
    }

    /** True for address, bool, integers, bytesN, bytes and string. */
    default boolean elementary() {
        return !(this instanceof ArrayType) && !(this instanceof TupleType);
    }

    /** Bytes taken in the head of an enclosing encoding: 32 for a dynamic type, the full size for a static one. */
    default int headSize() {
        return 32;
    }

    record AddressType() implements AbiType {
        @Override public String canonical() { return "address"; }
        @Override public boolean dynamic() { return false; }
        @Override public String sqlType() { return "bytea"; }
    }

    record BoolType() implements AbiType {
        @Override public String canonical() { return "bool"; }
        @Override public boolean dynamic() { return false; }
        @Override public String sqlType() { return "boolean"; }
    }

    /** uintN, N in 8..256 step 8. Up to 56 bits fits int8; uint64 needs numeric(20,0). */
    record UintType(int bits) implements AbiType {
        public UintType { checkBits(bits); }
        @Override public String canonical() { return "uint" + bits; }
        @Override public boolean dynamic() { return false; }
        @Override public String sqlType() { return bits <= 56 ? "int8" : bits == 64 ? "numeric(20,0)" : "numeric(78,0)"; }
        /** True when values are {@code Long}, false when {@code BigInteger}. */
        public boolean fitsLong() { return bits <= 56; }
    }

    /** intN, N in 8..256 step 8, two's complement. Up to 64 bits fits int8. */
    record IntType(int bits) implements AbiType {
        public IntType { checkBits(bits); }
        @Override public String canonical() { return "int" + bits; }
        @Override public boolean dynamic() { return false; }
        @Override public String sqlType() { return bits <= 64 ? "int8" : "numeric(78,0)"; }
        /** True when values are {@code Long}, false when {@code BigInteger}. */
        public boolean fitsLong() { return bits <= 64; }
    }

    /** bytesN, N in 1..32, left-aligned in its word. */
    record FixedBytesType(int size) implements AbiType {
        public FixedBytesType {
            if (size < 1 || size > 32) throw new AbiException("bytesN needs N from 1 to 32, got " + size);
        }
        @Override public String canonical() { return "bytes" + size; }
        @Override public boolean dynamic() { return false; }
        @Override public String sqlType() { return "bytea"; }
    }

    record BytesType() implements AbiType {
        @Override public String canonical() { return "bytes"; }
        @Override public boolean dynamic() { return true; }
        @Override public String sqlType() { return "bytea"; }
    }

    record StringType() implements AbiType {
        @Override public String canonical() { return "string"; }
        @Override public boolean dynamic() { return true; }
        @Override public String sqlType() { return "text"; }
    }

    /**
     * {@code T[length]}, or {@code T[]} when {@code length} is {@link #DYNAMIC}. Stored as a PostgreSQL
     * array when its elements are elementary and every inner dimension is fixed (so values are always
     * rectangular); otherwise (arrays of tuples, or an inner dynamic dimension that may be ragged) as
     * {@code jsonb}.
     */
    record ArrayType(AbiType element, int length) implements AbiType {
        public static final int DYNAMIC = -1;
        /** A static array larger than this (16 MiB) cannot be in a log: no block has the gas to emit it. */
        static final long MAX_FIXED_BYTES = 1 << 24;
        public ArrayType {
            java.util.Objects.requireNonNull(element, "element");
            if (length != DYNAMIC && length < 1) throw new AbiException("a fixed-size array needs a length of at least 1, got " + length);
            if (length != DYNAMIC && (long) length * element.headSize() > MAX_FIXED_BYTES) {
                throw new AbiException("array " + element.canonical() + "[" + length + "] is larger than any log could hold");
            }
        }
        public boolean fixed() { return length != DYNAMIC; }
        @Override public String canonical() { return element.canonical() + (fixed() ? "[" + length + "]" : "[]"); }
        @Override public boolean dynamic() { return !fixed() || element.dynamic(); }
        @Override public int headSize() { return dynamic() ? 32 : length * element.headSize(); }
        @Override public String sqlType() { return postgresArray() ? innermost().sqlType() + "[]".repeat(dimensions()) : "jsonb"; }
        /** True when values go to a PostgreSQL array: elementary innermost elements, inner dimensions fixed. */
        public boolean postgresArray() {
            AbiType t = element;
            while (t instanceof ArrayType a) {
                if (!a.fixed()) return false;
                t = a.element();
            }
            return t.elementary();
        }
        public int dimensions() { return element instanceof ArrayType a ? 1 + a.dimensions() : 1; }
        public AbiType innermost() { return element instanceof ArrayType a ? a.innermost() : element; }
    }

    /** One component of a tuple: its name ({@code ""} when unnamed) and type. */
    record Component(String name, AbiType type) {
        public Component {
            java.util.Objects.requireNonNull(name, "name");
            java.util.Objects.requireNonNull(type, "type");
            if (!name.isEmpty() && !Names.isIdentifier(name)) {
                throw new AbiException("tuple component name '" + name + "' is not a valid identifier");
            }
        }
    }

    /** A tuple (a Solidity struct). Its canonical form has no names: {@code (uint256,address)}. */
    record TupleType(java.util.List<Component> components) implements AbiType {
        public TupleType {
            components = java.util.List.copyOf(components);
            if (components.isEmpty()) throw new AbiException("a tuple needs at least one component");
        }
        @Override public String canonical() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < components.size(); i++) sb.append(i > 0 ? "," : "").append(components.get(i).type().canonical());
            return sb.append(')').toString();
        }
        @Override public boolean dynamic() {
            for (Component c : components) if (c.type().dynamic()) return true;
            return false;
        }
        @Override public int headSize() {
            if (dynamic()) return 32;
            int n = 0;
            for (Component c : components) n += c.type().headSize();
            return n;
        }
        @Override public String sqlType() { return "jsonb"; }
    }

    /**
     * The type as written in a human-readable declaration, with tuple component names:
     * {@code (uint256 amount, address to)[]}. Same as {@link #canonical()} for other types.
     */
    default String declaration() {
        return TypeParser.declaration(this);
    }

    /**
     * Parses a Solidity type as written in a signature or ABI JSON. Accepts the aliases {@code uint},
     * {@code int} (256 bits) and {@code byte} ({@code bytes1}), array suffixes ({@code uint8[2][]}) and
     * tuples, written {@code (uint256 a, address b)} or {@code tuple(uint256 a, address b)} (component
     * names optional). {@code parameter} only names the parameter in error messages.
     *
     * @throws AbiException for unknown and unsupported types ({@code fixed}, {@code function})
     */
    static AbiType parse(String type, String parameter) {
        return TypeParser.parse(type, parameter);
    }

    private static void checkBits(int bits) {
        if (bits < 8 || bits > 256 || bits % 8 != 0) {
            throw new AbiException("integer width must be a multiple of 8 from 8 to 256, got " + bits);
        }
    }
}
