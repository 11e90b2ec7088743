package dev.evmindexer.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsTest {
    @TempDir
    Path dir;

    @Test
    void systemPropertyWinsOverEnvironmentAndDefault() throws IOException {
        Path fromProperty = Files.createFile(dir.resolve("prop"));
        Path fromEnv = Files.createFile(dir.resolve("env"));
        assertEquals(fromProperty, locate(fromProperty.toString(), fromEnv.toString(), dir.resolve("default")));
    }

    @Test
    void unexpandedMavenPlaceholderAndBlankPropertiesAreIgnored() throws IOException {
        Path fromEnv = Files.createFile(dir.resolve("env"));
        assertEquals(fromEnv, locate("${anvil.bin}", fromEnv.toString(), dir.resolve("default")));
        assertEquals(fromEnv, locate("  ", fromEnv.toString(), dir.resolve("default")));
    }

    @Test
    void defaultPathIsUsedWhenNothingIsSet() throws IOException {
        Path fallback = Files.createFile(dir.resolve("default"));
        assertEquals(fallback, locate(null, null, fallback));
        assertEquals(fallback, locate("${anvil.bin}", "", fallback));
    }

    @Test
    void missingToolSaysHowToInstallItAndWhereItLooked() {
        Path missing = dir.resolve("nope");
        var e = assertThrows(IllegalStateException.class, () -> locate(missing.toString(), null, dir));
        assertTrue(e.getMessage().startsWith("anvil not found: run scripts/test, which installs it"), e.getMessage());
        assertTrue(e.getMessage().contains(missing + ", from system property anvil.bin"), e.getMessage());
    }

    @Test
    void repoRootIsFoundAboveTheModuleDirectory() {
        Path root = Tools.repoRoot();
        assertTrue(Tools.isRepoRoot(root));
        assertTrue(Files.isRegularFile(root.resolve("indexer/pom.xml")), root.toString());
    }

    @Test
    void platformMatchesFoundrysPackageNames() {
        assertTrue(Tools.platform().matches("(linux|darwin)-(amd64|arm64)"), Tools.platform());
    }

    private static Path locate(String property, String env, Path fallback) {
        return Tools.locate("anvil", property, "anvil.bin", env, "ANVIL_BIN", () -> fallback);
    }
}
