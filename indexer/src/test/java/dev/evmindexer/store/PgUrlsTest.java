package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PgUrlsTest {

    @Test
    void redactionKeepsHostPortAndDatabaseOnly() {
        assertEquals("jdbc:postgresql://db.example:6432/indexer",
                PgUrls.redact("jdbc:postgresql://db.example:6432/indexer?user=ix&password=hunter2&sslmode=require"));
        assertEquals("jdbc:postgresql://localhost:5432/indexer", PgUrls.redact("jdbc:postgresql:indexer"));
        assertEquals("jdbc:postgresql://a:5432,b:5433/x", PgUrls.redact("jdbc:postgresql://a,b:5433/x?password=p"));
    }

    @Test
    void anAtSignInParametersIsFineButCredentialsInTheHostPartAreRefused() {
        assertEquals("db:5432", PgUrls.hostPort("jdbc:postgresql://db/x?password=p@ss"));
        String withUserInfo = "jdbc:postgresql://ix:hunter2@db:5432/x";
        assertFalse(PgUrls.isPostgresUrl(withUserInfo));
        assertFalse(PgUrls.redact(withUserInfo).contains("hunter2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PgUrls.hostPort(withUserInfo));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void otherUrlsAreNotPostgres() {
        assertFalse(PgUrls.isPostgresUrl("jdbc:mysql://db/x"));
        assertFalse(PgUrls.isPostgresUrl("postgres://db/x"));
        assertFalse(PgUrls.isPostgresUrl(null));
        assertTrue(PgUrls.isPostgresUrl("jdbc:postgresql://127.0.0.1:54329/postgres"));
    }
}
