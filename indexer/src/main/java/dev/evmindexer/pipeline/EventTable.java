package dev.evmindexer.pipeline;

import dev.evmindexer.abi.Column;
import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import java.util.List;
import java.util.Objects;

/**
 * One configured event of one source: the PostgreSQL table it lands in and how to find and decode its
 * logs. {@code definitionHash} covers everything that shapes the rows (chain, event, addresses,
 * columns) but not {@code startBlock}: a changed definition is refused, never silently migrated.
 */
public record EventTable(
        String schema,
        String name,
        long chainId,
        String sourceName,
        long startBlock,
        LogFilter filter,
        EventSignature signature,
        EventDecoder decoder,
        String definitionHash,
        List<List<String>> indexes) {

    /** A table without secondary indexes. */
    public EventTable(String schema, String name, long chainId, String sourceName, long startBlock, LogFilter filter,
            EventSignature signature, EventDecoder decoder, String definitionHash) {
        this(schema, name, chainId, sourceName, startBlock, filter, signature, decoder, definitionHash, List.of());
    }

    public EventTable {
        indexes = indexes == null ? List.of() : indexes.stream().map(List::copyOf).toList();
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(decoder, "decoder");
        if (startBlock < 0) throw new IllegalArgumentException("negative start block for " + name);
    }

    public List<Column> columns() {
        return decoder.columns();
    }

    /** {@code schema.table}, unquoted, for messages and the coverage key. */
    public String qualifiedName() {
        return schema + "." + name;
    }

    /** True when this table wants {@code log}: the filter matches and the block is at or above the start. */
    public boolean wants(dev.evmindexer.eth.Log log) {
        return log.blockNumber() >= startBlock && filter.matches(log);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
