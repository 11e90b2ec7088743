package dev.evmindexer.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reading PostgreSQL's {@code postmaster.pid} and deciding whether the process it names is still a server. */
final class EmbeddedPgPidFile {

    private EmbeddedPgPidFile() {
    }

    /**
     * The pid on the file's first line; empty when there is no file. A file without a readable pid (cut short
     * by a crash) yields pid 0, which names no process, so it is treated as stale.
     */
    static Optional<Long> readPid(Path pidFile) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.isEmpty()) {
            return Optional.of(0L);
        }
        try {
            return Optional.of(Long.parseLong(lines.getFirst().strip()));
        } catch (NumberFormatException e) {
            return Optional.of(0L);
        }
    }

    /**
     * True when {@code pid} is alive and is a {@code postgres} process. After a reboot or a long pause the
     * pid may belong to an unrelated program, which must be neither signalled nor waited for. Where the
     * process name cannot be read, a live pid is assumed to be the server (stopping it is then attempted
     * through pg_ctl, which only signals the pid in the file).
     */
    static boolean isRunningPostgres(long pid) {
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (isZombie(pid)) {
            return false;
        }
        Path comm = Path.of("/proc", Long.toString(pid), "comm");
        try {
            String name = Files.readString(comm, StandardCharsets.UTF_8).strip();
            return name.equals("postgres") || name.equals("postmaster");
        } catch (IOException unreadable) {
            return handle.get().info().command().map(c -> c.endsWith("/postgres")).orElse(true);
        }
    }

    /** An exited process its parent has not reaped yet (common in containers whose init does not reap). */
    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int afterName = stat.lastIndexOf(')');
            return afterName > 0 && afterName + 2 < stat.length() && stat.charAt(afterName + 2) == 'Z';
        } catch (IOException unreadable) {
            return false;
        }
    }
}
