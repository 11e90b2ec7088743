package dev.evmindexer.rpc;

import dev.evmindexer.pipeline.SourceException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Hedged tip calls: the call starts on its endpoint; if no answer came within that endpoint's p95 latency (and at
 * least {@link #MIN_DELAY}), a copy
 * starts on a second usable endpoint that keeps up with the head, and the first answer wins (the other call is
 * interrupted and its outcome ignored). An endpoint without enough latency samples is not hedged. Range calls never
 * come here: hedging them would double the provider cost of the heaviest requests.
 *
 * <p>Health: the endpoint that answered is marked as succeeded; when the first endpoint failed and the hedge
 * answered, the first is penalised here; when both fail, the hedge is penalised here and the first endpoint's fault
 * is thrown for the pool to penalise.
 */
final class Hedging {
    /** Never hedge sooner than this: below it a copy costs more than it can save. */
    static final Duration MIN_DELAY = Duration.ofMillis(10);

    private final EndpointPool pool;

    Hedging(EndpointPool pool) {
        this.pool = pool;
    }

    /** One finished call: its endpoint and either its value or what it threw. */
    private record Done<T>(Endpoint ep, T value, RuntimeException failure) {}

    <T> T run(Endpoint first, Set<Endpoint> tried, Function<Endpoint, T> fn) {
        Duration p95 = first.latency().percentile(0.95);
        if (p95 == null) {
            T value = fn.apply(first);
            first.health().succeeded();
            return value;
        }
        BlockingQueue<Done<T>> done = new ArrayBlockingQueue<>(2);
        Thread a = start(first, fn, done);
        Thread b = null;
        Endpoint second = null;
        try {
            Done<T> d = done.poll(Math.max(p95.toNanos(), MIN_DELAY.toNanos()), TimeUnit.NANOSECONDS);
            if (d == null) {
                second = pool.pick(pool.now(), tried, true, true);
                if (second != null) {
                    tried.add(second);
                    b = start(second, fn, done);
                }
                d = done.take();
            }
            if (d.failure() == null || d.failure() instanceof SourceException || b == null) {
                // A hedge that lost was cut off unread: it gave no answer, so a retry of this call (e.g. of an empty
                // answer a bloom contradicts) must still be free to go there rather than back to the endpoint it lost to.
                if (second != null && d.ep() != second) tried.remove(second);
                return settle(d, first);
            }
            Done<T> other = done.take(); // the first to finish failed: the other one may still answer
            if (other.failure() != null && !(other.failure() instanceof SourceException)) {
                Done<T> hedge = other.ep() == first ? d : other;
                pool.penalise(hedge.ep(), hedge.failure());
                throw (other.ep() == first ? other : d).failure();
            }
            pool.penalise(d.ep(), d.failure());
            return settle(other, first);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("hedged call on " + first.name() + " interrupted", e);
        } finally {
            a.interrupt();
            if (b != null) b.interrupt();
        }
    }

    /** Returns the winner's value (marking it healthy) or rethrows a pass-through failure. */
    private static <T> T settle(Done<T> d, Endpoint first) {
        if (d.failure() != null) throw d.failure();
        d.ep().health().succeeded();
        if (d.ep() != first) d.ep().metrics().hedgeWon();
        return d.value();
    }

    private static <T> Thread start(Endpoint ep, Function<Endpoint, T> fn, BlockingQueue<Done<T>> done) {
        return Thread.ofVirtual().name("rpc-hedge-" + ep.name()).start(() -> {
            Done<T> d;
            try {
                d = new Done<>(ep, fn.apply(ep), null);
            } catch (RuntimeException e) {
                d = new Done<>(ep, null, e);
            }
            done.offer(d);
        });
    }
}
