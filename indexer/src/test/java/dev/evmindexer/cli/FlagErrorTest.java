package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A bad flag is one line {@code error: ...} with exit 2, naming the flag and where help is; no usage dump. */
class FlagErrorTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void unknownAndMissingFlagsAreOneLine() {
        String[] r = run("backfill", "--config", "x.yaml", "--from", "1", "--to", "2", "--bogus");
        assertEquals("2", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].startsWith("error: ") && r[2].contains("--bogus") && r[2].contains("indexer backfill --help"), r[2]);
        assertEquals("", r[1]);

        r = run("rollback", "--config", "x.yaml");
        assertEquals("2", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].startsWith("error: Missing required option"), r[2]);

        r = run("no-such-command");
        assertEquals("2", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("indexer --help"), r[2]);
    }
}
