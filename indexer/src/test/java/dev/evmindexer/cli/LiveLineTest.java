package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.daemon.ChainStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo's live line: log lines replace it instead of gluing onto it; its count is of rows in the table. */
class LiveLineTest {
    @Test
    void aLogLineClearsTheDrawnLineFirstAndOnlyOnce() {
        StringWriter out = new StringWriter();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        LiveLine line = new LiveLine(new PrintWriter(out, true));
        PrintStream err = line.wrap(new PrintStream(log, true, StandardCharsets.UTF_8));
        err.print("before\n");
        line.draw("demo: head #5");
        err.print("WARN one\n");
        err.print("WARN two\n");
        line.draw("demo: head #6");
        err.print("WARN three\n");
        assertEquals("before\n" + LiveLine.CLEAR + "WARN one\nWARN two\n" + LiveLine.CLEAR + "WARN three\n",
                log.toString(StandardCharsets.UTF_8));
        assertEquals(LiveLine.CLEAR + "demo: head #5" + LiveLine.CLEAR + "demo: head #6", out.toString());
        line.end(); // a log line already ended it: nothing to add
        assertTrue(out.toString().endsWith("#6"), out.toString());
        line.draw("demo: head #7");
        line.end();
        assertTrue(out.toString().endsWith("#7" + System.lineSeparator()), out.toString());
    }

    @Test
    void theDemoCountsTheRowsInTheTableNotEveryRowEverWritten() {
        ChainStatus s = new ChainStatus("devchain");
        s.tip.set(340);
        s.blocks.set(341);
        s.rows.set(1837);
        s.rowsRolledBack.set(144);
        s.reorgs.set(9);
        String line = DemoCommand.progress(345, s, 11);
        assertTrue(line.contains("1693 events in the table"), line);
        assertTrue(line.contains("144 rows rolled back"), line);
    }
}
