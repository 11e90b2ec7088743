package dev.evmindexer.config;

import java.util.Objects;

/**
 * {@code addresses: {factory: <source>, event: <event>, parameter: <name>}}: a source whose contracts are the values of
 * {@code parameter} in the {@code event} logs of the source named {@code source} (its children), each followed from
 * the block that created it. The source and its chains are checked when the config loads; the event and the
 * parameter (which must be an {@code address}) once the factory's events are parsed ({@code IndexPlan}).
 *
 * @param line the line of the {@code addresses} mapping, for messages
 * @param key  the config path of the {@code addresses} mapping, e.g. {@code sources[1].addresses}
 */
public record FactoryRef(String source, String event, String parameter, int line, String key) {
    public FactoryRef {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(parameter, "parameter");
        Objects.requireNonNull(key, "key");
    }
}
