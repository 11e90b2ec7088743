package dev.evmindexer.abi;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Solidity type names into {@link AbiType}; see {@link AbiType#parse}. */
final class TypeParser {
    private static final Pattern SIZED = Pattern.compile("(uint|int|bytes)([0-9]+)");
    private static final Pattern FIXED = Pattern.compile("u?fixed([0-9]+x[0-9]+)?");

    private TypeParser() {}

    static AbiType parse(String type, String parameter) {
        if (type == null || type.isBlank()) throw new AbiException("missing type in " + describe(parameter));
        switch (type) {
            case "address": return new AbiType.AddressType();
            case "bool": return new AbiType.BoolType();
            case "string": return new AbiType.StringType();
            case "bytes": return new AbiType.BytesType();
            case "byte": return new AbiType.FixedBytesType(1);
            case "uint": return new AbiType.UintType(256);
            case "int": return new AbiType.IntType(256);
            default: break;
        }
        if (type.indexOf('[') >= 0 || type.startsWith("(") || type.startsWith("tuple")) {
            throw new AbiException("type " + type + " in " + describe(parameter) + " is not supported yet");
        }
        Matcher m = SIZED.matcher(type);
        if (m.matches()) {
            String base = m.group(1);
            String digits = m.group(2);
            int n = digits.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(digits);
            boolean canonicalDigits = !digits.startsWith("0");
            if (base.equals("bytes")) {
                if (canonicalDigits && n >= 1 && n <= 32) return new AbiType.FixedBytesType(n);
                throw new AbiException("unknown type " + type + " in " + describe(parameter)
                        + ": bytesN needs N from 1 to 32");
            }
            if (canonicalDigits && n >= 8 && n <= 256 && n % 8 == 0) {
                return base.equals("uint") ? new AbiType.UintType(n) : new AbiType.IntType(n);
            }
            throw new AbiException("unknown type " + type + " in " + describe(parameter)
                    + ": " + base + "N needs N a multiple of 8 from 8 to 256");
        }
        if (FIXED.matcher(type).matches() || type.equals("function")) {
            throw new AbiException("type " + type + " in " + describe(parameter) + " is not supported");
        }
        throw new AbiException("unknown type " + type + " in " + describe(parameter));
    }

    /** {@code parameter 'from'}, or {@code an unnamed parameter}. */
    static String describe(String parameter) {
        return parameter == null || parameter.isEmpty() ? "an unnamed parameter" : "parameter '" + parameter + "'";
    }
}
