package dev.evmindexer.cli;

import dev.evmindexer.daemon.Failures;
import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.pipeline.ChainState;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.store.StatusQueries;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code status}: per chain the node's head, the finalized block, our tip and lag; per table its coverage. */
@Command(name = "status", description = "Show head, finalized, tip, lag and covered ranges per chain and table.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Wiring w = Wiring.load(config.file)) {
            w.openDatabase("evm-indexer status");
            for (IndexPlan.ChainPlan c : w.plan.chains().values()) {
                long chainId = c.settings().chainId();
                ChainState state = w.store.chain(chainId);
                long tip = w.store.tip(chainId).map(BlockHeader::number).orElse(-1L);
                String head;
                String lag;
                try {
                    long h = w.source(c.settings().name()).heads().head();
                    head = Long.toString(h);
                    lag = tip < 0 ? "-" : Long.toString(h - tip);
                } catch (RuntimeException e) {
                    head = "unknown (" + Failures.describe(e) + ")";
                    lag = "?";
                }
                out.printf("chain %s (id %d): head %s, finalized %d, tip %s, lag %s blocks, epoch %d%s%n",
                        c.settings().name(), chainId, head, state.finalized(), tip < 0 ? "none" : tip, lag, state.epoch(),
                        state.halted() ? ", HALTED: " + state.haltedReason().get() : "");
                for (StatusQueries.TableStatus t : StatusQueries.tables(w.database.dataSource(), chainId)) {
                    out.printf("  table %s: from block %d, covered %s, finalized through %s%n", t.table(), t.startBlock(),
                            t.coverage(), t.finalizedThrough() < 0 ? "-" : t.finalizedThrough());
                }
            }
            return 0;
        }
    }
}
