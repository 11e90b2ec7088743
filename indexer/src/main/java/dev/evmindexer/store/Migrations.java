package dev.evmindexer.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the indexer's own schema (the {@code schema/} folder, packaged as {@code db/migration}) with
 * Flyway, which serialises concurrent runs with a PostgreSQL advisory lock.
 */
public final class Migrations {
    private Migrations() {}

    /** Migrates to the newest version; returns how many migrations ran. */
    public static int migrate(DataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .schemas("indexer")
                .defaultSchema("indexer")
                .createSchemas(true)
                .loggers("slf4j")
                .load()
                .migrate();
        return result.migrationsExecuted;
    }
}
