package dev.evmindexer.config;

import java.util.Objects;

/** Where {@code /metrics}, {@code /healthz} and {@code /readyz} are served; port 0 picks a free port. */
public record OpsConfig(String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9464;

    public OpsConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    public static OpsConfig defaults() {
        return new OpsConfig(DEFAULT_HOST, DEFAULT_PORT);
    }
}
