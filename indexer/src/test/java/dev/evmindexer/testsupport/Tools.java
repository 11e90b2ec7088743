package dev.evmindexer.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Locates the external tools the integration tests drive: the anvil binary and solcjs, both installed into
 * {@code <repo>/.tools} by {@code scripts/test} (which also passes their paths as system properties).
 *
 * <p>Each is looked up in order: the system property ({@code anvil.bin}, {@code solc.js}) unless it is unset,
 * blank or an unexpanded Maven placeholder ({@code ${...}}, what failsafe passes when mvn runs without the
 * script); the environment variable ({@code ANVIL_BIN}, {@code SOLCJS}); the default path under the
 * repository's {@code .tools/}. A missing tool fails with a message saying how to install it.
 */
public final class Tools {
    static final String INSTALL_HINT = "run scripts/test, which installs it";

    private Tools() {}

    /** The anvil executable. */
    public static Path anvil() {
        return locate("anvil", System.getProperty("anvil.bin"), "anvil.bin", System.getenv("ANVIL_BIN"), "ANVIL_BIN",
                () -> repoRoot().resolve(".tools/node_modules/@foundry-rs/anvil-" + platform() + "/bin/anvil"));
    }

    /** The solcjs launcher (a node script). */
    public static Path solcjs() {
        return locate("solcjs", System.getProperty("solc.js"), "solc.js", System.getenv("SOLCJS"), "SOLCJS",
                () -> repoRoot().resolve(".tools/node_modules/.bin/solcjs"));
    }

    /**
     * The repository root: the nearest directory at or above {@code user.dir} holding {@code indexer/} and
     * either {@code schema/} or {@code indexer/pom.xml} (git keeps no empty {@code schema/} before the first
     * migration exists).
     */
    public static Path repoRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (isRepoRoot(dir)) return dir;
        }
        throw new IllegalStateException("cannot find the repository root (a directory holding indexer/ and schema/)"
                + " at or above user.dir " + start);
    }

    static boolean isRepoRoot(Path dir) {
        return Files.isDirectory(dir.resolve("indexer"))
                && (Files.isDirectory(dir.resolve("schema")) || Files.isRegularFile(dir.resolve("indexer/pom.xml")));
    }

    /** foundry's npm platform suffix, as scripts/lib.sh computes it: linux-amd64, darwin-arm64, ... */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osPart = os.contains("mac") || os.contains("darwin") ? "darwin" : "linux";
        String archPart = arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "amd64";
        return osPart + "-" + archPart;
    }

    interface PathSupplier {
        Path get();
    }

    /**
     * The first usable setting wins; the chosen path must then exist, or the error names it and where it came
     * from. A property holding {@code ${...}} is Maven's way of saying "not set".
     */
    static Path locate(String tool, String property, String propertyName, String env, String envName,
                       PathSupplier fallback) {
        Path path;
        String source;
        if (isSet(property) && !property.strip().startsWith("${")) {
            path = Path.of(property.strip());
            source = "system property " + propertyName;
        } else if (isSet(env)) {
            path = Path.of(env.strip());
            source = "environment variable " + envName;
        } else {
            path = fallback.get();
            source = "the default location";
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(tool + " not found: " + INSTALL_HINT + " (looked at " + path
                    + ", from " + source + ")");
        }
        return path.toAbsolutePath();
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
