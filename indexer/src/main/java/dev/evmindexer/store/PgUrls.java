package dev.evmindexer.store;

import java.util.Properties;
import org.postgresql.Driver;

/**
 * What of a PostgreSQL JDBC URL may be shown to an operator: hosts, ports and database name.
 * Query parameters (which may carry {@code password=...}, {@code sslpassword=...}) and any
 * {@code user:password@} part are never reproduced.
 */
public final class PgUrls {

    private static final String PREFIX = "jdbc:postgresql:";

    private PgUrls() {
    }

    /** {@code jdbc:postgresql://host:port[,host:port]/database}, or a placeholder for a URL that does not parse. */
    public static String redact(String jdbcUrl) {
        Properties parsed = parse(jdbcUrl);
        if (parsed == null) {
            return "<unparsable PostgreSQL JDBC URL>";
        }
        return "jdbc:postgresql://" + hostPorts(parsed) + "/" + parsed.getProperty("PGDBNAME", "");
    }

    /** {@code host:port} (comma-separated for multi-host URLs); throws for a URL that is not a PostgreSQL one. */
    public static String hostPort(String jdbcUrl) {
        Properties parsed = parse(jdbcUrl);
        if (parsed == null) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL (expected jdbc:postgresql://host:port/database): "
                    + redact(jdbcUrl));
        }
        return hostPorts(parsed);
    }

    /** True when pgjdbc accepts the URL. */
    public static boolean isPostgresUrl(String jdbcUrl) {
        return parse(jdbcUrl) != null;
    }

    private static Properties parse(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith(PREFIX) || authority(jdbcUrl).contains("@")) {
            // pgjdbc has no user-info syntax; an '@' there means a libpq-style URL with credentials was pasted.
            return null;
        }
        return Driver.parseURL(jdbcUrl, new Properties());
    }

    private static String authority(String jdbcUrl) {
        String rest = jdbcUrl.substring(PREFIX.length());
        if (!rest.startsWith("//")) {
            return "";
        }
        rest = rest.substring(2);
        int end = rest.length();
        for (char stop : new char[] {'/', '?'}) {
            int at = rest.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return rest.substring(0, end);
    }

    private static String hostPorts(Properties parsed) {
        String[] hosts = parsed.getProperty("PGHOST", "localhost").split(",", -1);
        String[] ports = parsed.getProperty("PGPORT", "5432").split(",", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < hosts.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(hosts[i]).append(':').append(i < ports.length ? ports[i] : ports[ports.length - 1]);
        }
        return out.toString();
    }
}
