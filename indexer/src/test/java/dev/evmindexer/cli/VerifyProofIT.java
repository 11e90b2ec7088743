package dev.evmindexer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.cli.VerifyIT.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --proof} against the devchain (real receipts and roots) and a real PostgreSQL: the stored rows are
 * compared with logs from receipts proven against each block's header; every block proves, a deleted row is found.
 * (A block whose receipts do not prove is reported: {@code rpc/ReceiptProofsTest.provenRangeReportsEachBlockThatDoesNotProve}.)
 */
class VerifyProofIT {
    @TempDir
    Path dir;

    @Test
    void comparesTheTableWithProvenLogs() throws Exception {
        try (DevIndexing dev = DevIndexing.start(dir, 120, 4); Wiring w = dev.open("verify proof test")) {
            var daemon = RunCommand.start(w);
            try {
                dev.awaitTip();
            } finally {
                daemon.requestStop();
                daemon.close();
            }
            long head = dev.chain.head();
            long rows = dev.scalar("SELECT count(*) FROM transfers");
            String cfg = dev.config.toString();
            String to = Long.toString(head);

            Run clean = VerifyIT.cli("verify", "--config", cfg, "--from", "0", "--to", to, "--proof");
            assertEquals(0, clean.code(), clean.out());
            assertTrue(clean.out().contains(rows + " rows on the node, " + rows + " in the tables, 0 differing"), clean.out());
            assertTrue(clean.out().contains("receipts proven in " + (head + 1) + " block(s), 0 did not prove"), clean.out());

            long deleted = dev.scalar("SELECT min(block_number) FROM transfers WHERE block_number > 30");
            dev.execute("DELETE FROM transfers WHERE block_number = " + deleted);
            Run found = VerifyIT.cli("verify", "--config", cfg, "--from", "0", "--to", to, "--proof");
            assertEquals(VerifyCommand.EXIT_DIFFERENT, found.code(), found.out());
            assertTrue(found.out().contains("1 differing block(s)"), found.out());
            assertTrue(found.out().contains("block #" + deleted + " public.transfers: log "), found.out());
            assertTrue(found.out().contains("missing from the table"), found.out());
        }
    }
}
