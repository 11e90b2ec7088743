package dev.evmindexer.abi;

import java.util.Objects;

/**
 * One parameter of an event.
 *
 * @param name    the Solidity identifier, or {@code ""} when unnamed
 * @param abiType the parsed type (tuples keep their component names)
 * @param indexed true when the value travels in a topic rather than in the data
 */
public record EventParam(String name, AbiType abiType, boolean indexed) {
    public EventParam {
        if (name == null) throw new AbiException("parameter name is null; use \"\" for an unnamed parameter");
        if (!name.isEmpty() && !Names.isIdentifier(name)) {
            throw new AbiException("parameter name '" + name + "' is not a valid identifier");
        }
        Objects.requireNonNull(abiType, "abiType");
    }

    /** A parameter whose type is parsed from Solidity text ({@code uint}, {@code (uint256 a, bool b)[]}, ...). */
    public EventParam(String name, String type, boolean indexed) {
        this(name, AbiType.parse(type, name), indexed);
    }

    /**
     * The canonical Solidity type ({@code uint} and {@code int} are normalised to {@code uint256} and
     * {@code int256}, {@code byte} to {@code bytes1}, tuples lose their component names).
     */
    public String type() {
        return abiType.canonical();
    }

    /** True when the column holds the topic (keccak256) rather than the value: an indexed reference type. */
    public boolean hashed() {
        return indexed && abiType.hashedWhenIndexed();
    }
}
