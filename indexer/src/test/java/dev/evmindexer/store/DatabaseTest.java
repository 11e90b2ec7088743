package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DatabaseTest {

    @Test
    void refusesServersOlderThan14WithAMessageNamingTheServer() {
        SQLFeatureNotSupportedException e = assertThrows(SQLFeatureNotSupportedException.class,
                () -> Database.requireSupportedVersion(130004, "13.4", "db.example:5432"));
        assertEquals("PostgreSQL 14 or newer is required (multiranges); server at db.example:5432 is 13.4",
                e.getMessage());
        assertFalse(Database.isConnectionLoss(e), "an old server is not worth waiting for");
    }

    @Test
    void acceptsFourteenAndNewer() {
        assertDoesNotThrow(() -> Database.requireSupportedVersion(140000, "14.0", "h:1"));
        assertDoesNotThrow(() -> Database.requireSupportedVersion(170006, "17.6", "h:1"));
    }

    @Test
    void validatesArgumentsBeforeTouchingTheNetwork() {
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> Database.open("jdbc:mysql://db/x?password=hunter2", "u", "p", 2, "t", Duration.ZERO));
        assertTrue(url.getMessage().startsWith("database URL must look like jdbc:postgresql://"), url.getMessage());
        assertFalse(url.getMessage().contains("hunter2"), url.getMessage());
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class,
                () -> Database.open("jdbc:postgresql://db/x", "u", "p", 0, "t", Duration.ZERO));
        assertEquals("database pool size must be at least 1, got 0", pool.getMessage());
    }
}
