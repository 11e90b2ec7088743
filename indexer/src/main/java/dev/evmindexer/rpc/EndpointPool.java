package dev.evmindexer.rpc;

import dev.evmindexer.eth.Hex;
import dev.evmindexer.pipeline.SourceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints of one chain and the only place RPC calls are retried. A call runs on the usable endpoint with
 * the fewest recent errors (round-robin among equals), preferring endpoints it has not tried yet; a fault takes
 * that endpoint out of rotation (exponential re-entry) and the call moves on, waiting for re-entry when no
 * endpoint is usable, for at most {@link Settings#maxAttempts} attempts. Endpoints that were unreachable when
 * their chain id was to be checked are probed again in the background once their backoff has passed.
 */
final class EndpointPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointPool.class);
    private static final Duration UNREACHABLE_LOG_INTERVAL = Duration.ofSeconds(60);

    /** Retry policy; {@link #DEFAULT} in production, shorter backoffs in tests. */
    record Settings(int maxAttempts, Duration baseBackoff, Duration maxBackoff, int bloomRetries) {
        static final Settings DEFAULT = new Settings(5, Duration.ofSeconds(1), Duration.ofSeconds(60), 3);

        Settings {
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            if (baseBackoff.isNegative() || baseBackoff.isZero() || maxBackoff.compareTo(baseBackoff) < 0) {
                throw new IllegalArgumentException("need 0 < baseBackoff <= maxBackoff, got " + baseBackoff + " and "
                        + maxBackoff);
            }
            if (bloomRetries < 0) throw new IllegalArgumentException("bloomRetries must be >= 0, got " + bloomRetries);
        }
    }

    private final String chainName;
    private final long chainId;
    private final List<Endpoint> endpoints;
    private final Settings settings;
    private final OkHttpClient http;
    private final AtomicInteger roundRobin = new AtomicInteger();

    private EndpointPool(String chainName, long chainId, List<Endpoint> endpoints, Settings settings,
            OkHttpClient http) {
        this.chainName = chainName;
        this.chainId = chainId;
        this.endpoints = endpoints;
        this.settings = settings;
        this.http = http;
    }

    /**
     * Builds the pool and checks every endpoint's chain id, blocking until at least one endpoint is verified.
     *
     * @throws IllegalStateException when an endpoint serves another chain (a configuration error, not retriable)
     * @throws SourceException       when interrupted while waiting for a reachable endpoint
     */
    static EndpointPool connect(String chainName, long chainId, List<EndpointSpec> specs, Settings settings,
            LongSupplier nanoClock) {
        if (specs.isEmpty()) throw new IllegalArgumentException("chain " + chainName + " has no RPC endpoints");
        OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
        List<Endpoint> endpoints = new ArrayList<>();
        for (EndpointSpec spec : specs) {
            endpoints.add(new Endpoint(spec, http, new EndpointHealth(nanoClock, settings.baseBackoff(),
                    settings.maxBackoff())));
        }
        EndpointPool pool = new EndpointPool(chainName, chainId, List.copyOf(endpoints), settings, http);
        try {
            pool.verifyAtStart();
            return pool;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
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

    /**
     * Runs {@code fn} on one endpoint at a time until it returns, retrying faults on other endpoints.
     * {@link RpcFault.RangeTooLarge} and {@link SourceException}s (e.g. a block that is gone) pass through at once.
     *
     * @param what  what the call does, for the error message ("doing X: cause")
     * @param tried endpoints to avoid while others are usable; every endpoint this call uses is added to it
     */
    <T> T call(String what, Set<Endpoint> tried, Function<Endpoint, T> fn) {
        String lastCause = "no attempt made";
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            Endpoint ep = acquire(what, tried);
            tried.add(ep);
            try {
                T result = fn.apply(ep);
                ep.health().succeeded();
                return result;
            } catch (RpcFault.RangeTooLarge | SourceException e) {
                throw e;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new SourceException("doing " + what + ": interrupted", e);
                }
                // Anything else thrown while reading an answer (a parse error that slipped through) is a bad answer.
                lastCause = e instanceof RpcFault ? e.getMessage()
                        : ep.name() + " gave a malformed answer (" + e.getClass().getSimpleName() + ": "
                                + e.getMessage() + ")";
                penalise(ep, lastCause);
            }
        }
        throw new SourceException("doing " + what + ": " + lastCause + " (gave up after " + settings.maxAttempts()
                + " attempts)");
    }

    <T> T call(String what, Function<Endpoint, T> fn) {
        return call(what, new HashSet<>(), fn);
    }

    /** Reports every exchange of every endpoint to {@code observer} (metrics). */
    void observe(RpcObserver observer) {
        endpoints.forEach(e -> e.observe(observer));
    }

    /** True when an endpoint outside {@code tried} is usable right now. */
    boolean hasUsableOutside(Set<Endpoint> tried) {
        long now = endpoints.get(0).health().now();
        return endpoints.stream().anyMatch(e -> !tried.contains(e) && e.health().usable(now));
    }

    /** Takes {@code ep} out of rotation for its next backoff step because of {@code cause}. */
    void penalise(Endpoint ep, String cause) {
        Duration out = ep.health().failed();
        if (!out.isZero()) {
            log.warn("chain {}: endpoint {} out of rotation for {} ms: {}", chainName, ep.name(), out.toMillis(), cause);
        } else {
            log.debug("chain {}: endpoint {} failed again: {}", chainName, ep.name(), cause);
        }
    }

    private Endpoint acquire(String what, Set<Endpoint> tried) {
        while (true) {
            long now = endpoints.get(0).health().now();
            startDueProbes(now);
            Endpoint pick = pick(now, tried, true);
            if (pick == null) pick = pick(now, tried, false);
            if (pick != null) return pick;
            if (endpoints.stream().allMatch(e -> e.health().state() == EndpointHealth.State.DISABLED)) {
                throw new SourceException("doing " + what + ": no usable endpoint for chain " + chainName
                        + " (" + endpoints.get(0).health().disabledReason() + ")");
            }
            long wakeAt = endpoints.stream()
                    .filter(e -> e.health().state() == EndpointHealth.State.ACTIVE)
                    .mapToLong(e -> e.health().outUntil())
                    .min().orElse(now + settings.baseBackoff().toNanos());
            sleepNanos(Math.max(wakeAt - now, TimeUnit.MILLISECONDS.toNanos(1)), what);
        }
    }

    /** The usable endpoint with the lowest (rounded) error score; round-robin among equals. */
    private Endpoint pick(long now, Set<Endpoint> tried, boolean untriedOnly) {
        int n = endpoints.size();
        int start = Math.floorMod(roundRobin.getAndIncrement(), n);
        Endpoint best = null;
        long bestScore = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get((start + i) % n);
            if (untriedOnly && tried.contains(e)) continue;
            if (!e.health().usable(now)) continue;
            long score = Math.round(e.health().score(now));
            if (score < bestScore) {
                best = e;
                bestScore = score;
            }
        }
        return best;
    }

    private void startDueProbes(long now) {
        for (Endpoint e : endpoints) {
            if (e.health().startProbe(now)) {
                Thread.ofVirtual().name("rpc-probe-" + chainName).start(() -> {
                    try {
                        probe(e);
                    } finally {
                        e.health().endProbe();
                    }
                });
            }
        }
    }

    /** Checks one endpoint's chain id. Returns null when it is verified or unreachable, else why it is refused. */
    private String probe(Endpoint e) {
        long served;
        try {
            served = Hex.quantity(e.send(Endpoint.Call.of("eth_chainId")).required().asText());
        } catch (RuntimeException ex) {
            String cause = ex instanceof RpcFault ? ex.getMessage() : e.name() + " gave a malformed eth_chainId";
            Duration out = e.health().failed();
            log.debug("chain {}: endpoint {} not reachable (next try in {} ms): {}", chainName, e.name(),
                    out.toMillis(), cause);
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

    private void verifyAtStart() {
        long lastLog = Long.MIN_VALUE;
        int round = 0;
        while (true) {
            List<Thread> probes = new ArrayList<>();
            List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
            long now = endpoints.get(0).health().now();
            for (Endpoint e : endpoints) {
                if (e.health().state() != EndpointHealth.State.UNVERIFIED || now - e.health().outUntil() < 0) continue;
                probes.add(Thread.ofVirtual().name("rpc-connect-" + chainName).start(() -> {
                    String refusal = probe(e);
                    if (refusal != null) refusals.add(refusal);
                }));
            }
            for (Thread t : probes) join(t);
            if (!refusals.isEmpty()) throw new IllegalStateException(refusals.get(0));
            if (endpoints.stream().anyMatch(e -> e.health().state() == EndpointHealth.State.ACTIVE)) return;
            round++;
            now = endpoints.get(0).health().now();
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

    private static void sleepNanos(long nanos, String what) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
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
