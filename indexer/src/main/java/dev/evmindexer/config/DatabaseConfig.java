package dev.evmindexer.config;

import java.util.Objects;

/**
 * Where the data goes.
 *
 * @param url      a JDBC URL ({@code jdbc:postgresql://host:port/db}), or {@code null} for the embedded
 *                 PostgreSQL with its data under {@code .indexer/}. May hold credentials: log it through
 *                 {@link Secrets#redactUrl}.
 * @param schema   schema of the event tables (the indexer's own tables live in {@code indexer})
 * @param user     user for a URL without credentials, or {@code null}
 * @param password password for a URL without credentials, or {@code null}; never log it
 * @param poolSize maximum connections in the pool
 * @param dataDir  {@code database.data_dir} as written (relative to the config file's directory), or {@code null}:
 *                 where the embedded server keeps its data
 */
public record DatabaseConfig(String url, String schema, String user, String password, int poolSize, String dataDir) {
    public static final String DEFAULT_SCHEMA = "public";
    public static final int DEFAULT_POOL_SIZE = 8;
    /** The indexer's own tables; event tables may not go there. */
    public static final String INDEXER_SCHEMA = "indexer";

    public DatabaseConfig {
        Objects.requireNonNull(schema, "schema");
        if (poolSize < 1) throw new IllegalArgumentException("poolSize must be >= 1, got " + poolSize);
    }

    /** Without {@code data_dir}. */
    public DatabaseConfig(String url, String schema, String user, String password, int poolSize) {
        this(url, schema, user, password, poolSize, null);
    }

    /** The embedded server with default settings. */
    public static DatabaseConfig embeddedDefaults() {
        return new DatabaseConfig(null, DEFAULT_SCHEMA, null, null, DEFAULT_POOL_SIZE);
    }

    /** True when no URL is configured: the embedded PostgreSQL is used. */
    public boolean embedded() {
        return url == null;
    }

    /** Never prints the password or the URL's secrets. */
    @Override
    public String toString() {
        return "DatabaseConfig[" + (embedded() ? "embedded" : Secrets.redactUrl(url)) + ", schema=" + schema
                + ", user=" + user + ", password=" + (password == null ? "none" : "***") + ", poolSize=" + poolSize + (dataDir == null ? "" : ", dataDir=" + dataDir) + "]";
    }
}
