package dev.evmindexer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPgPidFileTest {

    @TempDir
    Path dir;

    @Test
    void readsTheFirstLineAndTreatsDamagedFilesAsNamingNoProcess() throws Exception {
        Path pidFile = dir.resolve("postmaster.pid");
        assertEquals(Optional.empty(), EmbeddedPgPidFile.readPid(pidFile));
        Files.writeString(pidFile, "4242\n/data\n1700000000\n54329\n");
        assertEquals(Optional.of(4242L), EmbeddedPgPidFile.readPid(pidFile));
        Files.writeString(pidFile, "");
        assertEquals(Optional.of(0L), EmbeddedPgPidFile.readPid(pidFile));
        Files.writeString(pidFile, "garbage\n");
        assertEquals(Optional.of(0L), EmbeddedPgPidFile.readPid(pidFile));
    }

    @Test
    void onlyALivePostgresProcessCounts() throws Exception {
        assertFalse(EmbeddedPgPidFile.isRunningPostgres(0));
        assertFalse(EmbeddedPgPidFile.isRunningPostgres(ProcessHandle.current().pid()), "a JVM reusing the pid");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            assertTrue(sleeper.isAlive());
            assertFalse(EmbeddedPgPidFile.isRunningPostgres(sleeper.pid()), "a live non-postgres process");
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
        assertFalse(EmbeddedPgPidFile.isRunningPostgres(sleeper.pid()), "a dead process");
    }
}
