package dev.evmindexer.config;

/**
 * How much of a chain's finalized data the daemon re-fetches and compares in the background (ARCHITECTURE.md,
 * invariant 9), from {@code chains[].reconcile} and {@code chains[].reconcile_rps}.
 *
 * @param fraction share of ranges re-checked: 0 ({@code off}), 1 ({@code all}) or in between (a sample chosen by
 *                 range position, the same on every run)
 * @param rps      re-fetches per second at most, so reconciliation never starves indexing
 */
public record Reconcile(double fraction, double rps) {
    public static final double DEFAULT_RPS = 2;
    public static final Reconcile OFF = new Reconcile(0, DEFAULT_RPS);

    public Reconcile {
        if (!(fraction >= 0 && fraction <= 1)) throw new IllegalArgumentException("fraction must be 0..1, got " + fraction);
        if (!(rps > 0) || Double.isInfinite(rps)) throw new IllegalArgumentException("rps must be > 0, got " + rps);
    }

    public boolean enabled() {
        return fraction > 0;
    }

    /** The setting as written in the config. */
    public String describe() {
        return fraction == 0 ? "off" : fraction == 1 ? "all" : Double.toString(fraction);
    }
}
