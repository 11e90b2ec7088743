package dev.evmindexer.rpc;

import dev.evmindexer.eth.Hex;
import dev.evmindexer.pipeline.SourceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints of one chain and the only place RPC calls are retried. A call runs on the usable endpoint with
 * the fewest recent errors (weighted random choice among equals, by {@code weight}), preferring endpoints it has
 * not tried yet; a fault takes that endpoint out of rotation (exponential re-entry with jitter) and the call moves
 * on, waiting for re-entry when no endpoint is usable, for at most {@link Settings#maxAttempts} attempts. Tip calls
 * avoid endpoints whose head is more than {@link Settings#lagBlocks} behind the best known head (unless no other is
 * usable) and may be hedged ({@link Hedging}). Endpoints that were unreachable when their chain id was to be
 * checked are probed again in the background once their backoff has passed.
 */
final class EndpointPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointPool.class);
    private static final Duration UNREACHABLE_LOG_INTERVAL = Duration.ofSeconds(60);
    /** No call answered for this long while calls wait: worth a warning (then one every {@link #UNREACHABLE_LOG_INTERVAL}). */
    private static final Duration ALL_DOWN_WARN_AFTER = Duration.ofSeconds(10);

    /**
     * Retry policy; {@link #DEFAULT} in production, shorter backoffs in tests.
     *
     * @param lagBlocks how far behind the best known head an endpoint may be and still get tip calls
     * @param hedge     whether slow tip calls get a hedged copy on a second endpoint
     */
    record Settings(int maxAttempts, Duration baseBackoff, Duration maxBackoff, int bloomRetries, int lagBlocks,
                    boolean hedge) {
        static final Settings DEFAULT = new Settings(5, Duration.ofSeconds(1), Duration.ofSeconds(60), 3, 5, true);

        Settings {
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            if (baseBackoff.isNegative() || baseBackoff.isZero() || maxBackoff.compareTo(baseBackoff) < 0) {
                throw new IllegalArgumentException("need 0 < baseBackoff <= maxBackoff, got " + baseBackoff + " and "
                        + maxBackoff);
            }
            if (bloomRetries < 0) throw new IllegalArgumentException("bloomRetries must be >= 0, got " + bloomRetries);
            if (lagBlocks < 0) throw new IllegalArgumentException("lagBlocks must be >= 0, got " + lagBlocks);
        }

        Settings(int maxAttempts, Duration baseBackoff, Duration maxBackoff, int bloomRetries) {
            this(maxAttempts, baseBackoff, maxBackoff, bloomRetries, DEFAULT.lagBlocks, DEFAULT.hedge);
        }
    }

    private final String chainName;
    private final long chainId;
    private final List<Endpoint> endpoints;
    private final Settings settings;
    private final OkHttpClient http;
    private final Hedging hedging;
    private final AtomicLong lastAllDownLog = new AtomicLong(Long.MIN_VALUE);
    /** Per endpoint, the last bad {@code eth_chainId} answer logged at WARN (the same one again only at DEBUG). */
    private final java.util.Map<String, String> warned = new java.util.concurrent.ConcurrentHashMap<>();
    /** When a call last succeeded (clock nanos). */
    private final AtomicLong lastSuccess;
    private volatile boolean stopping;

    private EndpointPool(String chainName, long chainId, List<Endpoint> endpoints, Settings settings,
            OkHttpClient http) {
        this.chainName = chainName;
        this.chainId = chainId;
        this.endpoints = endpoints;
        this.settings = settings;
        this.http = http;
        this.hedging = new Hedging(this);
        this.lastSuccess = new AtomicLong(endpoints.get(0).health().now());
    }

    /**
     * Builds the pool and checks every endpoint's chain id, blocking until at least one endpoint is verified.
     *
     * @throws IllegalStateException when an endpoint serves another chain (a configuration error, not retriable)
     * @throws SourceException       when interrupted while waiting for a reachable endpoint
     */
    static EndpointPool connect(String chainName, long chainId, List<EndpointSpec> specs, Settings settings,
            LongSupplier nanoClock) {
        EndpointPool pool = open(chainName, chainId, specs, settings, nanoClock);
        try {
            pool.verifyAtStart();
            return pool;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Builds the pool without checking any endpoint: every endpoint starts unverified, and is checked by
     * {@link #verifyOnce()} or, when a call needs one, in the background.
     */
    static EndpointPool open(String chainName, long chainId, List<EndpointSpec> specs, Settings settings,
            LongSupplier nanoClock) {
        if (specs.isEmpty()) throw new IllegalArgumentException("chain " + chainName + " has no RPC endpoints");
        OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
        List<Endpoint> endpoints = new ArrayList<>();
        for (EndpointSpec spec : specs) {
            EndpointHealth health = new EndpointHealth(nanoClock, settings.baseBackoff(), settings.maxBackoff(),
                    () -> ThreadLocalRandom.current().nextDouble());
            endpoints.add(new Endpoint(spec, http, health, nanoClock));
        }
        return new EndpointPool(chainName, chainId, List.copyOf(endpoints), settings, http);
    }

    /**
     * One round of chain-id checks: every unverified endpoint is asked {@code eth_chainId} once, in parallel
     * (each bounded by its timeout), whether or not its backoff has passed. Returns when at least one endpoint
     * is verified.
     *
     * @throws SourceException       when none is verified: names each endpoint and why it did not answer
     * @throws IllegalStateException when none is verified and an endpoint serves another chain id
     */
    void verifyOnce() {
        stopIfAsked("connecting chain " + chainName);
        List<Thread> probes = new ArrayList<>();
        List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> unreachable = java.util.Collections.synchronizedList(new ArrayList<>());
        for (Endpoint e : endpoints) {
            if (e.health().state() != EndpointHealth.State.UNVERIFIED) continue;
            probes.add(Thread.ofVirtual().name("rpc-connect-" + chainName).start(() -> {
                String refusal = probe(e, unreachable);
                if (refusal != null) refusals.add(refusal);
            }));
        }
        for (Thread t : probes) join(t);
        if (endpoints.stream().anyMatch(e -> e.health().state() == EndpointHealth.State.ACTIVE)) return;
        if (!refusals.isEmpty()) throw new IllegalStateException(refusals.get(0));
        throw new SourceException("none of the " + endpoints.size() + " endpoints of chain " + chainName
                + " answers: " + String.join("; ", unreachable));
    }

    /**
     * From now on no call waits for an endpoint (each throws {@link SourceException} instead of waiting for one
     * to come back into rotation); calls in flight finish. For a clean stop: waiting can last as long as an outage.
     */
    void stopWaiting() {
        stopping = true;
    }

    private void stopIfAsked(String what) {
        if (stopping) throw new SourceException("doing " + what + ": stopping");
    }

    long chainId() {
        return chainId;
    }

    String chainName() {
        return chainName;
    }

    Settings settings() {
        return settings;
    }

    /** Reports every exchange of every endpoint to {@code observer} (metrics). */
    void observe(RpcObserver observer) {
        endpoints.forEach(e -> e.observe(observer));
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }

    long now() {
        return endpoints.get(0).health().now();
    }

    /** Nanoseconds since any endpoint last answered a call. */
    long nanosSinceAnswer() {
        return now() - lastSuccess.get();
    }

    /** A set of tried endpoints that calls running on several threads (hedged calls) may share. */
    static Set<Endpoint> triedSet() {
        return ConcurrentHashMap.newKeySet();
    }

    /**
     * Runs {@code fn} on one endpoint at a time until it returns, retrying faults on other endpoints.
     * {@link RpcFault.RangeTooLarge} and {@link SourceException}s (e.g. a block that is gone) pass through at once.
     *
     * @param what  what the call does, for the error message ("doing X: cause")
     * @param tried endpoints to avoid while others are usable; every endpoint this call uses is added to it
     */
    <T> T call(String what, Set<Endpoint> tried, Function<Endpoint, T> fn) {
        return call(what, tried, false, fn);
    }

    <T> T call(String what, Function<Endpoint, T> fn) {
        return call(what, triedSet(), false, fn);
    }

    /** A call for tip work: avoids lagging endpoints where others are usable, and is hedged when slow. */
    <T> T callTip(String what, Set<Endpoint> tried, Function<Endpoint, T> fn) {
        return call(what, tried, true, fn);
    }

    private <T> T call(String what, Set<Endpoint> tried, boolean tip, Function<Endpoint, T> fn) {
        String lastCause = "no attempt made";
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            Endpoint ep = acquire(what, tried, tip);
            tried.add(ep);
            try {
                T result;
                if (tip && settings.hedge()) {
                    result = hedging.run(ep, tried, fn);
                } else {
                    result = fn.apply(ep);
                    ep.health().succeeded();
                }
                lastSuccess.set(now());
                return result;
            } catch (RpcFault.RangeTooLarge e) {
                ep.metrics().error(e.cause()); // counted, but not against the endpoint's health: the range shrinks
                throw e;
            } catch (SourceException e) {
                throw e;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new SourceException("doing " + what + ": interrupted", e);
                }
                lastCause = penalise(ep, e);
            }
        }
        throw new SourceException("doing " + what + ": " + lastCause + " (gave up after " + settings.maxAttempts()
                + " attempts)");
    }

    /** The endpoints' (redacted) names, in config order. */
    List<String> names() {
        return endpoints.stream().map(Endpoint::name).toList();
    }

    /** A tried set holding every endpoint but the one named {@code name}: a call made with it asks that one first. */
    Set<Endpoint> allBut(String name) {
        Set<Endpoint> tried = triedSet();
        for (Endpoint e : endpoints) if (!e.name().equals(name)) tried.add(e);
        return tried;
    }

    /** Penalises the endpoint named {@code name} for an answer found wrong later (reconciliation); no-op if unknown. */
    void penaliseLater(String name, String why) {
        for (Endpoint e : endpoints) if (e.name().equals(name)) penalise(e, new RpcFault(why));
    }

    /** True when an endpoint outside {@code tried} is usable right now. */
    boolean hasUsableOutside(Set<Endpoint> tried) {
        long now = now();
        return endpoints.stream().anyMatch(e -> !tried.contains(e) && e.health().usable(now));
    }

    /**
     * Takes {@code ep} out of rotation for its next backoff step because of {@code failure}, and counts it by kind.
     * Anything but an {@link RpcFault} thrown while reading an answer (a parse error that slipped through) is a bad
     * answer. Returns the failure's description.
     */
    String penalise(Endpoint ep, RuntimeException failure) {
        String cause;
        RpcFault.Kind kind;
        if (failure instanceof RpcFault f) {
            cause = f.getMessage();
            kind = f.kind();
        } else {
            cause = ep.name() + " gave a malformed answer (" + failure.getClass().getSimpleName() + ": "
                    + failure.getMessage() + ")";
            kind = RpcFault.Kind.BAD_ANSWER;
        }
        ep.metrics().error(kind);
        Duration out = ep.health().failed();
        if (!out.isZero()) {
            ep.metrics().tookOutOfRotation();
            log.warn("chain {}: endpoint {} out of rotation for {} ms: {}", chainName, ep.name(), out.toMillis(), cause);
        } else {
            log.debug("chain {}: endpoint {} failed again: {}", chainName, ep.name(), cause);
        }
        return cause;
    }

    /** Records {@code head} as {@code ep}'s latest head. */
    void noteHead(Endpoint ep, long head) {
        ep.metrics().head(head);
    }

    /** The highest head any active endpoint reported, or -1. */
    long bestHead() {
        return endpoints.stream().filter(e -> e.health().state() == EndpointHealth.State.ACTIVE)
                .mapToLong(e -> e.metrics().head()).max().orElse(-1);
    }

    /** False when {@code ep}'s last known head is more than {@code lagBlocks} behind the best known head. */
    boolean keepsUp(Endpoint ep) {
        long head = ep.metrics().head();
        return head < 0 || bestHead() - head <= settings.lagBlocks();
    }

    private Endpoint acquire(String what, Set<Endpoint> tried, boolean tip) {
        while (true) {
            long now = now();
            startDueProbes(now);
            // Untried endpoints first: a retry (of a bad or bloom-contradicted answer) must go elsewhere, even to an
            // endpoint whose last seen head looks behind (it may just not have been asked lately); among them, and
            // among tried ones, tip work prefers endpoints that keep up.
            Endpoint pick = tip ? pick(now, tried, true, true) : null;
            if (pick == null) pick = pick(now, tried, true, false);
            if (pick == null && tip) pick = pick(now, tried, false, true);
            if (pick == null) pick = pick(now, tried, false, false);
            if (pick != null) return pick;
            stopIfAsked(what);
            if (endpoints.stream().allMatch(e -> e.health().state() == EndpointHealth.State.DISABLED)) {
                throw new SourceException("doing " + what + ": no usable endpoint for chain " + chainName
                        + " (" + endpoints.get(0).health().disabledReason() + ")");
            }
            warnIfLongDown(now, now - lastSuccess.get(), what);
            long wakeAt = endpoints.stream()
                    .filter(e -> e.health().state() == EndpointHealth.State.ACTIVE)
                    .mapToLong(e -> e.health().outUntil())
                    .min().orElse(now + settings.baseBackoff().toNanos());
            sleepNanos(Math.max(wakeAt - now, TimeUnit.MILLISECONDS.toNanos(1)), what);
        }
    }

    private void warnIfLongDown(long now, long waitedNanos, String what) {
        if (waitedNanos < ALL_DOWN_WARN_AFTER.toNanos()) return;
        long last = lastAllDownLog.get();
        if (last != Long.MIN_VALUE && now - last < UNREACHABLE_LOG_INTERVAL.toNanos()) return;
        if (!lastAllDownLog.compareAndSet(last, now)) return;
        log.warn("chain {}: no endpoint has answered for {} s; all {} are out of rotation, waiting for one to come "
                + "back ({}; a call is tried on at most {} endpoints in turn, then the daemon or backfill retries it "
                + "with backoff): {}", chainName, TimeUnit.NANOSECONDS.toSeconds(waitedNanos), endpoints.size(), what,
                settings.maxAttempts(), endpoints.stream().map(e -> e.name() + " " + e.health().state()).toList());
    }

    /**
     * The usable endpoint with the lowest (rounded) error score, chosen at random by weight among equals; with
     * {@code untriedOnly} only endpoints outside {@code tried}, with {@code keepingUp} only those not lagging.
     */
    Endpoint pick(long now, Set<Endpoint> tried, boolean untriedOnly, boolean keepingUp) {
        List<Endpoint> best = new ArrayList<>();
        long bestScore = Long.MAX_VALUE;
        for (Endpoint e : endpoints) {
            if (untriedOnly && tried.contains(e)) continue;
            if (!e.health().usable(now)) continue;
            if (keepingUp && !keepsUp(e)) continue;
            long score = Math.round(e.health().score(now));
            if (score < bestScore) {
                best.clear();
                bestScore = score;
            }
            if (score == bestScore) best.add(e);
        }
        if (best.size() <= 1) return best.isEmpty() ? null : best.get(0);
        double total = best.stream().mapToDouble(e -> e.spec().weight()).sum();
        double r = ThreadLocalRandom.current().nextDouble(total);
        for (Endpoint e : best) {
            r -= e.spec().weight();
            if (r < 0) return e;
        }
        return best.get(best.size() - 1);
    }

    private void startDueProbes(long now) {
        for (Endpoint e : endpoints) {
            if (e.health().startProbe(now)) {
                Thread.ofVirtual().name("rpc-probe-" + chainName).start(() -> {
                    try {
                        probe(e, null);
                    } finally {
                        e.health().endProbe();
                    }
                });
            }
        }
    }

    /**
     * Checks one endpoint's chain id. Returns null when it is verified or unreachable (adding why to
     * {@code unreachable} when given), else why it is refused.
     */
    private String probe(Endpoint e, List<String> unreachable) {
        long served;
        try {
            served = Hex.quantity(e.send(Endpoint.Call.of("eth_chainId")).required().asText());
        } catch (RuntimeException ex) {
            String cause = ex instanceof RpcFault ? ex.getMessage() : e.name() + " gave a malformed eth_chainId";
            Duration out = e.health().failed();
            if (answeredGarbage(ex) && !cause.equals(warned.put(e.name(), cause))) {
                // it answers, but not as a node: a proxy's error page, a login form, another service on that port
                log.warn("chain {}: endpoint {} answered eth_chainId, but not as a node does: {}; kept out of rotation, "
                        + "tried again in {} ms", chainName, e.name(), cause, out.toMillis());
            } else {
                log.debug("chain {}: endpoint {} not reachable (next try in {} ms): {}", chainName, e.name(),
                        out.toMillis(), cause);
            }
            if (unreachable != null) unreachable.add(cause);
            return null;
        }
        if (served != chainId) {
            String reason = "endpoint " + e.name() + " of chain " + chainName + " serves chain id " + served
                    + ", expected " + chainId;
            e.health().disable(reason);
            log.error("chain {}: {}; it is never used", chainName, reason);
            return reason;
        }
        e.health().verified();
        log.info("chain {}: endpoint {} serves chain id {}, in rotation", chainName, e.name(), chainId);
        return null;
    }

    /**
     * Whether a failed {@code eth_chainId} had an answer that is not a node's: not JSON-RPC, or an HTTP error status
     * with a body (its first bytes are in the message), as opposed to no answer at all (refused, timed out).
     */
    private static boolean answeredGarbage(RuntimeException ex) {
        if (!(ex instanceof RpcFault f)) return true;
        return f.kind() == RpcFault.Kind.ERROR_ANSWER || f.kind() == RpcFault.Kind.BAD_ANSWER
                || (f.kind() == RpcFault.Kind.TRANSPORT && f.getMessage().contains(": HTTP "));
    }

    private void verifyAtStart() {
        long lastLog = Long.MIN_VALUE;
        int round = 0;
        while (true) {
            List<Thread> probes = new ArrayList<>();
            List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
            long now = now();
            for (Endpoint e : endpoints) {
                if (e.health().state() != EndpointHealth.State.UNVERIFIED || now - e.health().outUntil() < 0) continue;
                probes.add(Thread.ofVirtual().name("rpc-connect-" + chainName).start(() -> {
                    String refusal = probe(e, null);
                    if (refusal != null) refusals.add(refusal);
                }));
            }
            for (Thread t : probes) join(t);
            if (!refusals.isEmpty()) throw new IllegalStateException(refusals.get(0));
            if (endpoints.stream().anyMatch(e -> e.health().state() == EndpointHealth.State.ACTIVE)) return;
            round++;
            now = now();
            if (round == 1 || now - lastLog >= UNREACHABLE_LOG_INTERVAL.toNanos()) {
                lastLog = now;
                log.warn("chain {}: none of its {} endpoints is reachable yet ({}); retrying with backoff", chainName,
                        endpoints.size(), endpoints.stream().map(Endpoint::name).toList());
            }
            long wakeAt = endpoints.stream().mapToLong(e -> e.health().outUntil()).min().orElse(now);
            sleepNanos(Math.max(wakeAt - now, TimeUnit.MILLISECONDS.toNanos(1)), "connecting chain " + chainName);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while checking endpoints' chain ids");
        }
    }

    /** Sleeps {@code nanos}, waking early (with a {@link SourceException}) when asked to stop waiting. */
    private void sleepNanos(long nanos, String what) {
        long until = System.nanoTime() + nanos;
        try {
            for (long left = nanos; left > 0; left = until - System.nanoTime()) {
                stopIfAsked(what);
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("doing " + what + ": interrupted while waiting for an endpoint");
        }
    }

    @Override
    public void close() {
        endpoints.forEach(Endpoint::close);
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
