package dev.evmindexer.abi;

/**
 * One parameter of an event.
 *
 * @param name    the Solidity identifier, or {@code ""} when unnamed
 * @param type    the canonical Solidity type ({@code uint} and {@code int} are normalised to
 *                {@code uint256} and {@code int256}, {@code byte} to {@code bytes1})
 * @param indexed true when the value travels in a topic rather than in the data
 */
public record EventParam(String name, String type, boolean indexed) {
    public EventParam {
        if (name == null) throw new AbiException("parameter name is null; use \"\" for an unnamed parameter");
        if (!name.isEmpty() && !Names.isIdentifier(name)) {
            throw new AbiException("parameter name '" + name + "' is not a valid identifier");
        }
        type = AbiType.parse(type, name).canonical();
    }

    /** The parsed type. */
    public AbiType abiType() {
        return AbiType.parse(type, name);
    }
}
