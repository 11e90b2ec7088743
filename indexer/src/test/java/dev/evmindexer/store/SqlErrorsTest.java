package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "08000, CONNECTION_LOST", "08001, CONNECTION_LOST", "08003, CONNECTION_LOST", "08006, CONNECTION_LOST",
            "57P01, SERVER_SHUTDOWN", "57P02, SERVER_SHUTDOWN", "57P03, SERVER_SHUTDOWN", "57P05, SERVER_SHUTDOWN",
            "53000, INSUFFICIENT_RESOURCES", "53100, INSUFFICIENT_RESOURCES", "53200, INSUFFICIENT_RESOURCES",
            "53300, INSUFFICIENT_RESOURCES",
            "57014, TIMEOUT", "55P03, TIMEOUT",
            "40001, CONFLICT", "40P01, CONFLICT",
            "23505, PERMANENT", "42601, PERMANENT", "42P01, PERMANENT", "28P01, PERMANENT", "3D000, PERMANENT",
            "57000, PERMANENT", "55000, PERMANENT", "XX000, PERMANENT", "0A000, PERMANENT"})
    void classifiesBySqlState(String state, SqlErrors.Kind expected) {
        assertEquals(expected, SqlErrors.classify(new SQLException("x", state)));
        assertEquals(expected.isTransient(), Database.isConnectionLoss(new SQLException("x", state)));
    }

    @Test
    void noOrMalformedStateIsPermanent() {
        assertEquals(SqlErrors.Kind.PERMANENT, SqlErrors.classify(new SQLException("no state")));
        assertEquals(SqlErrors.Kind.PERMANENT, SqlErrors.classify(new SQLException("short", "08")));
    }

    @Test
    void poolTimeoutsAndRecoverableExceptionsAreConnectionLoss() {
        assertTrue(SqlErrors.isTransient(new SQLTransientConnectionException("pool - Connection is not available")));
        assertTrue(SqlErrors.isTransient(new SQLRecoverableException("reconnect")));
    }

    @Test
    void looksThroughWrappersAndNextExceptions() {
        RuntimeException wrapped = new RuntimeException("jOOQ-style wrapper", new SQLException("gone", "08006"));
        assertEquals(SqlErrors.Kind.CONNECTION_LOST, SqlErrors.classify(wrapped));

        SQLException batch = new SQLException("Batch entry 0 was aborted", "23505");
        batch.setNextException(new SQLException("server closed the connection", "57P01"));
        assertEquals(SqlErrors.Kind.SERVER_SHUTDOWN, SqlErrors.classify(batch));

        assertFalse(SqlErrors.isTransient(new IllegalStateException("no SQL anywhere")));
    }

    @Test
    void survivesCyclicCauses() {
        SQLException a = new SQLException("a", "23505");
        SQLException b = new SQLException("b", "23505", a);
        a.initCause(b);
        assertEquals(SqlErrors.Kind.PERMANENT, SqlErrors.classify(a));
    }
}
