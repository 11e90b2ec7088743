package dev.evmindexer.daemon;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of one chain's loop, read by progress lines, metrics and health checks. */
public final class ChainStatus {
    public final String chain;
    public final AtomicLong tip = new AtomicLong(-1);
    public final AtomicLong blocks = new AtomicLong();
    public final AtomicLong rows = new AtomicLong();
    public final AtomicLong reorgs = new AtomicLong();
    public final AtomicLong rowsRolledBack = new AtomicLong();
    public final AtomicLong errors = new AtomicLong();
    private volatile String halted;
    private volatile String lastError;
    private volatile Failures.Kind lastErrorKind;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long stepStartedNanos;
    private volatile boolean inStep;
    private volatile boolean loopEnded;
    /** Null while this process leads the chain (or has not tried yet); else who does. */
    private volatile String standbyFor;
    private volatile boolean leading;

    public ChainStatus(String chain) {
        this.chain = chain;
    }

    public String halted() {
        return halted;
    }

    void halted(String reason) {
        this.halted = reason;
    }

    /** Who leads the chain while this process waits as its standby; null when this process leads it. */
    public String standbyFor() {
        return standbyFor;
    }

    /** Whether this process leads the chain now. */
    public boolean leading() {
        return leading;
    }

    void leading(boolean leads, String otherLeader) {
        this.leading = leads;
        this.standbyFor = leads ? null : otherLeader;
    }

    public String lastError() {
        return lastError;
    }

    /** What the last error was (null with it): a database error says nothing about the chain's nodes. */
    public Failures.Kind lastErrorKind() {
        return lastErrorKind;
    }

    void lastError(String e) {
        lastError(e, null);
    }

    void lastError(String e, Failures.Kind kind) {
        this.lastErrorKind = e == null ? null : kind;
        this.lastError = e;
    }

    void progressed() {
        lastProgressNanos = System.nanoTime();
    }

    void stepStarted() {
        stepStartedNanos = System.nanoTime();
        inStep = true;
    }

    void stepEnded() {
        inStep = false;
    }

    void markLoopEnded() {
        loopEnded = true;
    }

    /** True once the loop's thread has left its loop (asked to stop, or died). */
    public boolean loopEnded() {
        return loopEnded;
    }

    /**
     * Nanos the step in progress has been running (failed steps included: they end too), or 0 between
     * steps. A step that never ends means the loop is wedged ({@code /healthz}).
     */
    public long runningStepNanos() {
        return inStep ? System.nanoTime() - stepStartedNanos : 0;
    }

    /** Nanos since the loop last finished a step without error. */
    public long sinceProgressNanos() {
        return System.nanoTime() - lastProgressNanos;
    }
}
