package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import java.util.List;

/**
 * An {@code eth_getLogs} filter: any of {@code addresses} (empty: every contract) and topic0 any of
 * {@code topic0s} (empty: any topic0).
 */
public record LogFilter(List<Address> addresses, List<Hash> topic0s) {
    public LogFilter {
        addresses = List.copyOf(addresses);
        topic0s = List.copyOf(topic0s);
    }

    public boolean matches(dev.evmindexer.eth.Log log) {
        return (addresses.isEmpty() || addresses.contains(log.address()))
                && (topic0s.isEmpty() || (log.topic0() != null && topic0s.contains(log.topic0())));
    }
}
