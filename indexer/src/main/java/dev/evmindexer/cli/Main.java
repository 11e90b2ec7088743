package dev.evmindexer.cli;

import dev.evmindexer.config.ConfigException;
import dev.evmindexer.daemon.Failures;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code indexer} command line. Errors print one clear line, no stack trace, and exit non-zero. */
@Command(name = "indexer", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "evm-indexer 0.1.0",
        description = "Copies decoded smart-contract events from EVM chains into PostgreSQL.",
        subcommands = {RunCommand.class, BackfillCommand.class, StatusCommand.class, RollbackCommand.class,
                MigrateCommand.class, SchemaCommand.class, ResetCommand.class, VerifyCommand.class, DemoCommand.class,
                BenchCommand.class, TrafficCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Console log format; applied before the command starts (see {@link #applyLogFormat}). */
    enum LogFormatChoice { text, json }

    @CommandLine.Option(names = "--log-format", paramLabel = "FORMAT", scope = CommandLine.ScopeType.INHERIT,
            description = "log lines as text (default) or json (one object per line, short key as \"event\")")
    LogFormatChoice logFormat = LogFormatChoice.text;

    /** Exit code for bad config or flags. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a failure while running. */
    public static final int EXIT_FAILURE = 1;

    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** As {@link #execute(String...)}, writing to {@code out} and {@code err} where given (tests read them). */
    static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        // a bad flag is one line, like every other error; the usage only on request (--help)
        boolean json = applyLogFormat(args);
        cl.setParameterExceptionHandler((e, params) -> {
            CommandLine cmd = e.getCommandLine();
            printError(cmd, json, "error: " + e.getMessage().replace('\n', ' ') + " (see `indexer "
                    + (cmd.getCommandName().equals("indexer") ? "" : cmd.getCommandName() + " ") + "--help`)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            int code = e instanceof ConfigException || e instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILURE;
            printError(cmd, json, "error: " + Failures.describe(e));
            if (Boolean.getBoolean("indexer.stacktrace")) e.printStackTrace(cmd.getErr());
            return code;
        });
        return cl.execute(args);
    }

    /** The one-line error a failing command ends with: as text, or under {@code --log-format json} one JSON object. */
    private static void printError(CommandLine cmd, boolean json, String line) {
        cmd.getErr().println(json ? dev.evmindexer.ops.JsonLogLayout.fatal(line) : line);
        cmd.getErr().flush();
    }

    /**
     * Switches the log format before anything logs (picocli sets the option only once parsing is done,
     * after the embedded database or the config may already have logged). Bad values are left to picocli.
     * True when the format is json.
     */
    private static boolean applyLogFormat(String... args) {
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String v = null;
            if (args[i].equals("--log-format") && i + 1 < args.length) v = args[i + 1];
            else if (args[i].startsWith("--log-format=")) v = args[i].substring("--log-format=".length());
            if (v != null) json = "json".equals(v);
        }
        if (json) dev.evmindexer.ops.LogFormat.apply("json");
        return json;
    }
}
