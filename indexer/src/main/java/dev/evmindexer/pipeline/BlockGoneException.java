package dev.evmindexer.pipeline;

/** The node no longer has the block that was asked for by hash: it was reorged away meanwhile. */
public class BlockGoneException extends SourceException {
    public BlockGoneException(String message) {
        super(message);
    }
}
