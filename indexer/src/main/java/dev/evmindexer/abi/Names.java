package dev.evmindexer.abi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Identifier rules: which Solidity names are accepted and how they become PostgreSQL column names. */
public final class Names {
    /** PostgreSQL truncates longer identifiers (NAMEDATALEN - 1); we refuse them instead. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    /** The columns every event table starts with (DESIGN.md, Storage); parameters must not shadow them. */
    public static final Set<String> STANDARD_COLUMNS = Set.of("chain_id", "block_number", "block_hash",
            "block_time", "tx_hash", "tx_index", "log_index", "address");

    private Names() {}

    /** True for a Solidity identifier: {@code [A-Za-z_$][A-Za-z0-9_$]*}. */
    public static boolean isIdentifier(String s) {
        if (s == null || s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
                    || (i > 0 && c >= '0' && c <= '9');
            if (!ok) return false;
        }
        return true;
    }

    /**
     * The snake_case form of a Solidity parameter name: {@code from -> from}, {@code tokenId -> token_id},
     * {@code ERC20Value -> erc20_value}, {@code URI -> uri}, {@code HTTPServer -> http_server}.
     * An underscore goes before an upper-case letter that follows a lower-case letter or a digit, or
     * that starts a word after an acronym. Existing underscores are kept (so {@code _from} stays
     * {@code _from}) and {@code $} becomes {@code _}. {@code ""} stays {@code ""} (the decoder names
     * unnamed parameters {@code arg<i>}).
     *
     * @throws AbiException when {@code parameterName} is neither empty nor an identifier
     */
    public static String snakeCase(String parameterName) {
        if (parameterName == null) throw new AbiException("parameter name is null");
        if (parameterName.isEmpty()) return "";
        if (!isIdentifier(parameterName)) {
            throw new AbiException("parameter name '" + parameterName + "' is not a valid identifier");
        }
        String s = parameterName.replace('$', '_');
        StringBuilder out = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isUpper(c) && i > 0) {
                char prev = s.charAt(i - 1);
                boolean nextLower = i + 1 < s.length() && isLower(s.charAt(i + 1));
                if (isLower(prev) || isDigit(prev) || (isUpper(prev) && nextLower)) out.append('_');
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }

    /**
     * One column name per parameter, in order: snake_case of the name, {@code arg<i>} when unnamed,
     * {@code _hash} appended for indexed dynamic values, {@code evt_} prepended when the name is a
     * standard column, {@code _2}, {@code _3} ... appended to later duplicates.
     *
     * @throws AbiException when a name exceeds {@value #MAX_IDENTIFIER_BYTES} bytes
     */
    static List<String> columnNames(List<EventParam> params) {
        List<String> names = new ArrayList<>(params.size());
        Set<String> used = new HashSet<>();
        for (int i = 0; i < params.size(); i++) {
            EventParam p = params.get(i);
            String base = p.name().isEmpty() ? "arg" + i : snakeCase(p.name());
            if (p.indexed() && p.abiType().dynamic()) base += "_hash";
            if (STANDARD_COLUMNS.contains(base)) base = "evt_" + base;
            String name = base;
            for (int n = 2; !used.add(name); n++) name = base + "_" + n;
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_IDENTIFIER_BYTES) {
                throw new AbiException("column name '" + name + "' for " + TypeParser.describe(p.name())
                        + " is " + bytes + " bytes; PostgreSQL identifiers are limited to " + MAX_IDENTIFIER_BYTES);
            }
            names.add(name);
        }
        return names;
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
