package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.daemon.Daemon;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} against the devchain and a real PostgreSQL, while the daemon keeps running: it finds a
 * row deleted by hand and rows altered by hand (below and above the finalized block), names them, exits
 * non-zero; {@code --repair} rewrites exactly those blocks and a second {@code verify} finds them equal.
 */
class VerifyIT {
    @TempDir
    Path dir;

    record Run(int code, String out) {}

    static Run cli(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void findsDeletedAndAlteredRowsAndRepairFixesThemBesideARunningDaemon() throws Exception {
        try (DevIndexing dev = DevIndexing.start(dir, 200, 6); Wiring w = dev.open("verify test daemon")) {
            Daemon daemon = RunCommand.start(w);
            try {
                dev.awaitTip();
                long head = dev.chain.head();
                long f = dev.scalar("SELECT finalized FROM indexer.chains");
                long rows = dev.scalar("SELECT count(*) FROM transfers");
                String cfg = dev.config.toString();
                String to = Long.toString(head);

                Run clean = cli("verify", "--config", cfg, "--from", "0", "--to", to);
                assertEquals(0, clean.code(), clean.out());
                assertTrue(clean.out().contains(rows + " rows on the node, " + rows + " in the tables, 0 differing"), clean.out());

                long deleted = dev.scalar("SELECT min(block_number) FROM transfers WHERE block_number > 20");
                dev.execute("DELETE FROM transfers WHERE block_number = " + deleted + " AND log_index = "
                        + "(SELECT min(log_index) FROM transfers WHERE block_number = " + deleted + ")");
                long altered = dev.scalar("SELECT min(block_number) FROM transfers WHERE block_number > 100");
                dev.execute("UPDATE transfers SET value = value + 1 WHERE block_number = " + altered);
                long tipAltered = dev.scalar("SELECT max(block_number) FROM transfers");
                assertTrue(tipAltered > f, "a block above the finalized block #" + f);
                dev.execute("UPDATE transfers SET block_hash = '\\x00'::bytea WHERE block_number = " + tipAltered);

                Run found = cli("verify", "--config", cfg, "--from", "0", "--to", to);
                assertEquals(VerifyCommand.EXIT_DIFFERENT, found.code(), found.out());
                assertTrue(found.out().contains("3 differing block(s)"), found.out());
                assertTrue(found.out().contains("block #" + deleted + " public.transfers: log "), found.out());
                assertTrue(found.out().contains("missing from the table"), found.out());
                assertTrue(found.out().contains("block #" + altered + " public.transfers: log "), found.out());
                assertTrue(found.out().contains("differs in value"), found.out());
                assertTrue(found.out().contains("block #" + tipAltered + " public.transfers: log "), found.out());
                assertTrue(found.out().contains("differs in block_hash"), found.out());
                assertEquals(rows - 1, dev.scalar("SELECT count(*) FROM transfers"), "verify alone writes nothing");

                long outboxBefore = dev.scalar("SELECT count(*) FROM indexer.outbox");
                Run repaired = cli("verify", "--config", cfg, "--from", "0", "--to", to, "--repair");
                assertEquals(0, repaired.code(), repaired.out());
                assertTrue(repaired.out().contains("repaired 3 of 3 differing block(s)"), repaired.out());
                assertEquals(rows, dev.scalar("SELECT count(*) FROM transfers"));
                assertTrue(dev.scalar("SELECT count(*) FROM indexer.outbox") >= outboxBefore + 3,
                        "each repaired run announces a commit");

                Run again = cli("verify", "--config", cfg, "--from", "0", "--to", to);
                assertEquals(0, again.code(), again.out());
                assertTrue(again.out().contains("EQUAL"), again.out());
            } finally {
                daemon.requestStop();
                daemon.close();
            }
        }
    }
}
