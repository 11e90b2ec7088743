package dev.evmindexer.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A YAML mapping checked once on construction: keys are plain names, none repeated, none outside the
 * allowed set (when there is one: a null set allows any key, for maps such as column renames) (the message names the key, where it is, the allowed keys and a close match).
 *
 * <p>An empty scalar value (after interpolation) counts as absent, so {@code schema: ${SCHEMA:-}}
 * falls back to the default when the variable is unset.
 */
final class Mapping {
    private final Tree self;
    private final Map<String, Node> values = new LinkedHashMap<>();

    Mapping(Tree self, MappingNode node, List<String> allowed) throws ConfigException {
        this.self = self;
        for (NodeTuple tuple : node.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar)) {
                throw new ConfigException(self.context().origin(), line(keyNode), self.path(),
                        "keys must be plain names, got " + Tree.kind(keyNode) + " as a key");
            }
            String key = scalar.getValue();
            if (allowed != null && !allowed.contains(key)) {
                throw new ConfigException(self.context().origin(), line(keyNode), childPath(key),
                        "unknown key \"" + key + "\"" + suggestion(key, allowed) + "; allowed "
                        + (self.path().isEmpty() ? "top-level keys" : "keys in " + self.path()) + ": "
                        + String.join(", ", allowed));
            }
            if (values.containsKey(key)) {
                throw new ConfigException(self.context().origin(), line(keyNode), childPath(key),
                        "duplicate key (first given on line " + line(values.get(key)) + ")");
            }
            values.put(key, tuple.getValueNode());
        }
    }

    /** The keys in document order. */
    List<String> keys() {
        return List.copyOf(values.keySet());
    }

    Tree tree() {
        return self;
    }

    int line() {
        return self.line();
    }

    String childPath(String key) {
        return self.path().isEmpty() ? key : self.path() + "." + key;
    }

    /** True when the key is written, even with an empty value. */
    boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value, or empty when the key is absent or its value is an empty scalar. */
    Optional<Tree> get(String key) throws ConfigException {
        Node node = values.get(key);
        if (node == null) return Optional.empty();
        Tree t = new Tree(node, childPath(key), self.context());
        if (t.isScalar() && t.text().isEmpty()) return Optional.empty();
        return Optional.of(t);
    }

    /** The value; a missing key or an empty value is an error. */
    Tree required(String key) throws ConfigException {
        if (!values.containsKey(key)) {
            throw new ConfigException(self.context().origin(), line(), childPath(key), "required key is missing");
        }
        return get(key).orElseThrow(() -> new ConfigException(
                self.context().origin(), line(values.get(key)), childPath(key), "must not be empty"));
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /** {@code " (did you mean x?)"} for a key within two edits of an allowed one, else "". */
    static String suggestion(String key, List<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int d = distance(key.toLowerCase(java.util.Locale.ROOT), candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean \"" + best + "\"?)";
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
