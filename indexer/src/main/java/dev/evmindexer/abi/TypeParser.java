package dev.evmindexer.abi;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Solidity type names into {@link AbiType}; see {@link AbiType#parse}. */
final class TypeParser {
    private static final Pattern SIZED = Pattern.compile("(uint|int|bytes)([0-9]+)");
    private static final Pattern FIXED = Pattern.compile("u?fixed([0-9]+x[0-9]+)?");
    private static final Pattern SUFFIX = Pattern.compile("\\[([0-9]*)]");
    /** Nesting deeper than this is refused: it only makes sense as an attack on the parser. */
    static final int MAX_DEPTH = 16;

    private TypeParser() {}

    static AbiType parse(String type, String parameter) {
        if (type == null || type.isBlank()) throw new AbiException("missing type in " + describe(parameter));
        return parse(type.strip(), parameter, 0);
    }

    private static AbiType parse(String type, String parameter, int depth) {
        if (depth > MAX_DEPTH) throw new AbiException("type in " + describe(parameter) + " is nested more than " + MAX_DEPTH + " deep");
        if (type.endsWith("]")) {
            int open = type.lastIndexOf('[');
            if (open < 0) throw new AbiException("unbalanced brackets in type " + type + " in " + describe(parameter));
            Matcher m = SUFFIX.matcher(type.substring(open));
            if (!m.matches()) throw new AbiException("bad array suffix " + type.substring(open) + " in type " + type + " in " + describe(parameter));
            AbiType element = parse(type.substring(0, open).strip(), parameter, depth + 1);
            String digits = m.group(1);
            if (digits.isEmpty()) return new AbiType.ArrayType(element, AbiType.ArrayType.DYNAMIC);
            if (digits.length() > 9 || digits.startsWith("0")) {
                throw new AbiException("bad array length " + digits + " in type " + type + " in " + describe(parameter));
            }
            return new AbiType.ArrayType(element, Integer.parseInt(digits));
        }
        if (type.startsWith("(") || type.startsWith("tuple(")) return tuple(type, parameter, depth);
        return elementary(type, parameter);
    }

    /** {@code (T1 [name1], T2 [name2], ...)} or the same after {@code tuple}. */
    private static AbiType tuple(String type, String parameter, int depth) {
        int open = type.indexOf('(');
        if (!type.endsWith(")") || matchingParen(type, open) != type.length() - 1) {
            throw new AbiException("bad tuple type " + type + " in " + describe(parameter));
        }
        String inside = type.substring(open + 1, type.length() - 1);
        if (inside.isBlank()) throw new AbiException("empty tuple in " + describe(parameter));
        List<AbiType.Component> components = new ArrayList<>();
        for (String piece : splitTopLevel(inside)) {
            String p = piece.strip();
            int cut = typeEnd(p);
            String componentType = p.substring(0, cut).strip();
            String name = p.substring(cut).strip();
            if (!name.isEmpty() && !Names.isIdentifier(name)) {
                throw new AbiException("tuple component '" + p + "' in " + describe(parameter) + " is not 'type [name]'");
            }
            components.add(new AbiType.Component(name, parse(componentType, parameter, depth + 1)));
        }
        return new AbiType.TupleType(components);
    }

    /** Where the type ends in {@code "type [name]"}: after the tuple's parenthesis and array suffixes, or at the first space. */
    static int typeEnd(String p) {
        int i = 0;
        if (p.startsWith("(") || p.startsWith("tuple(")) i = matchingParen(p, p.indexOf('(')) + 1;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (Character.isWhitespace(c)) {
                int j = i;
                while (j < p.length() && Character.isWhitespace(p.charAt(j))) j++;
                if (j < p.length() && p.charAt(j) == '[') {
                    i = j;
                    continue;
                }
                break;
            }
            i++;
        }
        return i;
    }

    private static AbiType elementary(String type, String parameter) {
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

    /** See {@link AbiType#declaration()}. */
    static String declaration(AbiType type) {
        return switch (type) {
            case AbiType.ArrayType a -> declaration(a.element()) + (a.fixed() ? "[" + a.length() + "]" : "[]");
            case AbiType.TupleType t -> {
                StringBuilder sb = new StringBuilder("(");
                for (int i = 0; i < t.components().size(); i++) {
                    AbiType.Component c = t.components().get(i);
                    sb.append(i > 0 ? ", " : "").append(declaration(c.type()));
                    if (!c.name().isEmpty()) sb.append(' ').append(c.name());
                }
                yield sb.append(')').toString();
            }
            default -> type.canonical();
        };
    }

    static int matchingParen(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return i;
        }
        throw new AbiException("unbalanced parentheses");
    }

    static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** {@code parameter 'from'}, or {@code an unnamed parameter}. */
    static String describe(String parameter) {
        return parameter == null || parameter.isEmpty() ? "an unnamed parameter" : "parameter '" + parameter + "'";
    }
}
