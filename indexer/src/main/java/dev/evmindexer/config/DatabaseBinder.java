package dev.evmindexer.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code database} section. The URL may be a JDBC URL or a libpq-style {@code postgres://} URL
 * (what hosting providers put in {@code DATABASE_URL}); the latter becomes a JDBC URL with its
 * credentials moved to {@code user} and {@code password}.
 */
final class DatabaseBinder {
    static final List<String> KEYS = List.of("url", "schema", "user", "password", "pool_size", "data_dir");
    static final int MAX_POOL_SIZE = 1000;

    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)[?&;]password=");

    private DatabaseBinder() {}

    static DatabaseConfig bind(Optional<Tree> section) throws ConfigException {
        if (section.isEmpty()) return DatabaseConfig.embeddedDefaults();
        Mapping m = section.get().mapping(KEYS);
        String schema = DatabaseConfig.DEFAULT_SCHEMA;
        Optional<Tree> schemaTree = m.get("schema");
        if (schemaTree.isPresent()) schema = schema(schemaTree.get());
        String user = text(m, "user");
        String password = text(m, "password");
        int poolSize = DatabaseConfig.DEFAULT_POOL_SIZE;
        Optional<Tree> pool = m.get("pool_size");
        if (pool.isPresent()) poolSize = pool.get().integer(1, MAX_POOL_SIZE);

        String dataDir = null;
        Optional<Tree> dir = m.get("data_dir");
        if (dir.isPresent()) {
            dataDir = dir.get().text().strip();
            if (dataDir.isEmpty() || dataDir.indexOf('\0') >= 0) {
                throw dir.get().error("expected a directory for the embedded PostgreSQL's data (relative to the config"
                        + " file's directory, or absolute), got " + Tree.show(dataDir));
            }
        }
        Optional<Tree> urlTree = m.get("url");
        if (urlTree.isEmpty()) return new DatabaseConfig(null, schema, user, password, poolSize, dataDir);
        Tree t = urlTree.get();
        String url = t.text().strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            if (password != null && PASSWORD_PARAM.matcher(url).find()) {
                throw t.error("has a password parameter and database.password is set too: keep one");
            }
            return new DatabaseConfig(url, schema, user, password, poolSize, dataDir);
        }
        if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
            return fromLibpq(t, url, schema, user, password, poolSize, dataDir);
        }
        throw t.error("expected a JDBC URL (jdbc:postgresql://host:port/db) or a postgres://user@host:port/db URL,"
                + " got " + Secrets.redactUrl(url));
    }

    private static String schema(Tree t) throws ConfigException {
        String schema = Identifiers.sql(t);
        if (schema.equals(DatabaseConfig.INDEXER_SCHEMA)) {
            throw t.error("schema \"indexer\" is reserved for the indexer's own tables; choose another one");
        }
        if (schema.startsWith("pg_")) throw t.error("schema names starting with pg_ are reserved by PostgreSQL");
        if (schema.equals("information_schema")) throw t.error("schema \"information_schema\" is PostgreSQL's own");
        return schema;
    }

    private static String text(Mapping m, String key) throws ConfigException {
        Optional<Tree> t = m.get(key);
        return t.isEmpty() ? null : t.get().text();
    }

    /** {@code postgres://user:pass@host:port/db?params} to a JDBC URL plus credentials. */
    private static DatabaseConfig fromLibpq(Tree t, String url, String schema, String user, String password,
                                            int poolSize, String dataDir) throws ConfigException {
        String rest = url.substring(url.indexOf("://") + 3);
        int fragment = rest.indexOf('#');
        if (fragment >= 0) rest = rest.substring(0, fragment);
        int authorityEnd = indexOfAny(rest, "/?");
        String authority = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
        String after = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
        int at = authority.lastIndexOf('@');
        String hostPort = authority.substring(at + 1);
        if (hostPort.isEmpty()) hostPort = "localhost";
        if (at >= 0) {
            String userinfo = authority.substring(0, at);
            int colon = userinfo.indexOf(':');
            String urlUser = decode(t, colon < 0 ? userinfo : userinfo.substring(0, colon));
            String urlPassword = colon < 0 ? null : decode(t, userinfo.substring(colon + 1));
            if (!urlUser.isEmpty()) {
                if (user != null) throw t.error("has a user and database.user is set too: keep one");
                user = urlUser;
            }
            if (urlPassword != null && !urlPassword.isEmpty()) {
                if (password != null) throw t.error("has a password and database.password is set too: keep one");
                password = urlPassword;
            }
        }
        return new DatabaseConfig("jdbc:postgresql://" + hostPort + after, schema, user, password, poolSize, dataDir);
    }

    /** Percent-decoding as in URLs ({@code +} stays a plus); never echoes the input, it is a credential. */
    private static String decode(Tree t, String s) throws ConfigException {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw t.error("bad percent-encoding in the user or password of the URL");
        }
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) return i;
        }
        return -1;
    }
}
