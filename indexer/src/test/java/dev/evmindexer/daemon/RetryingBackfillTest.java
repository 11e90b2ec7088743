package dev.evmindexer.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.store.StoreException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class RetryingBackfillTest {
    @Test
    void databaseErrorsNoWaitFixesEndABackfillAndOutagesDoNot() {
        assertTrue(RetryingBackfill.permanentInDatabase(new StoreException(new SQLException("no table", "42P01"))),
                "a table dropped by hand");
        assertTrue(RetryingBackfill.permanentInDatabase(new SQLException("denied", "42501")), "no privilege");
        assertTrue(RetryingBackfill.permanentInDatabase(new SQLException("auth", "28P01")), "a wrong password");
        assertFalse(RetryingBackfill.permanentInDatabase(new SQLException("gone", "08006")), "connection lost");
        assertFalse(RetryingBackfill.permanentInDatabase(new SQLException("locked", "55P03")), "lock not available");
        assertFalse(RetryingBackfill.permanentInDatabase(new SQLException("shutdown", "57P01")), "admin shutdown");
        assertFalse(RetryingBackfill.permanentInDatabase(new RuntimeException("no SQL in it")));
    }
}
