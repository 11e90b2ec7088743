package dev.evmindexer.abi;

import java.util.Arrays;
import java.util.Objects;

/** The outcome of {@link EventDecoder#decode}: a row of values, or the reason the log was refused. */
public sealed interface Decoded {

    /**
     * The decoded values in {@link EventDecoder#columns()} order. Value classes per Solidity type:
     * {@code byte[]} (address, bytesN, bytes, topic hashes), {@code Boolean}, {@code Long}
     * (uintN with N <= 56, intN with N <= 64), {@code BigInteger} (uint64 and wider), {@code String};
     * for an array stored as a PostgreSQL array, {@code Object[]} of its elements (nested
     * {@code Object[]} per inner dimension); for a {@code jsonb} column, {@link Jsonb}. The array is
     * owned by the caller.
     */
    record Row(Object[] values) implements Decoded {
        public Row {
            Objects.requireNonNull(values, "values");
        }

        @Override
        public String toString() {
            return "Row" + Arrays.deepToString(values);
        }
    }

    /** The log is not a well-formed instance of the event; {@code detail} says what is wrong, for a log line. */
    record Rejected(RejectReason reason, String detail) implements Decoded {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
