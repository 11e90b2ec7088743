package dev.evmindexer.cli;

import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.store.Database;
import dev.evmindexer.store.EmbeddedPostgresServer;
import dev.evmindexer.store.Migrations;
import dev.evmindexer.store.TableDdl;
import java.io.Console;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reset}: drops one event table's rows and coverage (the table, its view and its registration),
 * the way out when its definition changed. Asks for confirmation, or takes {@code --yes}. The next
 * {@code run} or {@code backfill} recreates it from the config and fills it again.
 */
@Command(name = "reset", description = "Drop an event table's rows and coverage so it is rebuilt from the config.")
final class ResetCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--table", required = true, paramLabel = "NAME", description = "table name (in the config's schema)")
    String table;

    @Option(names = "--chain", paramLabel = "NAME",
            description = "drop only this chain's rows and coverage of a table several chains share")
    String chain;

    @Option(names = "--yes", description = "do not ask for confirmation")
    boolean yes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // The config's events may be the changed ones that do not match the table: only the database part is used.
        var cfg = ConfigLoader.load(config.file, System.getenv());
        var db = cfg.database();
        String schema = db.schema();
        Long chainId = null;
        if (chain != null) {
            chainId = cfg.chains().stream().filter(c -> c.name().equals(chain)).map(c -> c.chainId()).findFirst()
                    .orElseThrow(() -> new picocli.CommandLine.ParameterException(spec.commandLine(), "--chain: no chain "
                            + "named '" + chain + "' in the config (chains: " + String.join(", ",
                            cfg.chains().stream().map(c -> c.name()).toList()) + ")"));
        }
        String what = schema + "." + table + (chain == null ? "" : " of chain " + chain);
        if (!yes) {
            Console console = Tty.interactive() ? System.console() : null;
            if (console == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "reset drops every row of " + what
                        + "; without a terminal to confirm, pass --yes");
            }
            String answer = console.readLine("Drop every row and the coverage of %s? Type the table name to confirm: ",
                    what);
            if (!table.equals(answer == null ? null : answer.trim())) {
                spec.commandLine().getOut().println("reset: not confirmed, nothing changed");
                return 1;
            }
        }
        EmbeddedPostgresServer embedded = db.embedded()
                ? EmbeddedPostgresServer.startOrAttach(Wiring.embeddedDataDir(cfg, System.getenv())) : null;
        try (Database database = Database.open(embedded != null ? embedded.jdbcUrl() : db.url(),
                embedded != null ? embedded.user() : db.user(), embedded != null ? embedded.password() : db.password(),
                2, "evm-indexer reset")) {
            Migrations.migrate(database.dataSource());
            long rows = TableDdl.reset(database.dataSource(), schema, table, chainId);
            if (rows < 0) {
                throw new IllegalArgumentException("no event table " + what + " is registered in indexer.event_tables");
            }
            spec.commandLine().getOut().printf("reset: dropped %s (%d rows) and its coverage; the next run recreates and "
                    + "backfills it%n", what, rows);
            return 0;
        } finally {
            if (embedded != null) embedded.close();
        }
    }
}
