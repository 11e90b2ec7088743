package dev.evmindexer.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code find_jdk} from {@code scripts/lib.sh}, run by bash against fake JDKs (shell scripts printing a
 * {@code java -version} banner) in a fake {@code /usr/lib/jvm} ({@code INDEXER_JVM_DIR}), with a PATH that
 * holds only the tools lib.sh needs, so the machine's own JDKs cannot leak in.
 */
class ScriptsJdkDiscoveryTest {
    private static final String LIB = Tools.repoRoot().resolve("scripts/lib.sh").toString();

    @TempDir
    Path tmp;
    private Path jvmDir;
    private Path pathDir;

    @BeforeEach
    void toolsOnly() throws IOException {
        jvmDir = Files.createDirectories(tmp.resolve("jvm"));
        pathDir = Files.createDirectories(tmp.resolve("path"));
        for (String tool : List.of("sed", "readlink", "dirname", "uname")) {
            Path real = Path.of("/usr/bin", tool);
            if (!Files.exists(real)) real = Path.of("/bin", tool);
            Files.createSymbolicLink(pathDir.resolve(tool), real);
        }
    }

    @Test
    void javaHomeIsUsedWhenItIsAJdk21OrNewer() throws Exception {
        Path home = fakeJdk(tmp.resolve("my-jdk"), "21.0.2", true);
        fakeJdk(jvmDir.resolve("jdk-25"), "25.0.1", true);
        Result r = findJdk(home.toString());
        assertEquals(0, r.exit, r.stderr);
        assertEquals(home.toString(), r.stdout);
    }

    @Test
    void anOldJavaHomeFallsBackToTheNewestJdkInTheJvmDirectory() throws Exception {
        Path old = fakeJdk(jvmDir.resolve("java-17"), "17.0.15", true);
        fakeJdk(jvmDir.resolve("jdk-21"), "21.0.2", true);
        Path newest = fakeJdk(jvmDir.resolve("temurin-25"), "25.0.1", true);
        fakeJdk(jvmDir.resolve("jre-26"), "26", false);
        Result r = findJdk(old.toString());
        assertEquals(0, r.exit, r.stderr);
        assertEquals(newest.toRealPath().toString(), r.stdout);
        assertTrue(r.stderr.contains("ignoring JAVA_HOME=" + old + " (Java 17)"), r.stderr);
    }

    @Test
    void withoutAnyJdk21TheMessageListsWhatWasFoundAndHowToFixIt() throws Exception {
        Path old = fakeJdk(jvmDir.resolve("java-17"), "17.0.15", true);
        Files.createSymbolicLink(jvmDir.resolve("java-1.17.0"), old);
        fakeJdk(jvmDir.resolve("java-8"), "1.8.0_392", true);
        fakeJdk(jvmDir.resolve("jre-21"), "21.0.2", false);
        Result r = findJdk(null);
        assertEquals(1, r.exit);
        assertEquals("", r.stdout);
        assertTrue(r.stderr.startsWith("evm-indexer needs a JDK 21 or newer; found: "), r.stderr);
        assertTrue(r.stderr.contains(old.toRealPath() + " (Java 17)"), r.stderr);
        assertTrue(r.stderr.contains("java-8 (Java 8)"), r.stderr);
        assertTrue(r.stderr.contains("jre-21 (Java 21, a JRE without javac)"), r.stderr);
        assertEquals(r.stderr.indexOf("(Java 17)"), r.stderr.lastIndexOf("(Java 17)"), "an alias is listed once");
        assertTrue(r.stderr.strip().endsWith("install e.g. `apt-get install openjdk-21-jdk` or set JAVA_HOME"), r.stderr);
    }

    @Test
    void anEmptyJvmDirectoryAndNoJavaHomeSaySoToo() throws Exception {
        Result r = findJdk(null);
        assertEquals(1, r.exit);
        assertTrue(r.stderr.startsWith("evm-indexer needs a JDK 21 or newer; found: no Java installation"), r.stderr);
    }

    private Path fakeJdk(Path home, String version, boolean withJavac) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        script(bin.resolve("java"), "echo 'openjdk version \"" + version + "\" 2025-01-01' >&2\n"
                + "echo 'OpenJDK Runtime Environment (build " + version + ")' >&2\n");
        if (withJavac) script(bin.resolve("javac"), "exit 0\n");
        return home;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Result(int exit, String stdout, String stderr) {}

    private Result findJdk(String javaHome) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c",
                "set -euo pipefail; source \"$1\"; find_jdk; printf '%s' \"$JAVA_HOME\"", "find_jdk", LIB);
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        if (javaHome != null) env.put("JAVA_HOME", javaHome);
        env.put("INDEXER_JVM_DIR", jvmDir.toString());
        env.put("PATH", pathDir.toString());
        Path out = tmp.resolve("stdout");
        Path err = tmp.resolve("stderr");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int exit = p.waitFor();
        return new Result(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
