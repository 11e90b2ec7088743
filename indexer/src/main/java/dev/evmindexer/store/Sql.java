package dev.evmindexer.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Name;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.RenderFormatting;
import org.jooq.conf.RenderKeywordCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultDataType;

/**
 * jOOQ set-up shared by the store: quiet start-up, PostgreSQL dialect, upper-case keywords, and every name made with
 * {@link DSL#name} quoted (names from configs and ABIs are never trusted raw); the indexer's own fixed names are made
 * with {@link DSL#unquotedName} and render as written. Statements built with jOOQ run through {@link #execute} and
 * {@link #fetch} on the caller's connection, so transactions stay the caller's ({@link #inTransaction}), and fail with
 * the driver's {@link SQLException} like hand-written ones (ARCHITECTURE.md, where SQL is hand-written and why).
 */
final class Sql {
    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    private static final Settings SETTINGS = new Settings().withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_QUOTED)
            .withRenderKeywordCase(RenderKeywordCase.UPPER).withExecuteLogging(false);

    /** As {@link #SETTINGS}, one clause or column per line: the DDL the {@code schema} command prints. */
    private static final Settings PRINTED = ((Settings) SETTINGS.clone()).withRenderFormatted(true)
            .withRenderFormatting(new RenderFormatting().withIndentation("    "));

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

    /** An event table (or any relation named from a config), schema-qualified and quoted. */
    static Table<Record> table(String schema, String name) {
        return DSL.table(DSL.name(schema, name));
    }

    /**
     * A PostgreSQL type by the name the indexer spells it ({@code int8}, {@code numeric(78,0)[]}, ...), rendered as
     * written: the spelling is part of a table's definition hash and of what {@code schema} prints.
     */
    static DataType<Object> type(String postgresName) {
        return DefaultDataType.getDefaultDataType(SQLDialect.POSTGRES, postgresName);
    }

    /** {@code q} as SQL text with its values inlined, one clause or column per line. */
    static String render(Query q) {
        return DSL.using(SQLDialect.POSTGRES, PRINTED).renderInlined(q);
    }

    /** Runs {@code q} on {@code c} (in its transaction, if any); returns the rows it changed. */
    static int execute(Connection c, Query q) throws SQLException {
        try {
            return dsl(c).execute(q);
        } catch (DataAccessException e) {
            throw driverError(e);
        }
    }

    /** Runs {@code q} on {@code c} (in its transaction, if any) and reads all its rows. */
    static <R extends Record> Result<R> fetch(Connection c, ResultQuery<R> q) throws SQLException {
        try {
            return dsl(c).fetch(q);
        } catch (DataAccessException e) {
            throw driverError(e);
        }
    }

    /** The driver's exception jOOQ wrapped, so callers see what a hand-written statement would have thrown. */
    private static SQLException driverError(DataAccessException e) {
        if (e.getCause() instanceof SQLException s) return s;
        throw e;
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
