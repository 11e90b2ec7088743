package dev.evmindexer.pipeline;

/** A chain source could not give a checked answer (every endpoint failed or answered badly). Retriable. */
public class SourceException extends RuntimeException {
    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
