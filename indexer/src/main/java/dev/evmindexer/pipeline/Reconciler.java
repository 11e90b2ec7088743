package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Log;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background reconciliation (ARCHITECTURE.md, invariant 9): re-fetches committed, finalized blocks that are not yet
 * reconciled, one range of one table per {@link #step}, and compares them with the stored rows as {@code verify} does
 * ({@link VerifyStore#compare}, row by row in SQL). The endpoint asked rotates, skipping the endpoints whose answers
 * wrote the range ({@link VerifyStore#writers}, recorded by range commits) where another exists: a writer's answer that
 * matches its own rows is no second voice ({@link ReconcileVote}).
 *
 * <p>Equal: the range is marked reconciled. Different: a second answer is asked, from another endpoint (with a single
 * endpoint, the same after {@code secondOpinionDelay}: a load balancer may route it to another node), and each block
 * that differs is decided by two of three. Where the stored rows equal one answer, the other endpoint answered wrong:
 * it is blamed (counted, logged, penalised), unless the stored rows it disagrees with were written by the other
 * answer's own endpoint: then nothing is decided. Where both answers agree with each other (by a digest over block, log
 * index, tx hash, address, topics and data) and not with the stored rows, the stored rows were wrong: those blocks are
 * rewritten with the answer through the repair path, blamed on the endpoint whose answer wrote them ({@link
 * #UNRECORDED} where it is not recorded: tip blocks). Where all three differ, nothing is decided: those blocks stay
 * due. Rewrites and the "reconciled" mark of the rest are one
 * transaction under the chain's lock and epoch, with a commit outbox entry per rewrite.
 *
 * <p>{@code fraction} below 1 checks a sample: the ranges (by position, {@code rangeSize} blocks each) whose hash falls
 * below it, the same on every run; the others are never marked reconciled. Every re-fetch waits for {@code pacer}.
 */
public final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    /** The endpoint blamed when the stored rows were wrong and which endpoint wrote them is not recorded (tip blocks). */
    public static final String UNRECORDED = "unrecorded";

    private final ChainSource source;
    private final EventStore store;
    private final VerifyStore verifyStore;
    private final List<EventTable> tables;
    private final ChainSettings settings;
    private final LogRouter router;
    private final double fraction;
    private final Pacer pacer;
    private final Pacer.Sleeper sleeper;
    private final Duration secondOpinionDelay;
    private final ReconcileObserver observer;
    private int turn;
    private Span lastUndecided;
    /** Undecided blocks set aside per table (by qualified name), each until a time of {@link System#nanoTime}. */
    private final java.util.Map<String, List<Aside>> aside = new java.util.HashMap<>();

    private record Answer(TableRows rows, Set<String> endpoints) {}

    public Reconciler(ChainSource source, EventStore store, VerifyStore verifyStore, List<EventTable> tables,
            ChainSettings settings, LogRouter router, double fraction, Pacer pacer, Pacer.Sleeper sleeper,
            Duration secondOpinionDelay, ReconcileObserver observer) {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
        this.source = source;
        this.store = store;
        this.verifyStore = verifyStore;
        this.tables = List.copyOf(tables);
        this.settings = settings;
        this.router = router;
        this.fraction = fraction;
        this.pacer = pacer;
        this.sleeper = sleeper;
        this.secondOpinionDelay = secondOpinionDelay;
        this.observer = observer;
    }

    /**
     * Reconciles the lowest due range of any table that is not set aside; false when none is (everything finalized is
     * reconciled, or what is left is set aside for now).
     */
    public boolean step() throws InterruptedException {
        ChainState state = store.chain(settings.chainId());
        long f = state.finalized();
        EventTable table = null;
        Span due = null;
        long oldest = Long.MAX_VALUE;
        for (EventTable t : tables) {
            Due d = firstDue(t, f);
            if (d.oldest() != null) oldest = Math.min(oldest, d.oldest().from());
            if (d.next() != null && (due == null || d.next().from() < due.from())) {
                table = t;
                due = d.next();
            }
        }
        observer.lag(oldest == Long.MAX_VALUE ? 0 : f - oldest + 1);
        if (due == null || state.halted()) return false;
        check(state, table, due);
        return true;
    }

    /** The first due range of a table ({@code oldest}: for the lag) and the first not set aside ({@code next}). */
    private record Due(Span oldest, Span next) {}

    /**
     * The first ranges of {@code t} at or below {@code f}, covered, not reconciled, and in the sample: the first of all,
     * and the first part of one not set aside ({@link #setAside}).
     */
    private Due firstDue(EventTable t, long f) {
        long size = settings.rangeSize();
        List<Span> aside = setAside(t);
        Span oldest = null;
        for (Span s : verifyStore.unreconciled(t, f)) {
            for (long k = s.from() / size; k * size <= s.to(); k++) {
                if (!sampled(t, k)) continue;
                Span range = new Span(Math.max(s.from(), k * size), Math.min(s.to(), k * size + size - 1));
                if (oldest == null) oldest = range;
                List<Span> free = Span.minus(range, aside);
                if (!free.isEmpty()) return new Due(oldest, free.get(0));
            }
        }
        return new Due(oldest, null);
    }

    /**
     * The undecided blocks of {@code t} set aside until their time comes, ascending: reconciliation goes on above them
     * instead of asking the same endpoints about them again and again (an endpoint out of rotation, or a writer that
     * keeps vouching for its own rows, would otherwise hold every later range back).
     */
    private List<Span> setAside(EventTable t) {
        long now = System.nanoTime();
        List<Aside> list = aside.get(t.qualifiedName());
        if (list == null) return List.of();
        list.removeIf(a -> now - a.until() >= 0);
        return list.stream().map(Aside::blocks).sorted(java.util.Comparator.comparingLong(Span::from)).toList();
    }

    private record Aside(Span blocks, long until) {}

    /** Whether range number {@code k} of {@code t} is in the sample: a hash of both, uniform in [0, 1). */
    boolean sampled(EventTable t, long k) {
        if (fraction >= 1) return true;
        long z = t.qualifiedName().hashCode() * 0x9E3779B97F4A7C15L + k; // SplitMix64 finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53 < fraction;
    }

    /**
     * Re-fetches {@code span}; where it differs, or where only the first answer's endpoint vouches for rows its own
     * answer wrote, asks a second answer and decides block by block by two of three ({@link ReconcileVote}).
     */
    private void check(ChainState state, EventTable t, Span span) throws InterruptedException {
        List<String> names = source.endpoints();
        boolean several = names.size() > 1;
        Writers writers = verifyStore.writers(t, span);
        int first = ReconcileVote.first(names, turn, writers.within(span));
        turn = first + 1;
        Answer fetched = fetch(t, span, names.get(first));
        NavigableSet<Long> differA = blocks(verifyStore.compare(settings.chainId(), span, fetched.rows()));
        // where it equals the stored rows, its rows are not needed again: not held beside a second answer (bounded memory)
        final Answer a = differA.isEmpty() ? new Answer(new TableRows(t, List.of()), fetched.endpoints()) : fetched;
        fetched = null;
        // blocks the first answer matches but whose rows its own endpoint wrote: that is no second voice (with a single
        // endpoint, its repeat is the only other there is: asked at once, since nothing differs yet)
        NavigableSet<Long> selfVouched = writers.blocksOf(a.endpoints(), span);
        selfVouched.removeAll(differA);
        if (differA.isEmpty() && selfVouched.isEmpty()) {
            settle(state, span, a.rows(), List.of(), List.of(span));
            return;
        }
        TreeSet<Long> look = new TreeSet<>(differA);
        look.addAll(selfVouched);
        int second = ReconcileVote.second(names, turn, a.endpoints(), writers.of(look));
        turn = second + 1;
        if (!differA.isEmpty() && a.endpoints().contains(names.get(second))) sleeper.sleep(secondOpinionDelay.toNanos());
        Answer b = fetch(t, span, names.get(second));
        NavigableSet<Long> differB = blocks(verifyStore.compare(settings.chainId(), span, b.rows()));
        look.addAll(differB);
        ReconcileVote.Result vote = ReconcileVote.decide(look, differA, differB, n -> digest(Verifier.rowsIn(a.rows(),
                new Span(n, n))).equals(digest(Verifier.rowsIn(b.rows(), new Span(n, n)))), writers, a.endpoints(),
                b.endpoints(), several);
        blame(a.endpoints(), t, span, vote.aWrong(), "its answer differs from the stored rows, which " + b.endpoints()
                + " confirms");
        blame(b.endpoints(), t, span, vote.bWrong(), "its answer differs from the stored rows, which " + a.endpoints()
                + " confirms");
        // the stored rows were wrong: blame the endpoint whose answer wrote them, where the range commit recorded it
        java.util.Map<String, TreeSet<Long>> byWriter = new java.util.TreeMap<>();
        for (long n : vote.storedWrong()) byWriter.computeIfAbsent(writers.of(n).orElse(UNRECORDED), w -> new TreeSet<>()).add(n);
        byWriter.forEach((writer, wrong) -> {
            blame(Set.of(writer), t, span, wrong, "the rows its answer wrote differ from the answers of " + a.endpoints()
                    + " and " + b.endpoints() + ", which agree: repaired");
            observer.repaired(writer, wrong.size());
        });
        if (!vote.undecided().isEmpty() && !span.equals(lastUndecided)) {
            lastUndecided = span; // once per span in a row: an endpoint out of rotation for long would repeat it
            log.warn("reconcile.undecided chain={} table={} span={} endpoints={},{} blocks={}: no two independent "
                    + "versions agree there (the stored rows and two answers all differ, or only the rows' own writer "
                    + "confirms them); set aside and tried again later", settings.name(), t.qualifiedName(), span, a.endpoints(),
                    b.endpoints(), vote.undecided());
        }
        long until = System.nanoTime() + secondOpinionDelay.multipliedBy(4).toNanos();
        for (Span s : Span.runs(vote.undecided())) {
            aside.computeIfAbsent(t.qualifiedName(), k -> new java.util.ArrayList<>()).add(new Aside(s, until));
        }
        settle(state, span, a.rows(), Span.runs(vote.storedWrong()), Span.minus(span, Span.runs(vote.undecided())));
    }

    private static NavigableSet<Long> blocks(List<VerifyStore.RowDiff> diffs) {
        TreeSet<Long> out = new TreeSet<>();
        for (VerifyStore.RowDiff d : diffs) out.add(d.block());
        return out;
    }

    private Answer fetch(EventTable t, Span span, String endpoint) throws InterruptedException {
        pacer.await();
        // a child table: the stored children by the span's end (its factory's table covered it when it was written)
        Children children = Children.load(store, settings.chainId(), List.of(t), span.to());
        LogFilter filter = Children.fetchFilter(t, children);
        if (filter == null) return new Answer(new TableRows(t, List.of()), Set.of(endpoint)); // no child: no row
        ChainSource.AttributedLogs got = source.rangeLogsOn(endpoint, span.from(), span.to(), filter);
        RangeLogs logs = got.logs();
        TableRows rows = TxColumns.attach(source, router.route(List.of(t), logs.logs(), n -> logs.headers().get(n), children))
                .get(0);
        return new Answer(rows, got.endpoints());
    }

    private void blame(Set<String> endpoints, EventTable t, Span span, NavigableSet<Long> wrong, String why) {
        if (wrong.isEmpty()) return;
        for (String e : endpoints) {
            observer.mismatch(e);
            log.warn("reconcile.mismatch chain={} table={} span={} endpoint={} blocks_differing={} first_block={} "
                    + "cause=\"{}\"", settings.name(), t.qualifiedName(), span, e, wrong.size(), wrong.first(), why);
            if (!e.equals(UNRECORDED)) source.blame(e, "eth_getLogs of blocks " + span + " for " + t.qualifiedName()
                    + " left out or altered rows of " + wrong.size() + " block(s), found by reconciliation");
        }
    }

    /** Rewrites {@code rewrite} with {@code answer}'s rows and marks {@code mark} reconciled, in one transaction. */
    private void settle(ChainState state, Span span, TableRows answer, List<Span> rewrite, List<Span> mark) {
        try {
            verifyStore.reconciled(settings.chainId(), state.epoch(), answer, rewrite, mark);
            log.debug("reconcile.done chain={} table={} span={} rewritten={} marked={}", settings.name(), answer.table(),
                    span, rewrite, mark);
        } catch (EpochChangedException e) {
            log.info("reconcile.skipped chain={} table={} span={} cause=\"{}\"", settings.name(), answer.table(), span,
                    e.getMessage());
        }
    }

    /** SHA-256 over each row's block, log index, tx hash, address, topics and data, in chain order. */
    static String digest(TableRows rows) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (EventRow r : rows.rows()) {
            Log l = r.log();
            md.update(ByteBuffer.allocate(16).putLong(l.blockNumber()).putInt(l.logIndex()).putInt(l.topics().size()).array());
            md.update(l.txHash().unsafeBytes());
            md.update(l.address().unsafeBytes());
            for (Hash topic : l.topics()) md.update(topic.unsafeBytes());
            md.update(ByteBuffer.allocate(4).putInt(l.data().length).array());
            md.update(l.data());
        }
        return rows.rows().size() + ":" + dev.evmindexer.eth.Hex.encode(md.digest());
    }
}
