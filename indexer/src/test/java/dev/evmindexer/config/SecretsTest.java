package dev.evmindexer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://eth-mainnet.g.alchemy.com/v2/KEY        | https://eth-mainnet.g.alchemy.com/…",
            "https://mainnet.infura.io/v3/KEY?x=1#frag       | https://mainnet.infura.io/…",
            "https://user:KEY@node.example:8443             | https://node.example:8443/…",
            "https://node.example:8443/?apikey=KEY          | https://node.example:8443/…",
            "http://127.0.0.1:8545                          | http://127.0.0.1:8545",
            "http://127.0.0.1:8545/                         | http://127.0.0.1:8545",
            "wss://KEY@ws.example/                          | wss://ws.example/…",
            "jdbc:postgresql://host:5432/db?password=x      | jdbc:postgresql://host:5432/db",
            "jdbc:postgresql://u:p@host:5432/db;ssl=true    | jdbc:postgresql://host:5432/db",
            "jdbc:postgresql://h1:5432,h2:5433/db?user=u    | jdbc:postgresql://h1:5432,h2:5433/db",
            "jdbc:postgresql:mydb?password=x                | jdbc:postgresql:mydb",
            "jdbc:postgresql:u:p@host                       | jdbc:postgresql:…",
            "postgres://app:pw@db.example:5433/prod?ssl=1   | postgres://db.example:5433/prod",
            "postgresql://localhost                         | postgresql://localhost",
            "KEYWITHOUTSCHEME                               | <not a URL, redacted>",
            "'  https://a.example/KEY  '                    | https://a.example/…",
    })
    void redactsUrls(String url, String expected) {
        assertEquals(expected, Secrets.redactUrl(url));
    }

    @Test
    void nullIsSafe() {
        assertEquals("null", Secrets.redactUrl(null));
    }

    @Test
    void configRecordsDoNotPrintSecrets() {
        RpcEndpointConfig rpc = new RpcEndpointConfig("https://eth.example/v2/KEY", OptionalDouble.of(5),
                OptionalInt.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty(), Optional.of(Duration.ofSeconds(1)),
                1, 3);
        assertEquals("https://eth.example/…", rpc.redacted());
        assertFalse(rpc.toString().contains("KEY"), rpc.toString());

        DatabaseConfig db = new DatabaseConfig("jdbc:postgresql://h/db?password=PW1", "public", "u", "PW2", 8);
        assertFalse(db.toString().contains("PW1"), db.toString());
        assertFalse(db.toString().contains("PW2"), db.toString());
    }
}
