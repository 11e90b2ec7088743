package dev.evmindexer.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/** One entry of {@code chains}, with its RPC endpoints. */
final class ChainBinder {
    static final List<String> KEYS = List.of("name", "chain_id", "rpc", "finality", "max_reorg_depth",
            "poll_interval", "bloom_checks", "receipts_proof", "reconcile", "reconcile_rps", "batch_size",
            "max_fetchers");
    static final List<String> RPC_KEYS = List.of("url", "max_rps", "max_concurrency", "max_block_range",
            "logs_per_call", "max_batch", "timeout", "weight");
    static final String FINALIZED = "finalized";

    private ChainBinder() {}

    static ChainConfig bind(Tree t, Claims claims) throws ConfigException {
        Mapping m = t.mapping(KEYS);
        Tree nameTree = m.required("name");
        String name = Identifiers.name(nameTree);
        claims.claim("chain name", name, nameTree);
        Tree idTree = m.required("chain_id");
        long chainId = idTree.integer(1, Long.MAX_VALUE);
        claims.claim("chain_id", Long.toString(chainId), idTree);
        List<RpcEndpointConfig> rpc = endpoints(m);

        Finality finality = new Finality.Tag();
        Optional<Tree> f = m.get("finality");
        if (f.isPresent()) finality = finality(f.get());
        int maxReorgDepth = ChainConfig.DEFAULT_MAX_REORG_DEPTH;
        Optional<Tree> depth = m.get("max_reorg_depth");
        if (depth.isPresent()) maxReorgDepth = depth.get().integer(1, Integer.MAX_VALUE);
        Duration poll = ChainConfig.DEFAULT_POLL_INTERVAL;
        Optional<Tree> p = m.get("poll_interval");
        if (p.isPresent()) poll = p.get().duration();
        boolean bloomChecks = ChainConfig.DEFAULT_BLOOM_CHECKS;
        Optional<Tree> b = m.get("bloom_checks");
        if (b.isPresent()) bloomChecks = b.get().bool();
        boolean receiptsProof = ChainConfig.DEFAULT_RECEIPTS_PROOF;
        Optional<Tree> proof = m.get("receipts_proof");
        if (proof.isPresent()) receiptsProof = proof.get().bool();
        Reconcile reconcile = reconcile(m);
        int batchSize = ChainConfig.DEFAULT_BATCH_SIZE;
        Optional<Tree> batch = m.get("batch_size");
        if (batch.isPresent()) batchSize = batch.get().integer(1, ChainConfig.MAX_BATCH_SIZE);

        OptionalInt maxFetchers = optionalInt(m, "max_fetchers");

        return new ChainConfig(name, chainId, rpc, finality, maxReorgDepth, poll, bloomChecks, receiptsProof, reconcile,
                batchSize,
                maxFetchers,
                t.line());
    }

    /** {@code finalized} or a depth >= 0 in blocks. */
    static Finality finality(Tree t) throws ConfigException {
        String s = t.text().strip();
        if (s.equals(FINALIZED)) return new Finality.Tag();
        if (!s.matches("[+-]?\\d+")) {
            throw t.error("expected \"finalized\" (the node's tag) or a depth in blocks (an integer >= 0), got "
                    + Tree.show(s));
        }
        return new Finality.Depth(t.integer(0, Integer.MAX_VALUE));
    }

    /** {@code reconcile}: {@code all}, {@code off} or a fraction in (0, 1]; {@code reconcile_rps}: a number > 0. */
    static Reconcile reconcile(Mapping m) throws ConfigException {
        double fraction = ChainConfig.DEFAULT_RECONCILE.fraction();
        Optional<Tree> r = m.get("reconcile");
        if (r.isPresent()) {
            String s = r.get().text().strip();
            if (s.equals("all")) {
                fraction = 1;
            } else if (s.equals("off")) {
                fraction = 0;
            } else {
                if (!s.matches("\\d*\\.?\\d+([eE][+-]?\\d+)?")) {
                    throw r.get().error("expected \"all\", \"off\" or the fraction of ranges to re-check (a number in "
                            + "(0, 1], e.g. 0.1), got " + Tree.show(s));
                }
                fraction = Double.parseDouble(s);
                if (!(fraction > 0 && fraction <= 1)) {
                    throw r.get().error("the fraction of ranges to re-check must be in (0, 1] (\"off\" turns it off), got "
                            + Tree.show(s));
                }
            }
        }
        double rps = ChainConfig.DEFAULT_RECONCILE.rps();
        Optional<Tree> rate = m.get("reconcile_rps");
        if (rate.isPresent()) rps = rate.get().positiveNumber();
        return new Reconcile(fraction, rps);
    }

    /** The endpoints with a non-empty URL; at least one must remain. */
    private static List<RpcEndpointConfig> endpoints(Mapping m) throws ConfigException {
        Tree rpcTree = m.required("rpc");
        List<RpcEndpointConfig> out = new ArrayList<>();
        Set<String> urls = new HashSet<>();
        for (Tree entry : rpcTree.list()) {
            Optional<RpcEndpointConfig> e = endpoint(entry, urls);
            if (e.isPresent()) out.add(e.get());
        }
        if (out.isEmpty()) {
            throw rpcTree.error("no RPC endpoint: every url is empty (check the environment variables they use)");
        }
        return out;
    }

    /**
     * An entry is a mapping with {@code url} and optional limits, or just the URL as a string.
     * Empty when the URL is empty (typically an unset {@code ${VAR:-}}): the entry is dropped.
     */
    private static Optional<RpcEndpointConfig> endpoint(Tree t, Set<String> urls) throws ConfigException {
        if (t.isScalar()) {
            if (t.text().isBlank()) return Optional.empty();
            String url = url(t, urls);
            return Optional.of(new RpcEndpointConfig(url, OptionalDouble.empty(), OptionalInt.empty(),
                    OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty(), Optional.empty(), RpcEndpointConfig.DEFAULT_WEIGHT,
                    t.line()));
        }
        Mapping m = t.mapping(RPC_KEYS);
        if (!m.has("url")) throw new ConfigException(t.context().origin(), t.line(), m.childPath("url"),
                "required key is missing");
        OptionalDouble maxRps = OptionalDouble.empty();
        Optional<Tree> v = m.get("max_rps");
        if (v.isPresent()) maxRps = OptionalDouble.of(v.get().positiveNumber());
        OptionalInt maxConcurrency = optionalInt(m, "max_concurrency");
        OptionalLong maxBlockRange = OptionalLong.empty();
        v = m.get("max_block_range");
        if (v.isPresent()) maxBlockRange = OptionalLong.of(v.get().integer(1, Long.MAX_VALUE));
        OptionalLong logsPerCall = OptionalLong.empty();
        v = m.get("logs_per_call");
        if (v.isPresent()) logsPerCall = OptionalLong.of(v.get().integer(1, RpcEndpointConfig.MAX_LOGS_PER_CALL));
        OptionalInt maxBatch = optionalInt(m, "max_batch");
        Optional<Duration> timeout = Optional.empty();
        v = m.get("timeout");
        if (v.isPresent()) timeout = Optional.of(v.get().duration());
        double weight = RpcEndpointConfig.DEFAULT_WEIGHT;
        v = m.get("weight");
        if (v.isPresent()) weight = v.get().positiveNumber();

        Optional<Tree> urlTree = m.get("url");
        if (urlTree.isEmpty() || urlTree.get().text().isBlank()) return Optional.empty();
        String url = url(urlTree.get(), urls);
        return Optional.of(new RpcEndpointConfig(url, maxRps, maxConcurrency, maxBlockRange, logsPerCall, maxBatch, timeout,
                weight, t.line()));
    }

    private static OptionalInt optionalInt(Mapping m, String key) throws ConfigException {
        Optional<Tree> v = m.get(key);
        return v.isPresent() ? OptionalInt.of(v.get().integer(1, Integer.MAX_VALUE)) : OptionalInt.empty();
    }

    /** An http(s) URL with a host, not repeated within the chain. Messages show it redacted only. */
    private static String url(Tree t, Set<String> urls) throws ConfigException {
        String url = t.text().strip();
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw t.error("not a valid URL: " + Secrets.redactUrl(url));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw t.error("URL must start with http:// or https://, got " + Secrets.redactUrl(url));
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw t.error("URL has no host: " + Secrets.redactUrl(url));
        }
        if (!urls.add(url)) throw t.error("duplicate RPC endpoint in this chain: " + Secrets.redactUrl(url));
        return url;
    }
}
