package dev.evmindexer.pipeline;

import dev.evmindexer.abi.Column;
import dev.evmindexer.abi.EventDecoder;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.config.TxField;
import java.util.List;
import java.util.Objects;

/**
 * One configured event of one source: the PostgreSQL table it lands in and how to find and decode its
 * logs. {@code definitionHash} covers everything that shapes the rows (chain, event, addresses,
 * columns, parameter filters) but not {@code startBlock} nor {@code endBlock}: a changed definition is
 * refused, never silently migrated.
 *
 * @param params   conditions on parameters, all of which a row meets ({@link ParamFilter}); those on indexed
 *                 parameters are also in {@code filter}'s topics when they fit the node's topic lists
 * @param endBlock the last block followed ({@link #NO_END}: none); the table is complete once covered up to it
 * @param fields   extra columns from each row's transaction, receipt or block ({@code fields:}), after the
 *                 parameters' columns, filled by {@link TxColumns}
 * @param factory  for a factory's child table, its factory (then {@code filter} names no address: the contracts are
 *                 the child set, {@link Children}); else null
 * @param childSources for a factory's table, the parameters whose values are children of other tables; else empty
 * @param reconciledView the {@code _finalized} view shows only the rows below the first block not yet reconciled
 *                 ({@code finalized_view: reconciled}; ARCHITECTURE.md, invariant 9), not all finalized rows
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
        List<List<String>> indexes,
        List<ParamFilter> params,
        long endBlock,
        List<TxField> fields,
        FactoryLink factory,
        List<ChildSource> childSources,
        boolean reconciledView) {
    /** {@link #endBlock} of a table followed for ever. */
    public static final long NO_END = Long.MAX_VALUE;

    /**
     * A plain table: no secondary indexes, parameter filters, end block or fields, neither a factory nor a factory's
     * child, its {@code _finalized} view showing every finalized row.
     */
    public EventTable(String schema, String name, long chainId, String sourceName, long startBlock, LogFilter filter,
            EventSignature signature, EventDecoder decoder, String definitionHash) {
        this(schema, name, chainId, sourceName, startBlock, filter, signature, decoder, definitionHash, List.of(),
                List.of(), NO_END, List.of(), null, List.of(), false);
    }

    public EventTable {
        indexes = indexes == null ? List.of() : indexes.stream().map(List::copyOf).toList();
        params = params == null ? List.of() : List.copyOf(params);
        fields = fields == null ? List.of() : List.copyOf(fields);
        childSources = childSources == null ? List.of() : List.copyOf(childSources);
        if (factory != null && !filter.addresses().isEmpty()) {
            throw new IllegalArgumentException("the child table " + name + " takes its addresses from its factory");
        }
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(decoder, "decoder");
        if (startBlock < 0) throw new IllegalArgumentException("negative start block for " + name);
        if (endBlock < startBlock) throw new IllegalArgumentException("end block " + endBlock + " before start block of " + name);
    }

    /** The columns after the standard ones: one per parameter, then one per transaction or block field. */
    public List<Column> columns() {
        if (fields.isEmpty()) return decoder.columns();
        List<Column> out = new java.util.ArrayList<>(decoder.columns());
        for (TxField f : fields) out.add(fieldColumn(f));
        return List.copyOf(out);
    }

    /** The column of a transaction or block field; its "solidity type" names where the value comes from. */
    public static Column fieldColumn(TxField f) {
        return new Column(f.column(), f.sqlType(), f.origin() == TxField.Origin.BLOCK ? "block" : "transaction", false);
    }

    /** This table with another schema and name, for a scratch table shaped like it. */
    public EventTable renamed(String schema, String name) {
        return new EventTable(schema, name, chainId, sourceName, startBlock, filter, signature, decoder, definitionHash,
                indexes, params, endBlock, fields, factory, childSources, reconciledView);
    }

    /** This table with {@code indexes} as its secondary indexes. */
    public EventTable withIndexes(List<List<String>> indexes) {
        return new EventTable(schema, name, chainId, sourceName, startBlock, filter, signature, decoder, definitionHash,
                indexes, params, endBlock, fields, factory, childSources, reconciledView);
    }

    /** This table with {@code childSources} (a factory's table, once its children's tables are known). */
    public EventTable withChildSources(List<ChildSource> sources) {
        return new EventTable(schema, name, chainId, sourceName, startBlock, filter, signature, decoder, definitionHash,
                indexes, params, endBlock, fields, factory, sources, reconciledView);
    }

    /** {@code schema.table}, unquoted, for messages and the coverage key. */
    public String qualifiedName() {
        return schema + "." + name;
    }

    /**
     * True when this table may want {@code log}: its block is within {@code [startBlock, endBlock]} and the filter
     * matches. The parameter filters are checked on decoded logs ({@link #keeps}).
     */
    public boolean wants(dev.evmindexer.eth.Log log) {
        return log.blockNumber() >= startBlock && log.blockNumber() <= endBlock && filter.matches(log);
    }

    /** True when {@code log}, which this table's decoder accepted, meets every parameter filter. */
    public boolean keeps(dev.evmindexer.eth.Log log) {
        for (ParamFilter p : params) if (!p.matches(log)) return false;
        return true;
    }

    /** The last block of {@code [.., limit]} this table follows: {@code min(limit, endBlock)}. */
    public long through(long limit) {
        return Math.min(limit, endBlock);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
