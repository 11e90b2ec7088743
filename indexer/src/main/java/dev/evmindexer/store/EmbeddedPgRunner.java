package dev.evmindexer.store;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the PostgreSQL programs ({@code initdb}, {@code pg_ctl}) as the right operating-system user.
 *
 * <p>PostgreSQL refuses to run as root. When this JVM is root, every program runs through
 * {@code runuser -u nobody --} and the data directory is handed to {@code nobody}; otherwise programs run
 * as the current user, unchanged.
 */
final class EmbeddedPgRunner {

    /** The unprivileged account the server runs under when the JVM is root: it exists on every Linux system. */
    static final String SERVICE_USER = "nobody";

    private static final List<Path> RUNUSER_LOCATIONS =
            List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser"), Path.of("/usr/bin/runuser"));

    /** What a finished program printed (stdout and stderr together) and how it exited. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private final Path binDir;
    private final Path runuser; // null: run as the current user

    private EmbeddedPgRunner(Path binDir, Path runuser) {
        this.binDir = binDir;
        this.runuser = runuser;
    }

    static EmbeddedPgRunner forCurrentUser(Path installDir) {
        Path bin = installDir.resolve("bin");
        if (!isRoot()) {
            return new EmbeddedPgRunner(bin, null);
        }
        Path runuser = RUNUSER_LOCATIONS.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("the embedded PostgreSQL cannot run as root and runuser(1)"
                        + " was not found to run it as '" + SERVICE_USER + "': run the indexer as a non-root user,"
                        + " install util-linux, or configure a database URL"));
        return new EmbeddedPgRunner(bin, runuser);
    }

    static boolean isRoot() {
        return new UnixSystem().getUid() == 0;
    }

    /** The OS user the server runs as. */
    String osUser() {
        return runuser == null ? System.getProperty("user.name") : SERVICE_USER;
    }

    /**
     * Prepares {@code dir} for the server's user: when running as root, checks that {@code nobody} can reach it
     * (every parent directory searchable by others) and gives the whole tree to {@code nobody}.
     */
    void prepareDataDir(Path dir) throws IOException {
        if (runuser == null) {
            return;
        }
        for (Path parent = dir.getParent(); parent != null; parent = parent.getParent()) {
            PosixFileAttributes attrs = Files.readAttributes(parent, PosixFileAttributes.class);
            boolean searchable = attrs.permissions().contains(PosixFilePermission.OTHERS_EXECUTE)
                    || attrs.owner().getName().equals(SERVICE_USER);
            if (!searchable) {
                throw new IllegalStateException("the embedded PostgreSQL runs as user '" + SERVICE_USER
                        + "' (PostgreSQL refuses to run as root), which cannot reach " + dir + ": " + parent
                        + " is not searchable by other users. Put the data directory elsewhere, run 'chmod o+x "
                        + parent + "', run the indexer as a non-root user, or configure a database URL");
            }
        }
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(SERVICE_USER);
        GroupPrincipal group = serviceGroup(lookup);
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                PosixFileAttributes attrs = view.readAttributes();
                if (!attrs.owner().equals(user)) {
                    view.setOwner(user);
                }
                if (group != null && !attrs.group().equals(group)) {
                    view.setGroup(group);
                }
            }
        }
    }

    /** Runs {@code bin/<program> args...}, waiting at most {@code timeout}; a program still running then is killed. */
    Result run(String program, List<String> args, Duration timeout) {
        List<String> command = new ArrayList<>();
        if (runuser != null) {
            command.addAll(List.of(runuser.toString(), "-u", SERVICE_USER, "--"));
        }
        command.add(binDir.resolve(program).toString());
        command.addAll(args);
        Path output = null;
        try {
            output = Files.createTempFile("evm-indexer-" + program, ".out");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            cleanEnvironment(builder.environment());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                return new Result(-1, Files.readString(output, StandardCharsets.UTF_8)
                        + "\n(killed after " + timeout.toSeconds() + " s)");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("running " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + program, e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** PG* variables of the caller's shell (PGDATA, PGPORT, PGOPTIONS...) must not steer the embedded server. */
    private static void cleanEnvironment(Map<String, String> env) {
        env.keySet().removeIf(name -> name.startsWith("PG"));
        env.put("LC_ALL", "C");
    }

    private static GroupPrincipal serviceGroup(UserPrincipalLookupService lookup) {
        for (String name : List.of("nogroup", "nobody")) {
            try {
                return lookup.lookupPrincipalByGroupName(name);
            } catch (IOException notThisOne) {
                // Debian calls it nogroup, Red Hat nobody
            }
        }
        return null;
    }
}
