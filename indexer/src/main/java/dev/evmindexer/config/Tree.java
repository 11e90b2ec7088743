package dev.evmindexer.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A node of the config document with its key path: typed reads that fail with a
 * {@link ConfigException} naming the path and line.
 *
 * <p>Scalars are read as text after {@code ${ENV}} interpolation and parsed here, whatever type YAML
 * guessed for them: {@code chain_id: ${CHAIN_ID}} is an integer, {@code 0xA0b8...} stays an address.
 * A plain empty or {@code null}/{@code ~} scalar reads as "". Values are echoed in messages only by the
 * parsers of numbers, booleans and durations, never by {@link #text()}, which also reads URLs and passwords.
 */
final class Tree {
    /**
     * Per-document context: where it came from and how to interpolate. With {@code nodeless} (for commands that
     * touch neither a node nor the database, such as {@code schema}), an unset variable in an RPC URL or in the
     * database's URL or password stands for a placeholder instead of being an error.
     */
    record Context(String origin, Interpolator env, boolean nodeless) {
        Context(String origin, Interpolator env) {
            this(origin, env, false);
        }
    }

    private static final Pattern RPC_URL_PATH = Pattern.compile("chains\\[\\d+]\\.rpc\\[\\d+](\\.url)?");

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d(_?\\d)*");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private final Node node;
    private final String path;
    private final Context ctx;
    private String text;

    Tree(Node node, String path, Context ctx) {
        this.node = node;
        this.path = path;
        this.ctx = ctx;
    }

    String path() {
        return path;
    }

    int line() {
        return node.getStartMark().getLine() + 1;
    }

    Node node() {
        return node;
    }

    Context context() {
        return ctx;
    }

    ConfigException error(String reason) {
        return new ConfigException(ctx.origin(), line(), path, reason);
    }

    boolean isScalar() {
        return node instanceof ScalarNode;
    }

    /** The scalar's text after interpolation; "" for an empty or null scalar. */
    String text() throws ConfigException {
        if (text != null) return text;
        if (!(node instanceof ScalarNode scalar)) throw error("expected a single value, got " + kind(node));
        text = interpolated(scalar);
        return text;
    }

    private String interpolated(ScalarNode scalar) throws ConfigException {
        if (scalar.getTag().equals(Tag.NULL)) return "";
        try {
            return ctx.env().apply(scalar.getValue());
        } catch (Interpolator.BadReference e) {
            String standIn = ctx.nodeless() && e.unsetVariable() ? standIn(path) : null;
            if (standIn == null) throw error(e.getMessage());
            return standIn;
        }
    }

    /** What an unset variable stands for at {@code path} when no node or database is used, or null: it is needed. */
    private static String standIn(String path) {
        if (RPC_URL_PATH.matcher(path).matches()) return "http://unset-" + path.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-$", "") + ".invalid";
        if (path.equals("database.url")) return "jdbc:postgresql://unset.invalid/unset";
        if (path.equals("database.password")) return "";
        return null;
    }

    long integer(long min, long max) throws ConfigException {
        String t = text().strip();
        if (!INTEGER.matcher(t).matches()) throw error("expected an integer, got " + show(t));
        long v;
        try {
            v = Long.parseLong(t.replace("_", ""));
        } catch (NumberFormatException e) {
            throw error("integer out of range, got " + show(t));
        }
        if (v < min || v > max) {
            throw error((max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                    ? "must be >= " + min : "must be between " + min + " and " + max) + ", got " + v);
        }
        return v;
    }

    int integer(int min, int max) throws ConfigException {
        return (int) integer((long) min, (long) max);
    }

    /** A finite number > 0. */
    double positiveNumber() throws ConfigException {
        String t = text().strip();
        if (!DECIMAL.matcher(t).matches()) throw error("expected a number, got " + show(t));
        double v = Double.parseDouble(t);
        if (!(v > 0) || Double.isInfinite(v)) throw error("must be a positive number, got " + show(t));
        return v;
    }

    boolean bool() throws ConfigException {
        String t = text().strip();
        if (t.equalsIgnoreCase("true")) return true;
        if (t.equalsIgnoreCase("false")) return false;
        throw error("expected true or false, got " + show(t));
    }

    /** A duration > 0 in the config syntax, see {@link Durations}. */
    Duration duration() throws ConfigException {
        String t = text();
        Duration d = Durations.parse(t);
        if (d == null) throw error("expected " + Durations.EXPECTED + ", got " + show(t));
        if (d.isZero()) throw error("must be a positive duration, got " + show(t));
        return d;
    }

    /** This node as a mapping whose keys must all be among {@code allowed} (any key when null). */
    Mapping mapping(List<String> allowed) throws ConfigException {
        if (!(node instanceof MappingNode m)) {
            throw error("expected a mapping" + (allowed == null ? "" : " with keys " + String.join(", ", allowed)) + ", got " + kind(node));
        }
        return new Mapping(this, m, allowed);
    }

    /** This node as a list, each element with its path {@code path[i]}. */
    List<Tree> list() throws ConfigException {
        if (!(node instanceof SequenceNode seq)) throw error("expected a list, got " + kind(node));
        List<Tree> out = new ArrayList<>(seq.getValue().size());
        for (Node child : seq.getValue()) out.add(new Tree(child, path + "[" + out.size() + "]", ctx));
        return out;
    }

    static String kind(Node node) {
        if (node instanceof MappingNode) return "a mapping";
        if (node instanceof SequenceNode) return "a list";
        return "a single value";
    }

    /** A value quoted and shortened for a message; only for values that are never secret. */
    static String show(String value) {
        String v = value.length() <= 60 ? value : value.substring(0, 57) + "...";
        return "\"" + v + "\"";
    }
}
