package dev.evmindexer.abi;

/**
 * An event signature, type or name the indexer cannot accept. Thrown while reading configuration and
 * ABIs, never while decoding logs (bad logs become {@link Decoded.Rejected}). The message names the
 * offending thing, e.g. {@code type uint256[] in parameter 'ids' is not supported yet}.
 */
public final class AbiException extends IllegalArgumentException {
    public AbiException(String message) {
        super(message);
    }

    public AbiException(String message, Throwable cause) {
        super(message, cause);
    }
}
