package dev.evmindexer.config;

import dev.evmindexer.eth.Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A set of events to index from {@code startBlock} on one chain, or on each of several ({@code chain: [a, b]}: the
 * same addresses and events on every one, each chain with its own coverage of the same tables).
 *
 * @param chains       the chains, at least one, each once
 * @param addresses    contracts whose logs are wanted; empty means the logs of every contract
 * @param events       the listed events; empty when {@code allEvents}
 * @param line         1-based line of this entry in the config
 * @param abi          the source's ABI file (resolved against the config's directory), or null
 * @param allEvents    {@code events: all}: every event of {@code abi}, each in the table {@code tablePattern} names
 * @param tablePattern with {@code allEvents}, the table name with {@code {event}} for the event's snake_case name
 * @param endBlock     the last block followed ({@link #NO_END}: none), at least {@code startBlock}
 * @param factory      where the addresses come from when they are a factory's children, else null (then
 *                     {@code addresses} is empty and does not mean "every contract")
 */
public record SourceConfig(String name, List<String> chains, List<Address> addresses, long startBlock,
                           List<EventConfig> events, int line, Path abi, boolean allEvents, String tablePattern,
                           long endBlock, FactoryRef factory) {
    /** {@link #endBlock} of a source followed for ever. */
    public static final long NO_END = Long.MAX_VALUE;

    /** The placeholder of {@link #tablePattern}. */
    public static final String EVENT_PLACEHOLDER = "{event}";

    public SourceConfig {
        Objects.requireNonNull(name, "name");
        chains = List.copyOf(chains);
        if (chains.isEmpty()) throw new IllegalArgumentException("a source needs a chain");
        addresses = List.copyOf(addresses);
        events = List.copyOf(events);
        if (startBlock < 0) throw new IllegalArgumentException("startBlock must be >= 0, got " + startBlock);
        if (endBlock < startBlock) throw new IllegalArgumentException("endBlock " + endBlock + " < startBlock " + startBlock);
        if (allEvents && (abi == null || tablePattern == null)) {
            throw new IllegalArgumentException("events: all needs an abi and a table pattern");
        }
        if (factory != null && !addresses.isEmpty()) throw new IllegalArgumentException("a factory's children or addresses, not both");
    }

    /** A source with fixed addresses (or every contract's). */
    public SourceConfig(String name, List<String> chains, List<Address> addresses, long startBlock, List<EventConfig> events,
            int line, Path abi, boolean allEvents, String tablePattern, long endBlock) {
        this(name, chains, addresses, startBlock, events, line, abi, allEvents, tablePattern, endBlock, null);
    }

    /** A source followed for ever. */
    public SourceConfig(String name, List<String> chains, List<Address> addresses, long startBlock, List<EventConfig> events,
            int line, Path abi, boolean allEvents, String tablePattern) {
        this(name, chains, addresses, startBlock, events, line, abi, allEvents, tablePattern, NO_END);
    }

    /** A source listing its events. */
    public SourceConfig(String name, String chain, List<Address> addresses, long startBlock, List<EventConfig> events, int line) {
        this(name, List.of(chain), addresses, startBlock, events, line, null, false, null);
    }

    /** True when the source takes the logs of every contract. */
    public boolean allAddresses() {
        return addresses.isEmpty() && factory == null;
    }
}
