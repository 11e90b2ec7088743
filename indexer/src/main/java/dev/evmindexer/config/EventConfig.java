package dev.evmindexer.config;

import java.util.Objects;

/**
 * One event copied into one table. The signature is kept as written (human-readable or ABI JSON):
 * parsing it is the caller's job, which reports problems with {@link ConfigException} at {@code line}.
 *
 * @param line 1-based line of this entry in the config
 */
public record EventConfig(String signature, String table, int line) {
    public EventConfig {
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(table, "table");
    }
}
