package dev.evmindexer.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Compiles Solidity test contracts with solcjs ({@code --bin --abi --optimize}). Each source is compiled once
 * per JVM: results are cached by the SHA-256 of the source, and the output directory
 * {@code target/contracts/<hash>/} is reused by later JVMs too (it is written under a temporary name and
 * renamed, so a present directory is complete).
 */
public final class Solc {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Map<String, Path> OUTPUT_BY_HASH = new ConcurrentHashMap<>();

    private Solc() {}

    /** A compiled contract: creation bytecode ({@code 0x...}) and its ABI. */
    public record Contract(String name, String bytecode, JsonNode abi) {}

    /** Compiles a test resource, e.g. {@code compileResource("contracts/TestToken.sol", "TestToken")}. */
    public static Contract compileResource(String resource, String contractName) {
        try (InputStream in = Solc.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + resource);
            String fileName = resource.substring(resource.lastIndexOf('/') + 1);
            return compile(fileName, in.readAllBytes(), contractName);
        } catch (IOException e) {
            throw new UncheckedIOException("reading test resource " + resource, e);
        }
    }

    /** Compiles a source file on disk. */
    public static Contract compile(Path source, String contractName) {
        try {
            return compile(source.getFileName().toString(), Files.readAllBytes(source), contractName);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source, e);
        }
    }

    private static Contract compile(String fileName, byte[] source, String contractName) {
        Path out = OUTPUT_BY_HASH.computeIfAbsent(sha256(source), hash -> outputDir(hash, fileName, source));
        return read(out, fileName, contractName);
    }

    private static Path outputDir(String hash, String fileName, byte[] source) {
        Path root = Path.of(System.getProperty("user.dir"), "target", "contracts");
        Path out = root.resolve(hash);
        if (Files.isDirectory(out)) return out;
        try {
            Files.createDirectories(root);
            Path work = Files.createTempDirectory(root, hash + ".tmp");
            Files.write(work.resolve(fileName), source);
            runSolcjs(work, fileName);
            try {
                Files.move(work, out, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException anotherJvmWon) {
                if (!Files.isDirectory(out)) throw anotherJvmWon;
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("compiling " + fileName + " into " + out + ": " + e.getMessage(), e);
        }
    }

    /** Runs in the source's directory with a bare file name, so outputs are {@code <File>_sol_<Contract>.bin}. */
    private static void runSolcjs(Path work, String fileName) throws IOException {
        Path solcjs = Tools.solcjs();
        Path log = work.resolve("solcjs.log");
        Process process = new ProcessBuilder(solcjs.toString(), "--bin", "--abi", "--optimize", "-o", ".", fileName)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        process.getOutputStream().close();
        try {
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("solcjs did not finish " + fileName + " within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted compiling " + fileName, e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("solcjs (" + solcjs + ") failed on " + fileName + " (exit "
                    + process.exitValue() + "):\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    private static Contract read(Path out, String fileName, String contractName) {
        String suffix = "_" + contractName;
        Path bin = find(out, suffix + ".bin", fileName, contractName);
        Path abi = find(out, suffix + ".abi", fileName, contractName);
        try {
            String bytecode = Files.readString(bin).strip();
            if (bytecode.isEmpty()) {
                throw new IllegalStateException(contractName + " in " + fileName + " has no bytecode (abstract or an interface?)");
            }
            return new Contract(contractName, "0x" + bytecode, JsonRpcClient.JSON.readTree(Files.readString(abi)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading solcjs output in " + out, e);
        }
    }

    private static Path find(Path out, String suffix, String fileName, String contractName) {
        String expected = fileName.replace('.', '_') + suffix;
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().equals(expected)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no contract " + contractName + " in " + fileName
                            + " (solcjs output " + out + " has no " + expected + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + out, e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
