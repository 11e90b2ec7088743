package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EndpointSpecTest {
    @Test
    void redactedKeepsSchemeHostAndPortOnly() {
        assertEquals("https://eth-mainnet.g.alchemy.com:443/…",
                new EndpointSpec("https://eth-mainnet.g.alchemy.com/v2/KEY123").redacted());
        assertEquals("http://localhost:8545", new EndpointSpec("http://localhost:8545").redacted());
        assertEquals("http://localhost:8545", new EndpointSpec("http://localhost:8545/").redacted());
        assertEquals("https://node.example:8443/…", new EndpointSpec("https://user:pw@node.example:8443").redacted());
        assertEquals("http://rpc.example:80/…", new EndpointSpec("http://rpc.example?apikey=KEY").redacted());
    }

    @Test
    void toStringNeverShowsTheKey() {
        String s = new EndpointSpec("https://mainnet.infura.io/v3/KEY123").toString();
        assertFalse(s.contains("KEY123"), s);
        assertTrue(s.contains("https://mainnet.infura.io:443/…"), s);
    }

    @Test
    void defaults() {
        EndpointSpec s = new EndpointSpec("http://localhost:8545");
        assertEquals(Duration.ofSeconds(10), s.timeout());
        assertEquals(50, s.maxBatch());
        assertEquals(2000, s.maxBlockRange());
        assertEquals(Duration.ofSeconds(10), new EndpointSpec("http://x:1", null, 5, 5).timeout());
    }

    @Test
    void refusesBadValuesWithoutEchoingTheUrl() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EndpointSpec("wss://node.example/KEY123"));
        assertTrue(e.getMessage().contains("scheme 'wss'"), e.getMessage());
        assertFalse(e.getMessage().contains("KEY123"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EndpointSpec("http://x:1/KEY123", Duration.ZERO, 5, 5));
        assertFalse(e.getMessage().contains("KEY123"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EndpointSpec("http://x:1", null, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> new EndpointSpec("http://x:1", null, 5, 0));
        e = assertThrows(IllegalArgumentException.class, () -> new EndpointSpec("http://x y/KEY123"));
        assertFalse(e.getMessage().contains("KEY123"), e.getMessage());
    }
}
