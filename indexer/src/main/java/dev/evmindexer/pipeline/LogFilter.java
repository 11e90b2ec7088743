package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.util.List;

/**
 * An {@code eth_getLogs} filter: any of {@code addresses} (empty: every contract), topic0 any of
 * {@code topic0s} (empty: any topic0), and topic {@code i + 1} any of {@code topics.get(i)} (an empty list,
 * or a position past the list's end: any value). As on the node, a log with fewer topics than a constrained
 * position does not match.
 */
public record LogFilter(List<Address> addresses, List<Hash> topic0s, List<List<Hash>> topics) {
    /** Topics 1 to 3: an event has at most three indexed parameters after topic0. */
    public static final int MAX_TOPIC_POSITIONS = 3;

    public LogFilter {
        addresses = List.copyOf(addresses);
        topic0s = List.copyOf(topic0s);
        topics = topics.stream().map(List::copyOf).toList();
        if (topics.size() > MAX_TOPIC_POSITIONS) throw new IllegalArgumentException("at most 3 topic positions after topic0");
        while (!topics.isEmpty() && topics.get(topics.size() - 1).isEmpty()) topics = topics.subList(0, topics.size() - 1);
    }

    /** A filter on addresses and topic0 only. */
    public LogFilter(List<Address> addresses, List<Hash> topic0s) {
        this(addresses, topic0s, List.of());
    }

    public boolean matches(Log log) {
        if (!addresses.isEmpty() && !addresses.contains(log.address())) return false;
        if (!topic0s.isEmpty() && (log.topic0() == null || !topic0s.contains(log.topic0()))) return false;
        for (int i = 0; i < topics.size(); i++) {
            List<Hash> wanted = topics.get(i);
            if (wanted.isEmpty()) continue;
            if (log.topics().size() <= i + 1 || !wanted.contains(log.topics().get(i + 1))) return false;
        }
        return true;
    }

    /** This filter without topic positions after topic0 (what a union of several tables' filters can keep). */
    public LogFilter withoutTopics() {
        return topics.isEmpty() ? this : new LogFilter(addresses, topic0s);
    }
}
