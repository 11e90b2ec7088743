package dev.evmindexer.abi;

import java.util.Locale;

/** Why a log did not decode as the expected event. Each one is a metric tag value ({@link #metricName()}). */
public enum RejectReason {
    /** topic0 is missing or is not the event's (non-anonymous events only). */
    TOPIC0_MISMATCH,
    /** The number of topics is not 1 + indexed parameters (indexed parameters when anonymous). */
    TOPIC_COUNT,
    /** The data is shorter than the static head, or, for an event without dynamic parameters, not exactly its size. */
    DATA_LENGTH,
    /** A dynamic parameter's offset word is not a small number or points past the end of the data. */
    BAD_OFFSET,
    /** A dynamic parameter's length word is not a small number or its content runs past the end of the data. */
    BAD_LENGTH,
    /** A value is not canonically encoded: dirty padding bits, a bool other than 0/1, an intN not sign-extended. */
    NON_CANONICAL;

    private final String metricName = name().toLowerCase(Locale.ROOT);

    /** The lower_snake name used as a metric tag, e.g. {@code topic_count}. */
    public String metricName() {
        return metricName;
    }
}
