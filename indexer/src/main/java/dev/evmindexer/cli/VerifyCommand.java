package dev.evmindexer.cli;

import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.pipeline.LogRouter;
import dev.evmindexer.pipeline.Verifier;
import dev.evmindexer.store.PgVerifyStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: re-fetches {@code [from, to]} from the chain's nodes and compares it, per block and
 * table, with the database; prints a summary and the first differences. {@code --repair} rewrites the
 * differing blocks, each run of them in one transaction under the chain's lock and epoch, so it is safe
 * beside a running daemon. Exits 0 only when the range is equal (after repair), {@value #EXIT_DIFFERENT}
 * when differences remain. {@code --proof} takes the node's logs from receipts proven against each block's header
 * (ARCHITECTURE.md, invariant 9) and counts a block whose receipts do not prove as a difference.
 */
@Command(name = "verify", description = "Compare a block range in the database with the chain's nodes; --repair fixes it.")
final class VerifyCommand implements Callable<Integer> {
    static final int EXIT_DIFFERENT = 4;

    @Mixin
    ConfigOption config;

    @Option(names = "--chain", paramLabel = "NAME", description = "chain to verify (needed when the config has several)")
    String chain;

    @Option(names = "--from", required = true, paramLabel = "N", description = "first block to compare (inclusive)")
    long from;

    @Option(names = "--to", required = true, paramLabel = "M", description = "last block to compare (inclusive)")
    long to;

    @Option(names = "--repair", description = "rewrite the blocks that differ from the node")
    boolean repair;

    @Option(names = "--proof", description = "take the node's logs from each block's receipts, proven against its "
            + "header's receiptsRoot, and report blocks whose receipts do not prove")
    boolean proof;

    @Option(names = "--show", paramLabel = "K", defaultValue = "20", description = "differences to print (default ${DEFAULT-VALUE})")
    int show;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (from < 0 || to < from) {
            throw new ParameterException(spec.commandLine(),
                    "--from must be >= 0 and --to >= --from (got --from " + from + " --to " + to + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Wiring w = Wiring.load(config.file)) {
            IndexPlan.ChainPlan c = w.chain(chainName(w));
            w.openDatabase("evm-indexer verify");
            String name = c.settings().name();
            Verifier verifier = new Verifier(w.source(name), w.store, new PgVerifyStore(w.database.dataSource()), c.tables(),
                    c.settings(), new LogRouter());
            Verifier.Report r = verifier.run(from, to, repair, show, proof);
            out.printf("verify: chain %s [%d, %d]: %d blocks, %d rows on the node, %d in the tables, %d differing block(s)%s%n",
                    name, r.from(), r.to(), r.blocks(), r.rowsOnNode(), r.rowsInTables(), r.differing(),
                    r.uncovered() > 0 ? " (" + r.uncovered() + " table-blocks not indexed yet, skipped)" : "");
            for (Verifier.Difference d : r.first()) {
                out.printf("  block #%d %s: %s%n", d.block(), d.table() == null ? "header" : d.table(), d.what());
            }
            if (proof) out.printf("verify: receipts proven in %d block(s), %d did not prove%n", r.blocks() - r.unproven(),
                    r.unproven());
            if (r.differing() > r.first().size()) out.printf("  ... and more (--show K prints more)%n");
            if (repair) out.printf("verify: repaired %d of %d differing block(s)%n", r.repaired(), r.differing());
            out.printf("verify: %s%n", r.equal() ? "EQUAL" : "DIFFERENT" + (repair ? "" : " (--repair rewrites these blocks)"));
            return r.equal() ? 0 : EXIT_DIFFERENT;
        }
    }

    private String chainName(Wiring w) {
        if (chain != null) return chain;
        if (w.plan.chains().size() == 1) return w.plan.chains().keySet().iterator().next();
        throw new ParameterException(spec.commandLine(),
                "the config has several chains; say which with --chain (" + String.join(", ", w.plan.chains().keySet()) + ")");
    }
}
