package dev.evmindexer.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redaction of values that may carry credentials, for logs and error messages.
 *
 * <p>RPC URLs routinely carry an API key in the path ({@code /v2/KEY}), the query or the userinfo, so
 * only the scheme, host and port survive. Database URLs keep the database name too (it is what an
 * operator needs to recognise the target), but never the user, password or parameters.
 */
public final class Secrets {
    /** What is shown in place of a value that does not even look like a URL: it may be a bare key. */
    public static final String UNPARSEABLE = "<not a URL, redacted>";

    private static final String ELLIPSIS = "…";
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):");

    private Secrets() {}

    /**
     * {@code https://eth-mainnet.g.alchemy.com/v2/KEY -> https://eth-mainnet.g.alchemy.com/…};
     * {@code jdbc:postgresql://u:p@host:5432/db?password=x -> jdbc:postgresql://host:5432/db}.
     * Userinfo, path, query and fragment are dropped (an ellipsis marks that something was);
     * database URLs ({@code jdbc:*}, {@code postgres://}, {@code postgresql://}) keep their
     * database name and get no ellipsis. Never throws; {@code null} gives {@code "null"}.
     */
    public static String redactUrl(String url) {
        if (url == null) return "null";
        String s = url.strip();
        String jdbc = "";
        if (s.regionMatches(true, 0, "jdbc:", 0, 5)) {
            jdbc = s.substring(0, 5);
            s = s.substring(5);
        }
        Matcher m = SCHEME.matcher(s);
        if (!m.lookingAt()) return UNPARSEABLE;
        String scheme = jdbc + m.group(1);
        String rest = s.substring(m.end());
        boolean database = !jdbc.isEmpty() || isPostgresScheme(m.group(1));

        if (!rest.startsWith("//")) {
            // Opaque form, e.g. jdbc:postgresql:mydb?password=x. Only a database name is worth keeping.
            String db = cutAt(rest, "?;#/");
            boolean plainName = database && indexOfAny(db, "@:") < 0;
            return scheme + ":" + (plainName ? db : ELLIPSIS);
        }
        rest = rest.substring(2);
        int authorityEnd = indexOfAny(rest, "/?#");
        String authority = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
        String after = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
        int at = authority.lastIndexOf('@');
        boolean hadUserinfo = at >= 0;
        String hostPort = authority.substring(at + 1);

        if (database) {
            String db = after.startsWith("/") ? "/" + cutAt(after.substring(1), "/?;#") : "";
            return scheme + "://" + hostPort + db;
        }
        boolean dropped = hadUserinfo || !(after.isEmpty() || after.equals("/"));
        return scheme + "://" + hostPort + (dropped ? "/" + ELLIPSIS : "");
    }

    private static boolean isPostgresScheme(String scheme) {
        String lower = scheme.toLowerCase(Locale.ROOT);
        return lower.equals("postgres") || lower.equals("postgresql");
    }

    private static String cutAt(String s, String stops) {
        int i = indexOfAny(s, stops);
        return i < 0 ? s : s.substring(0, i);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) return i;
        }
        return -1;
    }
}
