package dev.evmindexer.pipeline;

/** What reconciliation reports to metrics (ARCHITECTURE.md, invariant 9). */
public interface ReconcileObserver {
    ReconcileObserver NONE = new ReconcileObserver() {
        @Override
        public void mismatch(String endpoint) {}

        @Override
        public void lag(long blocks) {}

        @Override
        public void repaired(String endpoint, long blocks) {}
    };

    /** A range re-fetched from {@code endpoint} was found to differ from the agreed answer. */
    void mismatch(String endpoint);

    /** Finalized blocks not reconciled yet: from the lowest one due for a check up to the finalized block. */
    void lag(long blocks);

    /**
     * {@code blocks} blocks whose stored rows were wrong were rewritten; {@code endpoint} is the one whose answer wrote
     * them ({@link Reconciler#UNRECORDED} where that is not recorded).
     */
    void repaired(String endpoint, long blocks);
}
