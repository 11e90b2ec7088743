package dev.evmindexer.pipeline;

import java.util.Objects;

/**
 * A child table's link to its factory: the table of the factory's event and the parameter naming the children. The
 * child table's own {@link LogFilter} has no addresses (any contract); its contracts are the child set, read from the
 * store per unit and per tip step ({@link Children}).
 */
public record FactoryLink(EventTable factoryTable, ChildSource child) {
    public FactoryLink {
        Objects.requireNonNull(factoryTable, "factoryTable");
        Objects.requireNonNull(child, "child");
    }

    public String key() {
        return child.key();
    }
}
