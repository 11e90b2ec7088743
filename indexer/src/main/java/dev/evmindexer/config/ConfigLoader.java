package dev.evmindexer.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a YAML config into an {@link IndexerConfig}, validating everything before anything starts.
 * The first problem found is thrown as a {@link ConfigException} naming the file, line and key path.
 *
 * <p>Rules beyond the shape of each section: unknown and duplicate keys are errors; {@code ${VAR}},
 * {@code ${VAR:-default}} and {@code $$} are interpolated inside scalar values (see {@link Interpolator});
 * an optional key whose value is empty after interpolation takes its default; RPC entries whose URL is
 * empty are dropped; chain names and ids, source names and tables are unique; sources name a
 * configured chain. Event signatures are only required to be non-empty: their caller parses them.
 */
public final class ConfigLoader {
    static final List<String> TOP_KEYS = List.of("database", "chains", "sources", "ops");
    static final List<String> OPS_KEYS = List.of("host", "port", "max_lag_blocks", "outbox_retention",
            "progress_interval");

    private ConfigLoader() {}

    /** Reads {@code file} (UTF-8); {@code env} is {@code System.getenv()} in production. */
    public static IndexerConfig load(Path file, Map<String, String> env) throws ConfigException {
        return load(file, env, false);
    }

    /**
     * As {@link #load(Path, Map)}; with {@code nodeless} (a command that touches no node and no database) an unset
     * variable in an RPC URL or the database's URL or password is not an error (it stands for a placeholder).
     */
    public static IndexerConfig load(Path file, Map<String, String> env, boolean nodeless) throws ConfigException {
        String origin = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(origin, "config file not found", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException(origin, "config file is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(origin, "reading config file: " + e, e);
        }
        return parse(text, origin, env, nodeless);
    }

    /**
     * Parses config text.
     *
     * @param origin names the text in messages (a file path, or a label such as {@code "<demo>"})
     */
    public static IndexerConfig parse(String yaml, String origin, Map<String, String> env) throws ConfigException {
        return parse(yaml, origin, env, false);
    }

    /** As {@link #parse(String, String, Map)}, {@code nodeless} as in {@link #load(Path, Map, boolean)}. */
    public static IndexerConfig parse(String yaml, String origin, Map<String, String> env, boolean nodeless)
            throws ConfigException {
        Node root = compose(yaml, origin);
        if (root == null) {
            throw new ConfigException(origin, 1, "", "config is empty: expected top-level keys "
                    + String.join(", ", TOP_KEYS));
        }
        Tree.Context ctx = new Tree.Context(origin, new Interpolator(env), nodeless);
        Mapping top = new Tree(root, "", ctx).mapping(TOP_KEYS);

        DatabaseConfig database = DatabaseBinder.bind(top.get("database"));
        Claims claims = new Claims();
        Tree chainList = top.required("chains");
        List<ChainConfig> chains = new ArrayList<>();
        for (Tree t : chainList.list()) chains.add(ChainBinder.bind(t, claims));
        if (chains.isEmpty()) throw chainList.error("must list at least one chain");

        Set<String> chainNames = new LinkedHashSet<>();
        for (ChainConfig c : chains) chainNames.add(c.name());
        List<SourceConfig> sources = new ArrayList<>();
        Optional<Tree> sourceList = top.get("sources");
        if (sourceList.isEmpty()) {
            throw new ConfigException(origin, 1, "sources", "required key is missing: list at least one source "
                    + "(with none, the daemon would run indexing nothing)");
        }
        for (Tree t : sourceList.get().list()) sources.add(SourceBinder.bind(t, chainNames, claims));
        SourceBinder.checkFactories(sources, origin);
        if (sources.isEmpty()) {
            throw sourceList.get().error("must list at least one source (with none, the daemon would run indexing nothing)");
        }
        return new IndexerConfig(database, chains, sources, ops(top.get("ops")), origin);
    }

    private static OpsConfig ops(Optional<Tree> section) throws ConfigException {
        if (section.isEmpty()) return OpsConfig.defaults();
        Mapping m = section.get().mapping(OPS_KEYS);
        String host = OpsConfig.DEFAULT_HOST;
        Optional<Tree> h = m.get("host");
        if (h.isPresent()) {
            host = h.get().text().strip();
            if (!host.matches("[A-Za-z0-9.:\\[\\]-]+")) {
                throw h.get().error("expected a host name or an IP address to serve /metrics on (e.g. 127.0.0.1 or "
                        + "0.0.0.0), got " + Tree.show(host));
            }
        }
        int port = OpsConfig.DEFAULT_PORT;
        Optional<Tree> p = m.get("port");
        if (p.isPresent()) port = p.get().integer(0, 65535);
        long maxLag = OpsConfig.DEFAULT_MAX_LAG_BLOCKS;
        Optional<Tree> l = m.get("max_lag_blocks");
        if (l.isPresent()) maxLag = l.get().integer(0L, Long.MAX_VALUE);
        java.time.Duration retention = OpsConfig.DEFAULT_OUTBOX_RETENTION;
        Optional<Tree> r = m.get("outbox_retention");
        if (r.isPresent()) retention = r.get().duration();
        java.time.Duration progress = OpsConfig.DEFAULT_PROGRESS_INTERVAL;
        Optional<Tree> pi = m.get("progress_interval");
        if (pi.isPresent()) progress = pi.get().duration();
        return new OpsConfig(host, port, maxLag, retention, progress);
    }

    /**
     * The document's root node, or {@code null} when it is empty. Only node composition happens: no
     * object is constructed from tags. Syntax errors report snakeyaml's problem and line but not its
     * snippet of the source, which may hold a secret.
     */
    private static Node compose(String yaml, String origin) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(50);
        try {
            return new Yaml(options).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 0 : mark.getLine() + 1;
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            throw new ConfigException(origin, line, "", "invalid YAML: " + e.getProblem() + context);
        } catch (YAMLException e) {
            throw new ConfigException(origin, 0, "", "invalid YAML: " + e.getMessage());
        }
    }
}
