package dev.evmindexer.config;

/**
 * A configuration that cannot be used, saying where and why in one line:
 * {@code "<origin>:<line>: <key path>: <what is wrong>"} (the key path is left out when the problem
 * concerns the whole document). Messages never contain secrets: RPC and database URLs appear only
 * through {@link Secrets#redactUrl}, passwords never.
 *
 * <p>Public so that callers validating parts of the config later (event signatures, for instance)
 * can report problems in the same form, pointing at the same lines.
 */
public final class ConfigException extends Exception {
    private final String origin;
    private final int line;
    private final String path;
    private final String reason;

    /**
     * @param origin where the config came from (a file path, or a label for in-memory text)
     * @param line   1-based line of the offending key or value, or 0 when no line applies
     * @param path   key path such as {@code sources[0].addresses[1]}, or "" for the whole document
     * @param reason what is wrong, one line
     */
    public ConfigException(String origin, int line, String path, String reason) {
        super(format(origin, line, path, reason));
        this.origin = origin;
        this.line = line;
        this.path = path;
        this.reason = reason;
    }

    /** A config file that could not be read at all. */
    public ConfigException(String origin, String reason, Throwable cause) {
        super(format(origin, 0, "", reason), cause);
        this.origin = origin;
        this.line = 0;
        this.path = "";
        this.reason = reason;
    }

    public String origin() {
        return origin;
    }

    /** 1-based line, or 0 when the problem has no line (an unreadable file). */
    public int line() {
        return line;
    }

    /** The key path, or "" when the problem concerns the whole document. */
    public String path() {
        return path;
    }

    public String reason() {
        return reason;
    }

    private static String format(String origin, int line, String path, String reason) {
        StringBuilder sb = new StringBuilder(origin);
        if (line > 0) sb.append(':').append(line);
        sb.append(": ");
        if (path != null && !path.isEmpty()) sb.append(path).append(": ");
        return sb.append(reason).toString();
    }
}
