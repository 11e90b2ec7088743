package dev.evmindexer.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real anvil started for a test on a free port, with a raw JSON-RPC client for anvil's own methods. The
 * binary comes from the {@code anvil.bin} system property unless it is unset, blank or an unexpanded
 * {@code ${...}}, else from the repository's {@code .tools}. (Private to this package until a shared
 * test-support launcher exists.)
 */
final class AnvilNode implements AutoCloseable {
    private static final String DEFAULT_BIN = "/work/main/.tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

    private final Process process;
    private final Path logFile;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private long nextId = 1;

    private AnvilNode(Process process, Path logFile, int port) {
        this.process = process;
        this.logFile = logFile;
        this.port = port;
    }

    static AnvilNode start() throws IOException, InterruptedException {
        String bin = System.getProperty("anvil.bin");
        if (bin == null || bin.isBlank() || bin.startsWith("${")) bin = DEFAULT_BIN;
        if (!new File(bin).canExecute()) throw new IllegalStateException("anvil binary not executable: " + bin);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("anvil-", ".log");
        Process p = new ProcessBuilder(bin, "--host", "127.0.0.1", "--port", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        AnvilNode node = new AnvilNode(p, log, port);
        // Readiness: poll until it answers (bounded), failing with its output if it dies or never listens.
        for (int i = 0; i < 300; i++) {
            if (!p.isAlive()) throw new IllegalStateException("anvil exited: " + Files.readString(log));
            try {
                node.call("eth_chainId");
                return node;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        node.close();
        throw new IllegalStateException("anvil did not answer on port " + port + ": " + Files.readString(log));
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Calls a method; params are JSON values (strings are wrapped as JSON strings unless they start with [ or {). */
    JsonNode call(String method, Object... params) throws IOException, InterruptedException {
        ObjectNode req = FakeChain.JSON.createObjectNode();
        req.put("jsonrpc", "2.0").put("id", nextId++).put("method", method);
        req.set("params", FakeChain.JSON.valueToTree(params));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url()))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(req.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode answer = FakeChain.JSON.readTree(r.body());
        if (answer.has("error")) throw new IllegalStateException(method + " failed: " + answer.get("error"));
        return answer.get("result");
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        Files.deleteIfExists(logFile);
    }
}
