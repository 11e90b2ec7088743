package dev.evmindexer.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * One event copied into one table, given either as a human-readable {@code signature} or by
 * {@code name} from an ABI JSON file ({@code abi}, or the source's). Signatures and ABIs are kept as
 * written: parsing them is the caller's job, which reports problems with {@link ConfigException} at
 * {@code line}.
 *
 * @param signature the human-readable declaration, or null when the event comes from an ABI
 * @param abi       this event's ABI file (resolved against the config's directory), or null for the source's
 * @param name      the event's name or canonical signature in the ABI, or null when {@code signature} is given
 * @param columns   generated column name to the name to use instead (in config order)
 * @param indexes   secondary indexes, each a list of column names (checked against the table's columns by the caller)
 * @param line      1-based line of this entry in the config
 * @param filter    conditions on parameters, in config order (checked against the event by the caller)
 * @param fields    extra columns from the log's transaction, receipt or block ({@code fields:}), in config order, each once
 */
public record EventConfig(String signature, Path abi, String name, String table, Map<String, String> columns,
                          java.util.List<java.util.List<String>> indexes, int line, java.util.List<Filter> filter,
                          java.util.List<TxField> fields) {
    /**
     * {@code filter: {param: value}} or {@code {param: [v1, v2]}}: the parameter must equal one of the values, kept as
     * written (parsed against the parameter's type by the caller, which names {@code line}).
     */
    public record Filter(String param, java.util.List<String> values, int line) {
        public Filter {
            Objects.requireNonNull(param, "param");
            values = java.util.List.copyOf(values);
        }
    }

    /** An event without transaction fields. */
    public EventConfig(String signature, Path abi, String name, String table, Map<String, String> columns,
            java.util.List<java.util.List<String>> indexes, int line, java.util.List<Filter> filter) {
        this(signature, abi, name, table, columns, indexes, line, filter, java.util.List.of());
    }

    public EventConfig(String signature, Path abi, String name, String table, Map<String, String> columns,
            java.util.List<java.util.List<String>> indexes, int line) {
        this(signature, abi, name, table, columns, indexes, line, java.util.List.of());
    }

    public EventConfig(String signature, Path abi, String name, String table, Map<String, String> columns, int line) {
        this(signature, abi, name, table, columns, java.util.List.of(), line);
    }

    public EventConfig {
        indexes = indexes == null ? java.util.List.of() : indexes.stream().map(java.util.List::copyOf).toList();
        filter = filter == null ? java.util.List.of() : java.util.List.copyOf(filter);
        fields = fields == null ? java.util.List.of() : java.util.List.copyOf(fields);
        Objects.requireNonNull(table, "table");
        if ((signature == null) == (name == null)) {
            throw new IllegalArgumentException("an event needs exactly one of signature and name");
        }
        columns = columns == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }

    /** An event given by its human-readable signature. */
    public EventConfig(String signature, String table, int line) {
        this(Objects.requireNonNull(signature, "signature"), null, null, table, Map.of(), line);
    }
}
