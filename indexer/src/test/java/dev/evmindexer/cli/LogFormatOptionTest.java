package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --log-format} is accepted by every command and refuses anything but text or json. */
class LogFormatOptionTest {
    @TempDir
    Path dir;

    @Test
    void acceptedAfterAnyCommandAndValidated() throws Exception {
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, """
                chains:
                  - name: c
                    chain_id: 1
                    rpc: [http://127.0.0.1:1]
                sources:
                  - name: s
                    chain: c
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: transfers
                """);
        assertEquals(0, Main.execute("schema", "--config", cfg.toString(), "--log-format", "text"));
        assertEquals(Main.EXIT_USAGE, Main.execute("schema", "--config", cfg.toString(), "--log-format", "xml"));
    }
}
