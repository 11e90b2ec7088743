package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evmindexer.testsupport.Anvil;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code traffic} on a real anvil: a token deployed and the asked number of Transfer events emitted by it. */
class TrafficIT {
    private static final String TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

    @Test
    void deploysATokenAndSendsTransfersOnABlockTimeDevnet() throws Exception {
        try (Anvil anvil = Anvil.start(java.util.List.of("--block-time", "1"))) { // as scripts/anvil runs it
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "traffic", "--rpc", anvil.url(),
                    "--transactions", "3", "--transfers", "4", "--every-ms", "0");
            assertEquals(0, code, err.toString());
            Matcher m = Pattern.compile("token (0x[0-9a-f]{40}) deployed").matcher(out.toString());
            assertTrue(m.find(), out.toString());
            JsonNode logs = anvil.rpc("eth_getLogs", Map.of("fromBlock", "0x0", "toBlock", "latest", "address", m.group(1),
                    "topics", java.util.List.of(TRANSFER)));
            assertEquals(12, logs.size(), logs.toString());
        }
    }
}
