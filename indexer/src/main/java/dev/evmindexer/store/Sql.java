package dev.evmindexer.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/** jOOQ set-up shared by the store: quiet start-up, PostgreSQL dialect, always-quoted identifiers. */
final class Sql {
    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    private static final Settings SETTINGS = new Settings().withRenderQuotedNames(RenderQuotedNames.ALWAYS)
            .withExecuteLogging(false);

    private Sql() {}

    static DSLContext dsl(Connection c) {
        return DSL.using(c, SQLDialect.POSTGRES, SETTINGS);
    }

    /** A schema-qualified identifier, always quoted: names from configs and ABIs are never trusted raw. */
    static String qualified(String schema, String table) {
        return DSL.using(SQLDialect.POSTGRES, SETTINGS).render(DSL.name(schema, table));
    }

    static String quoted(String identifier) {
        Name n = DSL.name(identifier);
        return DSL.using(SQLDialect.POSTGRES, SETTINGS).render(n);
    }

    /** Work done in one transaction on one connection. */
    interface TxWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction; rolls back on any failure and rethrows it. */
    static <T> T inTransaction(DataSource ds, TxWork<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Throwable t) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    t.addSuppressed(suppressed);
                }
                throw t;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }
}
