package dev.evmindexer.pipeline;

import dev.evmindexer.abi.AbiType;
import dev.evmindexer.abi.EventParam;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.FactoryRef;
import dev.evmindexer.config.IndexerConfig;
import dev.evmindexer.config.SourceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chain's factory links while {@link IndexPlan} builds its tables: which parameters of a factory's events are
 * children ({@link ChildSource}, on the factory's table) and which factory table each child source follows
 * ({@link FactoryLink}). The config loader has checked the factory sources, their chains and cycles; the event and
 * the parameter are checked here, where the factory's events are parsed, each error naming the child's key.
 */
final class Factories {
    private final IndexerConfig config;
    /** Factory source name to the child sources that take their addresses from it. */
    private final Map<String, List<SourceConfig>> childrenOf = new HashMap<>();
    /** Child source name to its resolved link, once its factory's tables are built. */
    private final Map<String, FactoryLink> links = new HashMap<>();

    Factories(IndexerConfig config) {
        this.config = config;
        for (SourceConfig s : config.sources()) {
            if (s.factory() != null) childrenOf.computeIfAbsent(s.factory().source(), k -> new ArrayList<>()).add(s);
        }
    }

    /** Indexes of {@code sources}, each factory before the sources that take their addresses from it (config order else). */
    static List<Integer> order(List<SourceConfig> sources) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < sources.size(); i++) index.put(sources.get(i).name(), i);
        List<Integer> out = new ArrayList<>();
        boolean[] placed = new boolean[sources.size()];
        for (int i = 0; i < sources.size(); i++) place(sources, index, i, placed, out, 0);
        return out;
    }

    private static void place(List<SourceConfig> sources, Map<String, Integer> index, int i, boolean[] placed,
            List<Integer> out, int depth) {
        if (placed[i] || depth > sources.size()) return; // depth: cycles are refused by the loader, never loop here
        FactoryRef f = sources.get(i).factory();
        Integer parent = f == null ? null : index.get(f.source());
        if (parent != null) place(sources, index, parent, placed, out, depth + 1);
        if (!placed[i]) {
            placed[i] = true;
            out.add(i);
        }
    }

    /** The link of child source {@code s} (its factory's tables are built: see {@link #order}), or null. */
    FactoryLink linkOf(SourceConfig s) {
        return s.factory() == null ? null : links.get(s.name());
    }

    /** The parameters of factory source {@code s}'s event {@code sig} (in {@code schema.table}) its children name. */
    List<ChildSource> childSources(SourceConfig s, EventSignature sig, String schema, String table) throws ConfigException {
        List<ChildSource> out = new ArrayList<>();
        for (SourceConfig child : childrenOf.getOrDefault(s.name(), List.of())) {
            FactoryRef f = child.factory();
            if (!names(f, sig)) continue;
            EventParam p = sig.params().stream().filter(x -> x.name().equals(f.parameter())).findFirst().orElse(null);
            if (p == null) {
                throw error(f, ".parameter", "event " + sig.canonical() + " of factory source " + s.name() + " has no parameter '"
                        + f.parameter() + "' (parameters: " + String.join(", ", sig.params().stream().map(EventParam::name).toList()) + ")");
            }
            if (!(p.abiType() instanceof AbiType.AddressType)) {
                throw error(f, ".parameter", "parameter '" + f.parameter() + "' of " + sig.canonical() + " is "
                        + p.abiType().canonical() + ", not address: children are contract addresses");
            }
            ChildSource cs = new ChildSource(schema + "." + table + "." + f.parameter(), f.parameter(), p.indexed(),
                    ParamFilters.slotOf(sig, f.parameter()));
            if (!out.contains(cs)) out.add(cs);
        }
        return out;
    }

    /** Factory source {@code s}'s tables are built: links each child source to the table of the event it names. */
    void built(SourceConfig s, List<EventTable> tables) throws ConfigException {
        for (SourceConfig child : childrenOf.getOrDefault(s.name(), List.of())) {
            FactoryRef f = child.factory();
            List<EventTable> matching = tables.stream().filter(t -> names(f, t.signature())).toList();
            if (matching.isEmpty()) {
                throw error(f, ".event", "event '" + f.event() + "' is not among the events of factory source " + s.name()
                        + " (events: " + String.join(", ", tables.stream().map(t -> t.signature().canonical()).toList()) + ")");
            }
            if (matching.size() > 1) {
                throw error(f, ".event", "factory source " + s.name() + " has several events named '" + f.event() + "' ("
                        + String.join(", ", matching.stream().map(t -> t.signature().canonical()).toList())
                        + "): give the one meant by its signature");
            }
            EventTable factory = matching.get(0);
            ChildSource cs = factory.childSources().stream()
                    .filter(c -> c.param().equals(f.parameter())).findFirst().orElseThrow();
            links.put(child.name(), new FactoryLink(factory, cs));
        }
    }

    /** True when {@code f} names {@code sig}: by its name or its canonical signature. */
    private static boolean names(FactoryRef f, EventSignature sig) {
        return f.event().equals(sig.name()) || f.event().replace(" ", "").equals(sig.canonical());
    }

    private ConfigException error(FactoryRef f, String suffix, String reason) {
        return new ConfigException(config.origin(), f.line(), f.key() + suffix, reason);
    }
}
