package dev.evmindexer.cli;

import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.store.TableDdl;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code schema}: prints the DDL the indexer would run for the configured events; touches nothing. */
@Command(name = "schema", description = "Print the event tables' DDL for a config, without touching any database.")
final class SchemaCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Wiring w = Wiring.load(config.file, true)) { // no node, no database: their variables need not be set
            for (EventTable t : w.plan.allTables()) {
                spec.commandLine().getOut().printf("-- %s: %s (chain %d, source %s, from block %d%s)%n%s%s;%n%s;%n%n",
                        t.qualifiedName(), t.signature().canonical(), t.chainId(), t.sourceName(), t.startBlock(),
                        t.endBlock() == EventTable.NO_END ? "" : " to block " + t.endBlock(), factory(t) + filters(t) + fields(t),
                        TableDdl.createTable(t), TableDdl.createView(t));
            }
            return 0;
        }
    }

    /** Comment lines for a factory's table (the children it names) and a child table (whose children it follows). */
    private static String factory(EventTable t) {
        StringBuilder sb = new StringBuilder();
        if (t.factory() != null) {
            sb.append("-- contracts: the children of ").append(t.factory().factoryTable().qualifiedName()).append('.')
                    .append(t.factory().child().param()).append(" (indexer.factory_children, factory '").append(t.factory().key())
                    .append("'), each from the block that created it").append(System.lineSeparator());
        }
        for (var c : t.childSources()) {
            sb.append("-- factory: its ").append(c.param()).append(" values are children (indexer.factory_children, factory '")
                    .append(c.key()).append("')").append(System.lineSeparator());
        }
        return sb.toString();
    }

    /** A comment line naming the transaction and block fields and the calls they cost per block with rows. */
    private static String fields(EventTable t) {
        if (t.fields().isEmpty()) return "";
        var needs = dev.evmindexer.pipeline.TxData.Needs.of(t.fields());
        List<String> calls = new java.util.ArrayList<>();
        if (needs.receipts()) calls.add("eth_getBlockReceipts");
        if (needs.transactions()) calls.add("eth_getBlockByHash with transactions");
        else if (needs.block()) calls.add("eth_getBlockByHash");
        return "-- fields " + String.join(", ", t.fields().stream().map(f -> f.column()).toList()) + ": per block with rows, "
                + String.join(" and ", calls) + System.lineSeparator();
    }

    /** One comment line per parameter filter: its name and how many values (a long list is not printed). */
    private static String filters(EventTable t) {
        StringBuilder sb = new StringBuilder();
        for (var p : t.params()) {
            sb.append("-- filter ").append(p.param()).append(": one of ").append(p.values().size()).append(p.values().size() == 1 ? " value" : " values")
                    .append(p.indexed() ? (p.slot() >= 1 && t.filter().topics().size() >= p.slot() && !t.filter().topics().get(p.slot() - 1).isEmpty()
                            ? " (in the eth_getLogs topics)" : " (checked after decoding: over the topic-list limit)") : " (checked after decoding)")
                    .append(System.lineSeparator());
        }
        return sb.toString();
    }
}
