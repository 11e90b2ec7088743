package dev.evmindexer.rpc;

import dev.evmindexer.eth.Header;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second opinion on an empty answer whose block's bloom says a matching log may be there (blooms have false
 * positives, but a node may also drop logs): the call is asked again, elsewhere where possible (the endpoints tried
 * are kept across the attempts), else on the same endpoint (one URL may be a load balancer over several nodes), up to
 * {@code bloomRetries} more times; then the answer is accepted and counted. Shared by the tip's block
 * logs ({@link RpcChainSource}) and the range pieces ({@link RangeFetcher}) of one source. Thread-safe.
 */
final class BloomRetry {
    private static final Logger log = LoggerFactory.getLogger(BloomRetry.class);

    private final EndpointPool pool;
    private final AtomicLong accepted = new AtomicLong();

    BloomRetry(EndpointPool pool) {
        this.pool = pool;
    }

    /**
     * The first answer of {@code ask} (given the endpoints tried so far, which it adds to) that {@code contradicted}
     * does not reject, or the last one once the retries are used up (counted in {@link #accepted()}). A rejected answer
     * is passed to {@code drop} (to release what it holds) before asking again.
     *
     * @param block the block whose bloom an answer was checked against (for the log line)
     */
    <T> T ask(Set<Endpoint> tried, Function<Set<Endpoint>, T> ask, Predicate<T> contradicted,
            Function<T, ? extends Header> block, Consumer<T> drop) {
        for (int retry = 0; ; retry++) {
            T answer = ask.apply(tried);
            if (!contradicted.test(answer)) return answer;
            if (retry >= pool.settings().bloomRetries()) {
                accepted.incrementAndGet();
                log.debug("chain {}: no logs in block {} although its bloom may match; accepted after {} tries on {} "
                        + "endpoints", pool.chainName(), block.apply(answer), retry + 1, tried.size());
                return answer;
            }
            drop.accept(answer);
        }
    }

    /** How many empty answers were accepted although their block's bloom may match, after the retries. */
    long accepted() {
        return accepted.get();
    }
}
