package dev.evmindexer.daemon;

import dev.evmindexer.pipeline.EpochChangedException;
import dev.evmindexer.pipeline.FencedException;
import dev.evmindexer.pipeline.SourceException;
import dev.evmindexer.pipeline.TipMovedException;
import dev.evmindexer.store.StoreException;
import java.sql.SQLException;

/**
 * The one place that decides what a failure of a pipeline step means. Everything is retried (the
 * daemon never exits on its own); the kind decides how soon and how loudly.
 */
public final class Failures {
    private Failures() {}

    public enum Kind {
        /** Work was planned on state another writer changed (a rollback, a concurrent writer): re-plan at once. */
        REPLAN,
        /** The chain's nodes failed or answered badly: back off and retry. */
        SOURCE,
        /** The database went away or timed out: back off and retry; state is re-read afterwards. */
        DATABASE,
        /** Another process took the chain over (this one's writes are fenced): back to standby. */
        LEASE,
        /** Anything else: a bug or bad state; logged with its stack trace, then retried with backoff. */
        UNEXPECTED
    }

    public static Kind classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EpochChangedException || c instanceof TipMovedException) return Kind.REPLAN;
            if (c instanceof SourceException) return Kind.SOURCE;
            if (c instanceof FencedException) return Kind.LEASE;
            if (c instanceof SQLException || c instanceof StoreException
                    || c instanceof org.flywaydb.core.api.FlywayException
                    || c.getClass().getName().startsWith("com.zaxxer.hikari")) {
                return Kind.DATABASE;
            }
        }
        return Kind.UNEXPECTED;
    }

    /** "doing X: cause" chain in one line, for logs and CLI errors. */
    public static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        String last = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            if (last != null && last.contains(m)) continue;
            if (sb.length() > 0) sb.append(": ");
            sb.append(m);
            last = m;
        }
        return sb.toString().replace('\n', ' ');
    }
}
