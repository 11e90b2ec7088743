package dev.evmindexer.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogLayoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode layout(String pattern, Object... args) throws Exception {
        LoggerContext ctx = new LoggerContext();
        LoggingEvent e = new LoggingEvent("x", ctx.getLogger("dev.evmindexer.pipeline.WalkBack"), Level.WARN, pattern, null, args);
        String line = new JsonLogLayout().doLayout(e);
        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
        return JSON.readTree(line);
    }

    @Test
    void aShortKeyAndItsPairsBecomeFields() throws Exception {
        JsonNode j = layout("reorg chain={} ancestor=#{} depth={} reason=\"{}\"", "mainnet", 100, 2, "a \"quoted\" cause");
        assertEquals("reorg", j.get("event").asText());
        assertEquals("mainnet", j.get("chain").asText());
        assertEquals("#100", j.get("ancestor").asText());
        assertEquals("2", j.get("depth").asText());
        assertEquals("a \"quoted\" cause", j.get("reason").asText());
        assertEquals("WARN", j.get("level").asText());
        assertEquals("WalkBack", j.get("logger").asText());
        assertTrue(j.get("msg").asText().startsWith("reorg chain=mainnet ancestor=#100"));
        assertTrue(j.get("ts").asText().endsWith("Z"));
    }

    @Test
    void proseKeepsOnlyTheMessageAndPairsCannotOverrideReservedFields() throws Exception {
        JsonNode prose = layout("Database pool '{}' open", "db");
        assertEquals(null, prose.get("event"));
        assertEquals("Database pool 'db' open", prose.get("msg").asText());
        assertEquals(Map.of("event", "halt", "chain", "x"), JsonLogLayout.parse("halt chain=x level=DEBUG"));
        assertEquals(Map.of("event", "range.done"), JsonLogLayout.parse("range.done"));
    }

    @Test
    void unquotedValuesWithSpacesAreKeptWhole() throws Exception {
        JsonNode j = layout("anchor chain={} block={} fetchers={}", "dev", "#212(0xe5db6dba parent 0x1c2d3e4f)", 2);
        assertEquals("#212(0xe5db6dba parent 0x1c2d3e4f)", j.get("block").asText());
        assertEquals("dev", j.get("chain").asText());
        assertEquals("2", j.get("fetchers").asText());
        assertEquals(Map.of("event", "range.setup", "chain", "a b", "unit_blocks", "2000"),
                JsonLogLayout.parse("range.setup chain=a b unit_blocks=2000"));
        assertEquals(Map.of("event", "replan", "cause", "x=1 inside quotes", "n", "3"),
                JsonLogLayout.parse("replan cause=\"x=1 inside quotes\" n=3"));
    }

    @Test
    void theFatalLineIsOneJsonObject() throws Exception {
        String line = JsonLogLayout.fatal("error: config c.yaml:3: chains[0].chain_id: expected an \"integer\"");
        assertTrue(!line.contains("\n"), line);
        JsonNode j = JSON.readTree(line);
        assertEquals("ERROR", j.get("level").asText());
        assertEquals("error", j.get("event").asText());
        assertEquals("error: config c.yaml:3: chains[0].chain_id: expected an \"integer\"", j.get("msg").asText());
    }

    @Test
    void controlCharactersAreEscaped() throws Exception {
        JsonNode j = layout("step.failed cause=\"{}\"", "line1\nline2\ttab\u0001");
        assertEquals("line1\nline2\ttab\u0001", j.get("cause").asText());
    }
}
