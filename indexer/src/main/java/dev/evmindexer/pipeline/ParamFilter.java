package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.util.Arrays;
import java.util.Set;

/**
 * A condition on one event parameter: its 32-byte ABI word must be one of {@code values}. The word is the
 * parameter's topic ({@code indexed}, {@code slot} = topic index) or its head word in the data ({@code slot} = byte
 * offset). Only static one-word types are filtered (address, bool, uintN, intN, bytesN), whose word is their
 * canonical encoding, so comparing words is comparing values: the decoder has already refused a log whose words
 * are not canonical.
 */
public record ParamFilter(String param, boolean indexed, int slot, Set<Hash> values) {
    public ParamFilter {
        values = Set.copyOf(values);
        if (values.isEmpty()) throw new IllegalArgumentException("a filter on " + param + " needs at least one value");
        if (slot < 0) throw new IllegalArgumentException("negative slot");
    }

    /** True when {@code log}'s word for the parameter is one of the values (false if the log is too short to hold it). */
    public boolean matches(Log log) {
        if (indexed) return slot < log.topics().size() && values.contains(log.topics().get(slot));
        byte[] data = log.data();
        if (data.length < slot + Hash.SIZE) return false;
        return values.contains(Hash.of(Arrays.copyOfRange(data, slot, slot + Hash.SIZE)));
    }
}
