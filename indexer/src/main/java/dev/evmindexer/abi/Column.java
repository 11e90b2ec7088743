package dev.evmindexer.abi;

import java.util.Objects;

/**
 * The table column that holds one event parameter.
 *
 * @param name         unquoted snake_case identifier, unique within the event, at most 63 bytes
 * @param sqlType      PostgreSQL type, e.g. {@code bytea}, {@code int8}, {@code numeric(78,0)}
 * @param solidityType the parameter's canonical Solidity type
 * @param topicHash    true when the column holds the 32-byte topic of an indexed dynamic value
 *                     (its keccak256), not the value itself
 */
public record Column(String name, String sqlType, String solidityType, boolean topicHash) {
    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sqlType, "sqlType");
        Objects.requireNonNull(solidityType, "solidityType");
    }
}
