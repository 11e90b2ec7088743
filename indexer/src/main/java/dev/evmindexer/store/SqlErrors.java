package dev.evmindexer.store;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one place that decides whether a database error is worth waiting for and retrying
 * ("the database went away or is busy") or is a bug / misconfiguration that retrying cannot fix.
 *
 * <p>Classification is by SQLState, looked up on the exception, its {@link SQLException#getNextException()
 * chain} and its causes (jOOQ and HikariCP wrap driver exceptions), so callers may pass whatever they caught.
 */
public final class SqlErrors {

    /** Why an error happened, as far as the retry decision is concerned. */
    public enum Kind {
        /** Class 08, or a pool/driver exception that says the connection is unusable. */
        CONNECTION_LOST,
        /** 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up), 57P05 idle session timeout. */
        SERVER_SHUTDOWN,
        /** Class 53: too many connections, out of memory, disk full. */
        INSUFFICIENT_RESOURCES,
        /** 57014 statement timeout / cancel, 55P03 lock not available (lock_timeout). */
        TIMEOUT,
        /** 40001 serialization failure, 40P01 deadlock: the transaction lost a race and can simply run again. */
        CONFLICT,
        /** Anything else: constraint violations, syntax errors, missing tables, authentication. Retrying will not help. */
        PERMANENT;

        public boolean isTransient() {
            return this != PERMANENT;
        }
    }

    private static final Set<String> SHUTDOWN_STATES = Set.of("57P01", "57P02", "57P03", "57P05");
    private static final Set<String> TIMEOUT_STATES = Set.of("57014", "55P03");
    private static final Set<String> CONFLICT_STATES = Set.of("40001", "40P01");

    private SqlErrors() {
    }

    /** True when waiting and retrying can succeed: every {@link Kind} except {@link Kind#PERMANENT}. */
    public static boolean isTransient(Throwable error) {
        return classify(error).isTransient();
    }

    /**
     * The most retry-friendly kind found anywhere in the error's cause and next-exception chains:
     * a constraint violation caused by a lost connection is still a lost connection.
     */
    @SuppressWarnings("ReferenceEquality") // a driver exception that lists itself as its next one ends the walk
    public static Kind classify(Throwable error) {
        Kind found = Kind.PERMANENT;
        IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = error; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (!(t instanceof SQLException sql)) {
                continue;
            }
            for (SQLException next = sql; next != null; next = next.getNextException()) {
                Kind kind = classifyOne(next);
                if (kind.compareTo(found) < 0) { // Kind is declared most retry-friendly first
                    found = kind;
                }
                if (next.getNextException() == next) {
                    break;
                }
            }
        }
        return found;
    }

    /** Classifies a bare SQLState (null when the driver gave none). */
    public static Kind classify(String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return Kind.PERMANENT;
        }
        if (sqlState.startsWith("08")) {
            return Kind.CONNECTION_LOST;
        }
        if (SHUTDOWN_STATES.contains(sqlState)) {
            return Kind.SERVER_SHUTDOWN;
        }
        if (sqlState.startsWith("53")) {
            return Kind.INSUFFICIENT_RESOURCES;
        }
        if (TIMEOUT_STATES.contains(sqlState)) {
            return Kind.TIMEOUT;
        }
        if (CONFLICT_STATES.contains(sqlState)) {
            return Kind.CONFLICT;
        }
        return Kind.PERMANENT;
    }

    private static Kind classifyOne(SQLException e) {
        Kind byState = classify(e.getSQLState());
        if (byState != Kind.PERMANENT) {
            return byState;
        }
        // HikariCP's "connection is not available, request timed out" carries no SQLState of its own,
        // and the JDBC recoverable type means "reconnect and try again" by definition.
        if (e instanceof SQLTransientConnectionException || e instanceof SQLRecoverableException) {
            return Kind.CONNECTION_LOST;
        }
        return Kind.PERMANENT;
    }

    /** Whether a unique constraint refused a write (SQLSTATE 23505) anywhere in the error's cause chain. */
    @SuppressWarnings("ReferenceEquality") // a throwable that is its own cause ends the walk
    public static boolean isUniqueViolation(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) return true;
        }
        return false;
    }
}
