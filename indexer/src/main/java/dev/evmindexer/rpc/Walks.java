package dev.evmindexer.rpc;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.pipeline.ChainSource;
import dev.evmindexer.pipeline.SourceException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walk-backs on one endpoint (ARCHITECTURE.md, invariant 3) and their confirmation by a second one (invariant 4): mixing
 * endpoints within one walk-back could compare one node's fork with another's, and a deep rollback or a halt on the
 * word of one node is what a node on a wrong fork would cause.
 */
final class Walks {
    private static final Logger log = LoggerFactory.getLogger(Walks.class);

    private Walks() {}

    /**
     * A usable endpoint whose last known head is at or above {@code minHead}, at random among them; else the usable
     * one with the highest known head; null when none is usable.
     */
    static Endpoint choose(EndpointPool pool, long minHead) {
        long now = pool.now();
        List<Endpoint> usable = pool.endpoints().stream().filter(e -> e.health().usable(now)).toList();
        if (usable.isEmpty()) return null;
        List<Endpoint> high = new ArrayList<>(usable.stream().filter(e -> e.metrics().head() >= minHead).toList());
        if (!high.isEmpty()) return high.get(ThreadLocalRandom.current().nextInt(high.size()));
        return usable.stream().max(Comparator.comparingLong(e -> e.metrics().head())).orElseThrow();
    }

    /** The chain as {@code pinned} sees it, confirmed against the other endpoints. */
    static final class Pinned implements ChainSource.Canonical {
        private final EndpointPool pool;
        private final Endpoint pinned;
        private final RpcChainSource.HeaderFetch fetch;

        Pinned(EndpointPool pool, Endpoint pinned, RpcChainSource.HeaderFetch fetch) {
            this.pool = pool;
            this.pinned = pinned;
            this.fetch = fetch;
        }

        /** One attempt on the pinned endpoint: a failure ends the walk-back (the next step starts a new one). */
        @Override
        public Optional<BlockHeader> header(long number) {
            try {
                Optional<BlockHeader> h = RpcChainSource.one(fetch, pinned, number);
                pinned.health().succeeded();
                return h;
            } catch (RpcFault | IllegalArgumentException | NullPointerException e) {
                String cause = pool.penalise(pinned, e);
                throw new SourceException("reading header #" + number + " on " + pinned.name()
                        + " (pinned for a walk-back or the anchor): " + cause);
            }
        }

        /**
         * Asks the other usable endpoints for the header at {@code number}: the first that has one decides. True when
         * it has {@code hash}; false when it has another hash. When none could tell (down, or its head below
         * {@code number}), whether {@code ifNoneCanTell} is {@link IfNoneCanTell#GO_ON} (and, where there are others,
         * the pinned endpoint asked again says the same). With no other endpoint configured, the pinned one is asked
         * again: behind a provider's load balancer a second answer may come from another node, and one node's fork
         * must not halt or deeply roll back the chain on a single answer.
         */
        @Override
        public boolean confirm(long number, Hash hash, IfNoneCanTell ifNoneCanTell) {
            List<Endpoint> others = pool.endpoints().stream()
                    .filter(e -> e != pinned && e.health().state() != EndpointHealth.State.DISABLED).toList();
            List<Endpoint> askers = others.isEmpty() ? List.of(pinned) : others;
            long now = pool.now();
            for (Endpoint other : askers) {
                if (!other.health().usable(now)) continue;
                Optional<BlockHeader> h;
                try {
                    h = RpcChainSource.one(fetch, other, number);
                    other.health().succeeded();
                } catch (RpcFault e) {
                    pool.penalise(other, e);
                    continue;
                }
                if (h.isEmpty()) continue; // above its head: it cannot say
                if (h.get().hash().equals(hash)) {
                    log.info("chain {}: {} confirms block #{} {} seen on {}", pool.chainName(), other.name(), number,
                            hash.shortHex(), pinned.name());
                    return true;
                }
                log.warn("chain {}: endpoints disagree at #{}: {} has {}, {} has {}", pool.chainName(), number,
                        pinned.name(), hash.shortHex(), other.name(), h.get().hash().shortHex());
                return false;
            }
            boolean goOn = ifNoneCanTell == IfNoneCanTell.GO_ON;
            if (goOn && !others.isEmpty()) {
                // none of the others can tell: not one answer, though (an answer from another fork stored as the anchor
                // halted MixedFaultsIT): the pinned endpoint asked again must say the same
                return askedAgain(number, hash);
            }
            log.warn("chain {}: no endpoint could confirm block #{} {} of {} ({})", pool.chainName(), number,
                    hash.shortHex(), pinned.name(), goOn ? "going on without" : "waiting for one");
            return goOn;
        }

        private boolean askedAgain(long number, Hash hash) {
            Optional<BlockHeader> again;
            try {
                again = RpcChainSource.one(fetch, pinned, number);
            } catch (RpcFault e) {
                pool.penalise(pinned, e);
                return false;
            }
            boolean same = again.isPresent() && again.get().hash().equals(hash);
            log.warn("chain {}: no other endpoint could confirm block #{} {}; {} asked again {}", pool.chainName(), number,
                    hash.shortHex(), pinned.name(), same ? "says the same" : "says otherwise: waiting");
            return same;
        }
    }
}
