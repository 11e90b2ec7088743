package dev.evmindexer.cli;

import dev.evmindexer.eth.Hex;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** anvil in a child process on a free loopback port; closing kills it (a shutdown hook does too). */
final class BenchAnvil implements AutoCloseable {
    private static final int START_ATTEMPTS = 5;
    private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(60);
    private static final long CHAIN_ID = 31337;
    final Process process;
    final String url;
    final BenchRpc rpc;
    private final Thread hook;

    private BenchAnvil(Process process, String url) {
        this.process = process;
        this.url = url;
        this.rpc = new BenchRpc(URI.create(url));
        this.hook = new Thread(this::kill, "bench-anvil-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static BenchAnvil start(Path bin, List<String> args, Path logDir) throws IOException {
        String last = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port)));
            cmd.addAll(args);
            Path log = logDir.resolve("anvil-" + port + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            BenchAnvil a = new BenchAnvil(p, "http://127.0.0.1:" + port);
            if (a.awaitReady()) return a;
            a.close();
            last = Files.exists(log) ? Files.readString(log) : "";
            if (!last.contains("in use")) break;
        }
        throw new IOException("anvil (" + bin + ") did not start; its output:\n" + last);
    }

    /** True once eth_chainId answers 31337; false when the process exits first or the deadline passes. */
    private boolean awaitReady() throws IOException {
        long deadline = System.nanoTime() + STARTUP_DEADLINE.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                long id = Hex.quantity(rpc.call("eth_chainId").asText());
                if (id != CHAIN_ID) throw new IOException("anvil at " + url + " has chain id " + id + ", expected " + CHAIN_ID);
                return true;
            } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for anvil", e);
                }
            }
        }
        return false;
    }

    private void kill() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
