package dev.evmindexer.abi;


/**
 * A parsed Solidity ABI type. This first version covers the elementary types; arrays and tuples are
 * refused at parse time ("not supported yet") and will join as further permitted records, with
 * {@link #dynamic()} and {@link #sqlType()} extended to them.
 */
public sealed interface AbiType {

    /** The canonical spelling used in event signatures: {@code uint256}, never {@code uint}. */
    String canonical();

    /** True for types encoded out of line (an offset in the head, the content in the tail). */
    boolean dynamic();

    /** The PostgreSQL column type holding a decoded value of this type (see DESIGN.md, Storage). */
    String sqlType();

    record AddressType() implements AbiType {
        public String canonical() { return "address"; }
        public boolean dynamic() { return false; }
        public String sqlType() { return "bytea"; }
    }

    record BoolType() implements AbiType {
        public String canonical() { return "bool"; }
        public boolean dynamic() { return false; }
        public String sqlType() { return "boolean"; }
    }

    /** uintN, N in 8..256 step 8. Up to 56 bits fits int8; uint64 needs numeric(20,0). */
    record UintType(int bits) implements AbiType {
        public UintType { checkBits(bits); }
        public String canonical() { return "uint" + bits; }
        public boolean dynamic() { return false; }
        public String sqlType() { return bits <= 56 ? "int8" : bits == 64 ? "numeric(20,0)" : "numeric(78,0)"; }
        /** True when values are {@code Long}, false when {@code BigInteger}. */
        public boolean fitsLong() { return bits <= 56; }
    }

    /** intN, N in 8..256 step 8, two's complement. Up to 64 bits fits int8. */
    record IntType(int bits) implements AbiType {
        public IntType { checkBits(bits); }
        public String canonical() { return "int" + bits; }
        public boolean dynamic() { return false; }
        public String sqlType() { return bits <= 64 ? "int8" : "numeric(78,0)"; }
        /** True when values are {@code Long}, false when {@code BigInteger}. */
        public boolean fitsLong() { return bits <= 64; }
    }

    /** bytesN, N in 1..32, left-aligned in its word. */
    record FixedBytesType(int size) implements AbiType {
        public FixedBytesType {
            if (size < 1 || size > 32) throw new AbiException("bytesN needs N from 1 to 32, got " + size);
        }
        public String canonical() { return "bytes" + size; }
        public boolean dynamic() { return false; }
        public String sqlType() { return "bytea"; }
    }

    record BytesType() implements AbiType {
        public String canonical() { return "bytes"; }
        public boolean dynamic() { return true; }
        public String sqlType() { return "bytea"; }
    }

    record StringType() implements AbiType {
        public String canonical() { return "string"; }
        public boolean dynamic() { return true; }
        public String sqlType() { return "text"; }
    }

    /**
     * Parses a Solidity type as written in a signature or ABI JSON. Accepts the aliases {@code uint},
     * {@code int} (256 bits) and {@code byte} ({@code bytes1}). {@code parameter} only names the
     * parameter in error messages.
     *
     * @throws AbiException for unknown types and for types not supported yet (arrays, tuples)
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
