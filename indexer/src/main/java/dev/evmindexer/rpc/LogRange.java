package dev.evmindexer.rpc;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many blocks the next {@code eth_getLogs} of one endpoint and filter asks for: sized by volume, toward
 * {@code targetLogs} logs per call from the logs per block seen so far, within {@code maxBlocks}
 * (ARCHITECTURE.md, range phase).
 *
 * <ul>
 *   <li>A first call asks for {@link #START_BLOCKS}; each call asks for at most {@link #GROWTH} times the most blocks
 *       that succeeded since the last failure, so an unknown chain is approached in steps, never with one leap into the
 *       dark.
 *   <li>A multi-block call that timed out or was cut off while asking for more blocks than have worked since the last
 *       failure lowers a ceiling to the size that worked (a quarter when none has); at a size that has worked, only
 *       the second time in a row lowers it, to a quarter: a single timeout or dropped connection there is the
 *       network's or the endpoint's fault, not the size's (random drops would otherwise collapse the range). One abandoned as oversized lowers it to the blocks that
 *       would have fit; a provider's refusal to its suggestion, else half. An answer slower than half the timeout
 *       halves the ceiling before it becomes a timeout.
 *   <li>After {@link #GROW_AFTER} quick answers in a row (under a quarter of the timeout) the ceiling grows back by a
 *       quarter: a size that once failed is tried again, slowly.
 * </ul>
 * Thread-safe; concurrent fetchers share one instance (a lock around a few arithmetic steps, no I/O under it).
 */
final class LogRange {
    static final long START_BLOCKS = 8;
    static final int GROWTH = 2;
    static final int GROW_AFTER = 10;
    /** Weight of the newest answer in the logs-per-block estimate: regions of a chain differ, so adapt quickly. */
    private static final double NEWEST_WEIGHT = 0.5;

    private final long maxBlocks;
    private final long targetLogs;
    private final long timeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private double logsPerBlock = Double.NaN;
    private long lastGood;
    private long ceiling;
    private int quick;
    /** Timeouts and cut-offs in a row at sizes that had worked. */
    private int strikes;
    /**
     * When (clock nanos) the range was last lowered or struck by a timeout: a call that started before it failed in
     * the same event (concurrent fetchers time out together) and neither strikes nor lowers again.
     */
    private long lastEvent = Long.MIN_VALUE;

    LogRange(long maxBlocks, long targetLogs, Duration timeout) {
        if (maxBlocks < 1 || targetLogs < 1) throw new IllegalArgumentException("maxBlocks and targetLogs must be positive");
        this.maxBlocks = maxBlocks;
        this.targetLogs = targetLogs;
        this.timeoutNanos = timeout.toNanos();
        this.ceiling = maxBlocks;
    }

    /** Blocks for the next call (at least 1). */
    long next() {
        lock.lock();
        try {
            long byVolume = Double.isNaN(logsPerBlock) ? START_BLOCKS
                    : logsPerBlock <= 0 ? maxBlocks : (long) Math.max(1, targetLogs / logsPerBlock);
            long byGrowth = lastGood == 0 ? START_BLOCKS : lastGood * GROWTH;
            return Math.max(1, Math.min(Math.min(byVolume, byGrowth), Math.min(ceiling, maxBlocks)));
        } finally {
            lock.unlock();
        }
    }

    /** Logs expected in {@code blocks} blocks: the target when nothing is known yet. */
    long expectedLogs(long blocks) {
        lock.lock();
        try {
            return Double.isNaN(logsPerBlock) ? targetLogs : (long) Math.ceil(logsPerBlock * blocks);
        } finally {
            lock.unlock();
        }
    }

    long targetLogs() {
        return targetLogs;
    }

    /** A call of {@code blocks} blocks answered {@code logs} logs in {@code nanos}. */
    void succeeded(long blocks, long logs, long nanos) {
        lock.lock();
        try {
            double observed = (double) logs / blocks;
            logsPerBlock = Double.isNaN(logsPerBlock) ? observed
                    : NEWEST_WEIGHT * observed + (1 - NEWEST_WEIGHT) * logsPerBlock;
            strikes = 0;
            lastGood = Math.max(lastGood, blocks); // a call cut short by the end of its range says nothing smaller works
            if (nanos > timeoutNanos / 2) {
                lower(blocks / 2);
            } else if (nanos < timeoutNanos / 4 && ceiling < maxBlocks && blocks * 2 >= ceiling && ++quick >= GROW_AFTER) {
                quick = 0;
                ceiling = Math.min(maxBlocks, ceiling + Math.max(1, ceiling / 4));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A call of {@code blocks} blocks timed out or was cut off. Returns the new ceiling when the size is to blame:
     * more blocks than have worked since the last failure (then the size that worked, or a quarter), or the second
     * time in a row at a size that had worked (a quarter); else -1, and the failure is the endpoint's.
     */
    long timedOut(long blocks) {
        return timedOut(blocks, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** As {@link #timedOut(long)} for a call started at {@code startedNanos}, now {@code nowNanos}. */
    long timedOut(long blocks, long startedNanos, long nowNanos) {
        lock.lock();
        try {
            if (lastEvent != Long.MIN_VALUE && startedNanos - lastEvent < 0) {
                // failed together with a call that was already counted: one event, one response (no second penalty)
                return ceiling;
            }
            lastEvent = nowNanos;
            if (blocks > lastGood) {
                strikes = 0;
                return lowered(lastGood > 0 ? lastGood : blocks / 4);
            }
            if (++strikes < 2) return -1;
            strikes = 0;
            return lowered(blocks / 4);
        } finally {
            lock.unlock();
        }
    }

    /** A call of {@code blocks} blocks was abandoned as oversized; {@code fitting} blocks would have fit (0: unknown). */
    long oversized(long blocks, long fitting) {
        return lowered(fitting > 0 ? Math.min(fitting, blocks - 1) : blocks / 4);
    }

    /** The provider refused {@code blocks} blocks, suggesting {@code suggested} (0: none, then half). */
    long refused(long blocks, long suggested) {
        return lowered(suggested > 0 ? suggested : blocks / 2);
    }

    /** The ceiling now. */
    long ceiling() {
        lock.lock();
        try {
            return ceiling;
        } finally {
            lock.unlock();
        }
    }

    private long lowered(long blocks) {
        lock.lock();
        try {
            lower(blocks);
            lastGood = Math.min(lastGood, ceiling);
            return ceiling;
        } finally {
            lock.unlock();
        }
    }

    private void lower(long blocks) {
        quick = 0;
        ceiling = Math.max(1, Math.min(ceiling, blocks));
    }
}
