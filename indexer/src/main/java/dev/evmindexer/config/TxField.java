package dev.evmindexer.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An extra column an event table may ask for ({@code fields:}): a value of the log's transaction, its receipt or its
 * block. Each names its column, its PostgreSQL type and the answer it is read from, which decides what it costs
 * (README, "Transaction and block fields").
 */
public enum TxField {
    TX_FROM("bytea", Origin.EITHER),
    /** NULL for a contract creation. */
    TX_TO("bytea", Origin.EITHER),
    TX_TYPE("int2", Origin.EITHER),
    TX_VALUE("numeric(78,0)", Origin.TRANSACTION),
    TX_INPUT("bytea", Origin.TRANSACTION),
    /** The first 4 bytes of the input (NULL when it is shorter). */
    TX_SELECTOR("bytea", Origin.TRANSACTION),
    TX_NONCE("int8", Origin.TRANSACTION),
    TX_STATUS("boolean", Origin.RECEIPT),
    TX_GAS_USED("int8", Origin.RECEIPT),
    TX_EFFECTIVE_GAS_PRICE("numeric(78,0)", Origin.RECEIPT),
    /** NULL before London (no base fee). */
    BLOCK_BASE_FEE("numeric(78,0)", Origin.BLOCK),
    BLOCK_MINER("bytea", Origin.BLOCK);

    /**
     * Where a field's value is found: only in the receipt ({@code eth_getBlockReceipts}), only in the transaction
     * (a full-transaction block), in either (whichever is fetched anyway), or in the block header.
     */
    public enum Origin { RECEIPT, TRANSACTION, EITHER, BLOCK }

    private final String sqlType;
    private final Origin origin;

    TxField(String sqlType, Origin origin) {
        this.sqlType = sqlType;
        this.origin = origin;
    }

    /** The column name, which is also the name in the config. */
    public String column() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public String sqlType() {
        return sqlType;
    }

    public Origin origin() {
        return origin;
    }

    /** The field named {@code name} as in the config. */
    public static Optional<TxField> named(String name) {
        return Arrays.stream(values()).filter(f -> f.column().equals(name)).findFirst();
    }

    /** Every name, in declaration order, for messages and the README. */
    public static List<String> names() {
        return Arrays.stream(values()).map(TxField::column).toList();
    }
}
