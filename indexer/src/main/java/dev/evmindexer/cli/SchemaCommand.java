package dev.evmindexer.cli;

import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.store.TableDdl;
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
                spec.commandLine().getOut().printf("-- %s: %s (chain %d, source %s, from block %d)%n%s;%n%s;%n%n",
                        t.qualifiedName(), t.signature().canonical(), t.chainId(), t.sourceName(), t.startBlock(),
                        TableDdl.createTable(t), TableDdl.createView(t));
            }
            return 0;
        }
    }
}
