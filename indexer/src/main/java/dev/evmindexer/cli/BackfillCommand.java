package dev.evmindexer.cli;

import dev.evmindexer.daemon.RetryingBackfill;
import dev.evmindexer.pipeline.Backfill;
import dev.evmindexer.pipeline.EventTable;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.pipeline.LogRouter;
import dev.evmindexer.pipeline.Span;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backfill}: fills {@code [from, min(to, F)]} minus coverage. Idempotent, safe to run twice, beside
 * a running daemon, or after a crash. Exits 0 when the whole range is covered, 3 when part of it is above
 * the finalized block (the daemon indexes that part at the tip).
 */
@Command(name = "backfill", description = "Index a block range below the finalized block; idempotent.")
final class BackfillCommand implements Callable<Integer> {
    static final int EXIT_NOT_COVERED = 3;

    @Mixin
    ConfigOption config;

    @Option(names = "--chain", paramLabel = "NAME", description = "chain to backfill (needed when the config has several)")
    String chain;

    @Option(names = "--from", required = true, paramLabel = "N", description = "first block of the range (inclusive)")
    long from;

    @Option(names = "--to", required = true, paramLabel = "M",
            description = "last block of the range (inclusive); the part above the finalized block is left to `run`")
    long to;

    @Option(names = "--force", description = "delete and rewrite the range even where it is covered")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (from < 0 || to < from) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--from must be >= 0 and --to >= --from (got --from " + from + " --to " + to + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Wiring w = Wiring.load(config.file)) {
            IndexPlan.ChainPlan c = w.chain(chainName(w));
            w.openDatabase("evm-indexer backfill");
            Backfill backfill = new Backfill(w.source(c.settings().name()), w.store, c.tables(), c.settings(), new LogRouter());
            long started = System.nanoTime();
            ProgressLine progress = new ProgressLine(out, Tty.interactive(), started);
            Backfill.Result r = RetryingBackfill.run(backfill, c.settings().name(), from, to, force, progress::report,
                    progress::waiting);
            progress.finish();
            double secs = (System.nanoTime() - started) / 1e9;
            out.printf("backfill: chain %s [%d, %d]: wrote %d rows over %d blocks in %.1fs%n", c.settings().name(), from,
                    r.filledTo(), r.rows(), r.blocks(), secs);
            return uncoveredReport(w, c.tables(), out);
        }
    }

    private int uncoveredReport(Wiring w, List<EventTable> tables, PrintWriter out) {
        boolean covered = true;
        for (EventTable t : tables) {
            List<Span> gaps = w.store.uncovered(t, Math.max(from, t.startBlock()), to);
            if (!gaps.isEmpty()) {
                covered = false;
                out.printf("backfill: %s not yet covered: %s (above the finalized block: `run` indexes it at the tip)%n",
                        t.qualifiedName(), gaps);
            }
        }
        return covered ? 0 : EXIT_NOT_COVERED;
    }

    private String chainName(Wiring w) {
        if (chain != null) return chain;
        if (w.plan.chains().size() == 1) return w.plan.chains().keySet().iterator().next();
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "the config has several chains; say which with --chain (" + String.join(", ", w.plan.chains().keySet()) + ")");
    }
}
