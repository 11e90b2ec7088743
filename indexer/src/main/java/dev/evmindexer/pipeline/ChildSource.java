package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@code address} parameter of a factory's event whose values are contracts other tables follow (children). The
 * store writes the children of the factory table's rows with those rows and rolls them back with them (ARCHITECTURE.md,
 * factories).
 *
 * @param key     names the child set in {@code indexer.factory_children}: {@code schema.table.parameter} of the factory
 * @param indexed the parameter is a topic ({@code slot} = topic index), else a data head word ({@code slot} = offset)
 */
public record ChildSource(String key, String param, boolean indexed, int slot) {
    public ChildSource {
        Objects.requireNonNull(key, "key");
        if (slot < 0) throw new IllegalArgumentException("negative slot");
    }

    /** The child {@code log} (a log the factory table decoded) names: the low 20 bytes of the parameter's word. */
    public Address childOf(Log log) {
        byte[] word;
        if (indexed) {
            word = log.topics().get(slot).unsafeBytes();
        } else {
            byte[] data = log.data();
            word = Arrays.copyOfRange(data, slot, slot + Hash.SIZE);
        }
        return Address.of(Arrays.copyOfRange(word, Hash.SIZE - Address.SIZE, Hash.SIZE));
    }
}
