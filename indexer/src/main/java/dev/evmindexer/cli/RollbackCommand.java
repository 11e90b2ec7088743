package dev.evmindexer.cli;

import dev.evmindexer.pipeline.ChainState;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.pipeline.RollbackResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rollback}: the way out of a halt. Rewinds the chain to block N in one transaction (rows,
 * headers and coverage above N go, the epoch is bumped, the halt is cleared); the daemon then re-indexes
 * from the node. Refuses N below the finalized block unless {@code --force}.
 */
@Command(name = "rollback", description = "Rewind a chain to block N in one transaction (clears a halt).")
final class RollbackCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--chain", required = true, paramLabel = "NAME", description = "the chain to rewind (its name in the config)")
    String chain;

    @Option(names = "--to", required = true, paramLabel = "N",
            description = "the block to keep: everything above it is deleted in one transaction")
    long to;

    @Option(names = "--force", description = "allow rewinding below the finalized block")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (to < 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--to must be >= 0, got " + to);
        try (Wiring w = Wiring.load(config.file)) {
            IndexPlan.ChainPlan c = w.chain(chain);
            w.openDatabase("evm-indexer rollback");
            long chainId = c.settings().chainId();
            ChainState state = w.store.chain(chainId);
            if (to < state.finalized() && !force) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "block " + to
                        + " is below chain " + chain + "'s finalized block " + state.finalized()
                        + "; finalized data is not rewound without --force");
            }
            RollbackResult r = w.store.rollback(chainId, state.epoch(), to, "manual rollback to " + to);
            spec.commandLine().getOut().printf("rollback: chain %s rewound to block %d (previous tip %s): %d row(s) "
                    + "deleted, epoch now %d%s%n", chain, to, r.previousTip() < 0 ? "none" : r.previousTip(), r.rowsDeleted(),
                    r.newEpoch(), state.halted() ? "; halt cleared" : "");
            return 0;
        }
    }
}
