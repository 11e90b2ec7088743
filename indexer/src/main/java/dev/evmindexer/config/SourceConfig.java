package dev.evmindexer.config;

import dev.evmindexer.eth.Address;
import java.util.List;
import java.util.Objects;

/**
 * A set of events to index on one chain from {@code startBlock}.
 *
 * @param addresses contracts whose logs are wanted; empty means the logs of every contract
 * @param line      1-based line of this entry in the config
 */
public record SourceConfig(String name, String chain, List<Address> addresses, long startBlock,
                           List<EventConfig> events, int line) {
    public SourceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(chain, "chain");
        addresses = List.copyOf(addresses);
        events = List.copyOf(events);
        if (startBlock < 0) throw new IllegalArgumentException("startBlock must be >= 0, got " + startBlock);
    }

    /** True when the source takes the logs of every contract. */
    public boolean allAddresses() {
        return addresses.isEmpty();
    }
}
