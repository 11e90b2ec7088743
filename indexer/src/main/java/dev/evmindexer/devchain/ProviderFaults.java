package dev.evmindexer.devchain;

import dev.evmindexer.eth.Hex;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Applies one server's {@link ProviderLimits}: measures {@code eth_getLogs} answers before they are
 * streamed, refuses those over the cap, and counts every fault it injects. Thread-safe.
 */
final class ProviderFaults {
    private final ProviderLimits limits;
    private final LongAdder refusals = new LongAdder();
    private final LongAdder hangs = new LongAdder();
    private final LongAdder closes = new LongAdder();
    private final LongAdder delayed = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();

    ProviderFaults(ProviderLimits limits) {
        this.limits = limits;
    }

    ProviderLimits limits() {
        return limits;
    }

    /**
     * The number of logs {@code query} matches in the blocks {@code from..to} of {@code s} (at or below
     * its head), or 0 when the limits need no count. Counting stops early, with a result above
     * {@link ProviderLimits#oversizeLogs()}, once the answer is known to be oversized: it is never served
     * in full. Blocks are skipped by log count and bloom; only blocks the bloom admits under an address or
     * topic filter have their logs matched one by one.
     *
     * @throws RpcError Alchemy's refusal when the call is capped and would hold more than {@code maxLogs}
     */
    long admit(DevChain.Snapshot s, long from, long to, LogQuery query) {
        if (!limits.countsLogs() || from > to) return 0;
        boolean capped = limits.capsRange(to - from + 1);
        long total = 0;
        for (long n = from; n <= to; n++) {
            total += matching(s.block(n), query);
            if (capped && total > limits.maxLogs()) {
                refusals.increment();
                throw refusal(from, Math.max(from, n - 1));
            }
            // a capped call is counted to its end, bounded by the cap: it may still be refused
            if (!capped && limits.oversized(total)) return total;
        }
        return total;
    }

    /** Records and returns the sleep due before an answer of {@code logs} logs (zero: nothing recorded). */
    Duration delay(long logs) {
        Duration d = limits.latency(logs);
        if (!d.isZero()) {
            delayed.increment();
            latencyNanos.add(d.toNanos());
        }
        return d;
    }

    void hanging() {
        hangs.increment();
    }

    void closing() {
        closes.increment();
    }

    DevChainServer.Injected injected() {
        return new DevChainServer.Injected(refusals.sum(), hangs.sum(), closes.sum(), delayed.sum(),
                Duration.ofNanos(latencyNanos.sum()));
    }

    /**
     * Alchemy's answer, word for word, to a call over its 10K-log cap; {@code [from, last]} is the longest
     * prefix of the asked range under the cap, or its first block alone when even that is over.
     */
    private RpcError refusal(long from, long last) {
        return new RpcError(RpcError.INVALID_PARAMS, "Log response size exceeded. You can make eth_getLogs requests"
                + " with up to a 2K block range and no limit on the response size, or you can request any block range"
                + " with a cap of 10K logs in the response. Based on your parameters, this block range should work: ["
                + Hex.quantity(from) + ", " + Hex.quantity(last) + "]");
    }

    private static long matching(DevBlock block, LogQuery query) {
        int size = block.logs().size();
        if (size == 0 || !query.mayMatch(block.bloom())) return 0;
        if (query.matchesEveryLog()) return size;
        LogTable table = block.logs().table(); // generated blocks are regenerated: a few µs per 100 logs
        long n = 0;
        for (int i = 0; i < size; i++) {
            if (query.matches(table, i)) n++;
        }
        return n;
    }
}
