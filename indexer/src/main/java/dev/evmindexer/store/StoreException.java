package dev.evmindexer.store;

import java.sql.SQLException;

/** A database operation failed; {@link #sql()} holds the driver's exception for retry classification. */
public class StoreException extends RuntimeException {
    public StoreException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public StoreException(String message) {
        super(message);
    }

    public SQLException sql() {
        return getCause() instanceof SQLException s ? s : null;
    }
}
