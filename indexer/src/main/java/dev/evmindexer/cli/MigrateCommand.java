package dev.evmindexer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code migrate}: applies the indexer schema and creates the configured event tables, then exits. */
@Command(name = "migrate", description = "Apply the indexer schema and create the configured event tables.")
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Wiring w = Wiring.load(config.file)) {
            w.openDatabase("evm-indexer migrate");
            spec.commandLine().getOut().printf("migrate: schema up to date; %d event table(s) ready%n", w.plan.allTables().size());
            return 0;
        }
    }
}
