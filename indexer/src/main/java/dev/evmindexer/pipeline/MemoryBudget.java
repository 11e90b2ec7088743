package dev.evmindexer.pipeline;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bound on range-phase work in flight, in bytes of heap (ARCHITECTURE.md, bounded memory). A fetcher reserves an
 * estimate before each {@code eth_getLogs} call, the reservation is corrected to the answer's real size when it has
 * been read, and released when its rows are committed. So a smaller heap means fewer or smaller pieces in flight,
 * never an {@link OutOfMemoryError}; the number of units, blocks or fetchers plays no part.
 *
 * <p>A reservation larger than the whole budget waits until nothing else is reserved, then takes all of it (one
 * piece must always be able to go ahead). A correction never waits: it may overdraw the budget, and later
 * reservations wait until enough is released. Thread-safe.
 */
public final class MemoryBudget {
    /** Share of the maximum heap that pieces in flight may hold; the rest is for the JVM, the pools and garbage. */
    public static final double HEAP_SHARE = 0.25;
    /**
     * Heap held per log from its answer to its commit, besides its {@code data}: the {@code eth.Log} (address, topics,
     * hashes; values repeated by consecutive logs shared) and its decoded row. Measured: 200,000 ERC-20 transfers, each
     * in its own transaction, parsed by the streaming parser and routed, held 590 bytes per log after a full GC (373
     * the log, 212 its row); rounded up for logs with more or longer values and the parser's short-lived garbage.
     */
    public static final long BYTES_PER_LOG = 1024;

    private final long total;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long reserved;
    private long peak;
    /** Reservations are served in the order they asked (a big one is not starved by a stream of small ones). */
    private long nextTicket;
    private long serving;

    public MemoryBudget(long totalBytes) {
        if (totalBytes < 1) throw new IllegalArgumentException("a memory budget must be positive, got " + totalBytes);
        this.total = totalBytes;
    }

    /** {@link #HEAP_SHARE} of this JVM's maximum heap. */
    public static MemoryBudget ofHeap() {
        return new MemoryBudget((long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE));
    }

    /** The one budget of this process, shared by every chain's range phase (they share the heap). */
    public static MemoryBudget shared() {
        return Shared.BUDGET;
    }

    private static final class Shared {
        static final MemoryBudget BUDGET = ofHeap();
    }

    /** Bytes a piece of {@code logs} logs with {@code dataBytes} of log data in all holds (saturating). */
    public static long bytesOf(long logs, long dataBytes) {
        if (logs >= Long.MAX_VALUE / BYTES_PER_LOG) return Long.MAX_VALUE;
        long b = logs * BYTES_PER_LOG;
        return b > Long.MAX_VALUE - dataBytes ? Long.MAX_VALUE : b + dataBytes;
    }

    /** Bytes not reserved right now (0 when overdrawn). */
    public long free() {
        lock.lock();
        try {
            return Math.max(0, total - reserved);
        } finally {
            lock.unlock();
        }
    }

    public long total() {
        return total;
    }

    /** Bytes reserved right now (may exceed {@link #total()} after corrections). */
    public long reserved() {
        lock.lock();
        try {
            return reserved;
        } finally {
            lock.unlock();
        }
    }

    /** The most ever reserved at once. */
    public long peak() {
        lock.lock();
        try {
            return peak;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code bytes} (at most the whole budget) fit, in the order reservations were asked for. */
    public Reservation reserve(long bytes) throws InterruptedException {
        long want = Math.max(0, Math.min(bytes, total));
        lock.lockInterruptibly();
        try {
            long ticket = nextTicket++;
            try {
                while (ticket != serving || (reserved > 0 && reserved + want > total)) {
                    released.await(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                // give the turn up: the ones behind must not wait for a ticket that is never served
                abandoned.add(ticket);
                skipAbandoned();
                throw e;
            }
            serving++;
            skipAbandoned();
            add(want);
            released.signalAll();
        } finally {
            lock.unlock();
        }
        return new Reservation(want);
    }

    private final java.util.Set<Long> abandoned = new java.util.HashSet<>();

    private void skipAbandoned() {
        while (abandoned.remove(serving)) serving++;
        released.signalAll();
    }

    private void add(long bytes) {
        reserved += bytes;
        peak = Math.max(peak, reserved);
        if (bytes < 0) released.signalAll();
    }

    /** Bytes held by one piece of work; {@link #close()} releases them (idempotent). */
    public final class Reservation implements AutoCloseable {
        private long bytes;
        private boolean closed;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        /** Corrects the reservation to what the piece really holds; never waits (it may overdraw the budget). */
        public void resize(long actual) {
            lock.lock();
            try {
                if (closed) return;
                long now = Math.max(0, actual);
                add(now - bytes);
                bytes = now;
            } finally {
                lock.unlock();
            }
        }

        public long bytes() {
            lock.lock();
            try {
                return bytes;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) return;
                closed = true;
                add(-bytes);
                released.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
