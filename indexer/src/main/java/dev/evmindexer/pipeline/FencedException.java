package dev.evmindexer.pipeline;

/**
 * A tip write by a process that is no longer the chain's leader: another process took the lease (bumped the leader
 * generation) since this one got it. Nothing was written; the process goes back to standby.
 */
public class FencedException extends RuntimeException {
    public FencedException(long chainId, long held, long current) {
        super("chain " + chainId + ": leader generation is " + current + ", this process led generation " + held
                + " (another process took over); the write was refused");
    }
}
