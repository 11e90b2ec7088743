package dev.evmindexer.abi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Identifier rules: which Solidity names are accepted and how they become PostgreSQL column names. */
public final class Names {
    /** PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1); we shorten them with a hash suffix instead. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    /** The columns every event table starts with (README.md, the tables); parameters must not shadow them. */
    public static final Set<String> STANDARD_COLUMNS = Set.of("chain_id", "block_number", "block_hash",
            "block_time", "tx_hash", "tx_index", "log_index", "address");

    /** Shortened names keep this many bytes, then {@code _} and 8 hex digits: 63 in all. */
    static final int KEEP_BYTES = MAX_IDENTIFIER_BYTES - 9;
    private static final Pattern SQL_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private Names() {}

    /** True for a Solidity identifier: {@code [A-Za-z_$][A-Za-z0-9_$]*}. */
    public static boolean isIdentifier(String s) {
        if (s == null || s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'
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

    /** A tuple component's name in columns and JSON keys: snake_case, or {@code arg<i>} when unnamed. */
    static String componentKey(String name, int index) {
        return name.isEmpty() ? "arg" + index : snakeCase(name);
    }

    /**
     * Final column names from base names (snake_case paths such as {@code order_token_id}), in order:
     * {@code evt_} prepended when the name is a standard column, {@code _2}, {@code _3} ... appended to
     * later duplicates, and names over {@value #MAX_IDENTIFIER_BYTES} bytes shortened to their first
     * {@value #KEEP_BYTES} bytes, {@code _} and 8 hex digits of the keccak256 of the full name (never
     * silently truncated by PostgreSQL). Then {@code renames} (generated name to chosen name) apply.
     *
     * @throws AbiException for a rename of an unknown column, to a bad or taken name
     */
    static List<String> columnNames(List<String> bases, Map<String, String> renames) {
        List<String> names = new ArrayList<>(bases.size());
        Set<String> used = new HashSet<>();
        for (String b : bases) {
            String base = STANDARD_COLUMNS.contains(b) ? "evt_" + b : b;
            String name = base;
            for (int n = 2; !used.add(name); n++) name = base + "_" + n;
            names.add(name);
        }
        Set<String> shortened = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String s = shorten(name);
            if (s.equals(name)) continue;
            if (used.contains(s) || !shortened.add(s)) {
                throw new AbiException("column name '" + name + "' is too long and its shortened form '" + s
                        + "' is taken; rename it in the config's columns");
            }
            names.set(i, s);
        }
        return rename(names, renames);
    }

    private static List<String> rename(List<String> names, Map<String, String> renames) {
        if (renames.isEmpty()) return List.copyOf(names);
        List<String> out = new ArrayList<>(names);
        for (Map.Entry<String, String> r : renames.entrySet()) {
            int i = names.indexOf(r.getKey());
            if (i < 0) {
                throw new AbiException("no column '" + r.getKey() + "' to rename; the event's columns are " + String.join(", ", names));
            }
            String to = r.getValue();
            if (!SQL_NAME.matcher(to).matches()) {
                throw new AbiException("cannot rename '" + r.getKey() + "' to '" + to
                        + "': use lower-case letters, digits and _, not starting with a digit");
            }
            if (to.length() > MAX_IDENTIFIER_BYTES) {
                throw new AbiException("cannot rename '" + r.getKey() + "' to '" + to + "': " + to.length()
                        + " bytes, PostgreSQL identifiers are limited to " + MAX_IDENTIFIER_BYTES);
            }
            if (STANDARD_COLUMNS.contains(to)) {
                throw new AbiException("cannot rename '" + r.getKey() + "' to '" + to + "': that is a standard column");
            }
            out.set(i, to);
        }
        Set<String> seen = new HashSet<>();
        for (String n : out) {
            if (!seen.add(n)) throw new AbiException("two columns would be named '" + n + "' after the renames");
        }
        return List.copyOf(out);
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

    /**
     * {@code name} itself when it fits PostgreSQL's {@value #MAX_IDENTIFIER_BYTES} bytes; otherwise its first
     * {@value #KEEP_BYTES} characters, {@code _} and 8 hex digits of its keccak256: never a silent truncation.
     */
    public static String shorten(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_IDENTIFIER_BYTES) return name;
        return name.substring(0, KEEP_BYTES) + "_" + dev.evmindexer.eth.Hex.encode(Keccak.keccak256(bytes)).substring(2, 10);
    }
}
