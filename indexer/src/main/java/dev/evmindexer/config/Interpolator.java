package dev.evmindexer.config;

import java.util.Map;
import java.util.Objects;

/**
 * {@code ${ENV}} substitution inside one scalar value.
 *
 * <ul>
 *   <li>{@code ${NAME}}: the variable's value; an unset variable is an error (set but empty is fine).</li>
 *   <li>{@code ${NAME:-default}}: the default when the variable is unset or empty (as in the shell).</li>
 *   <li>{@code $$}: a literal {@code $}.</li>
 *   <li>{@code $NAME} without braces is refused rather than kept, so a forgotten brace never becomes
 *       a literal URL or password; any other {@code $} is literal.</li>
 * </ul>
 * Substituted text is not scanned again. Messages name variables but never echo values or defaults
 * (either may be a secret).
 */
final class Interpolator {
    /** Why a reference could not be resolved. */
    static final class BadReference extends Exception {
        private final boolean unsetVariable;

        BadReference(String reason) {
            this(reason, false);
        }

        BadReference(String reason, boolean unsetVariable) {
            super(reason, null, false, false);
            this.unsetVariable = unsetVariable;
        }

        /** True when the reference is well formed and only its variable is unset. */
        boolean unsetVariable() {
            return unsetVariable;
        }
    }

    private final Map<String, String> env;

    Interpolator(Map<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    String apply(String raw) throws BadReference {
        if (raw.indexOf('$') < 0) return raw;
        StringBuilder out = new StringBuilder(raw.length() + 32);
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            char next = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
            if (c != '$') {
                out.append(c);
                i++;
            } else if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                i = substitute(raw, i, out);
            } else if (isNameStart(next)) {
                throw new BadReference("'$' followed by a name: write ${NAME} to use an environment variable,"
                        + " or $$ for a literal '$'");
            } else {
                out.append('$');
                i++;
            }
        }
        return out.toString();
    }

    /** Appends the value of the reference starting at {@code start} ({@code ${...}}); returns the index after it. */
    private int substitute(String raw, int start, StringBuilder out) throws BadReference {
        int close = raw.indexOf('}', start + 2);
        if (close < 0) throw new BadReference("unterminated '${': missing '}'");
        String body = raw.substring(start + 2, close);
        int sep = body.indexOf(":-");
        String name = sep < 0 ? body : body.substring(0, sep);
        if (!isName(name)) {
            throw new BadReference("bad variable reference: '${' must be followed by a name"
                    + " ([A-Za-z_][A-Za-z0-9_]*) and then '}' or ':-default}'");
        }
        String value = env.get(name);
        if (sep >= 0) {
            out.append(value == null || value.isEmpty() ? body.substring(sep + 2) : value);
        } else if (value == null) {
            throw new BadReference("environment variable " + name + " is not set"
                    + " (write ${" + name + ":-} to make it optional)", true);
        } else {
            out.append(value);
        }
        return close + 1;
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || !isNameStart(s.charAt(0))) return false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isNameStart(c) && !(c >= '0' && c <= '9')) return false;
        }
        return true;
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
}
