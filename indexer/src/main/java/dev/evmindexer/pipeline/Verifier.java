package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.StoredHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code verify --from N --to M}: re-fetches the range from the chain's nodes, decodes it as the daemon
 * would, and compares it with the database per block and table: every row column by column (which
 * covers block hash, log count and values), plus each stored header's hash. Only blocks a table covers
 * are compared (the rest is not indexed yet). With {@code repair}, each run of differing blocks of a
 * table is rewritten in one transaction under the chain's lock and epoch, then compared again.
 *
 * <p>Blocks above the finalized block whose stored header differs from the node's are a reorg, not a
 * repair: they are reported and left to the daemon's rollback.
 *
 * <p>With {@code proof} ({@code verify --proof}, ARCHITECTURE.md invariant 9) the node's logs come from each block's
 * receipts, proven against its header's receiptsRoot ({@link ChainSource#provenLogs}) instead of {@code eth_getLogs}: a
 * block whose receipts do not prove is reported (and its rows are not compared), and the stored rows are compared
 * with the proven logs.
 */
public final class Verifier {
    private static final Logger log = LoggerFactory.getLogger(Verifier.class);

    /** One difference for the operator: a block, the table (null for a stored header) and what is wrong. */
    public record Difference(long block, String table, String what) {}

    /**
     * What a verify run found and did.
     *
     * @param blocks         blocks compared (the range, clipped at the node's head)
     * @param rowsOnNode     rows the node's logs decode to, in covered blocks
     * @param rowsInTables   rows the tables hold there
     * @param uncovered      (table, block) pairs skipped because the table has not indexed them yet
     * @param differing      (table, block) pairs, stored headers and unproven blocks that differ, before any repair
     * @param repaired       (table, block) pairs rewritten and equal afterwards
     * @param unproven       blocks whose receipts did not prove against their header (with {@code proof})
     * @param first          the first differences (block order within each chunk of the range)
     */
    public record Report(long from, long to, long blocks, long rowsOnNode, long rowsInTables, long uncovered,
                         long differing, long repaired, long unproven, List<Difference> first) {
        /** True when the database equals the node in the range (after repair, when repairing). */
        public boolean equal() {
            return differing == repaired;
        }
    }

    private final ChainSource source;
    private final EventStore store;
    private final VerifyStore verifyStore;
    private final List<EventTable> tables;
    private final ChainSettings settings;
    private final LogRouter router;

    public Verifier(ChainSource source, EventStore store, VerifyStore verifyStore, List<EventTable> tables,
            ChainSettings settings, LogRouter router) {
        this.source = source;
        this.store = store;
        this.verifyStore = verifyStore;
        this.tables = List.copyOf(tables);
        this.settings = settings;
        this.router = router;
    }

    /** Compares (and with {@code repair}, fixes) {@code [from, to]}; keeps the first {@code keep} differences. */
    public Report run(long from, long to, boolean repair, int keep) {
        return run(from, to, repair, keep, false);
    }

    /** As {@link #run(long, long, boolean, int)}; with {@code proof} against logs from proven receipts. */
    public Report run(long from, long to, boolean repair, int keep, boolean proof) {
        if (from < 0 || to < from) throw new IllegalArgumentException("need 0 <= from <= to, got [" + from + ", " + to + "]");
        long chainId = settings.chainId();
        long end = Math.min(to, source.heads().head());
        Tally t = new Tally(keep);
        for (long a = from; a <= end; a += settings.rangeSize()) {
            long b = Math.min(end, a + settings.rangeSize() - 1);
            ChainState state = store.chain(chainId); // read before fetching: repairs are checked against this epoch
            RangeLogs answer;
            TreeSet<Long> unproven = new TreeSet<>();
            if (proof) {
                ProvenLogs p = source.provenLogs(a, b, LogRouter.union(tables));
                answer = p.proven();
                unproven.addAll(p.unproven().keySet());
                for (long n : unproven) {
                    t.differing++;
                    t.unproven++;
                    t.note(new Difference(n, null, "receipts do not prove against the header's receiptsRoot: "
                            + p.unproven().get(n)));
                }
            } else {
                answer = source.rangeLogs(a, b, LogRouter.union(tables));
            }
            List<TableRows> expected = TxColumns.attach(source, router.route(tables, answer.logs(), n -> answer.headers().get(n),
                    childrenBefore(a, b)));
            Map<Long, Hash> canonical = checkHeaders(a, b, t);
            for (TableRows tr : expected) compareTable(chainId, state, new Span(a, b), tr, canonical, repair, unproven, t);
        }
        Report r = new Report(from, to, Math.max(0, end - from + 1), t.rowsOnNode, t.rowsInTables, t.uncovered,
                t.differing, t.repaired, t.unproven, List.copyOf(t.first));
        log.info("verify.done chain={} from={} to={} blocks={} differing={} repaired={}", settings.name(), from, end,
                r.blocks(), r.differing(), r.repaired());
        return r;
    }

    /**
     * The child sets to compare child tables with in {@code [a, b]}: the stored children created before {@code a}, to
     * which {@link LogRouter#route} adds those the node's factory logs of {@code [a, b]} name (the canonical ones); where
     * the factory's table is not verified with them, the stored children through {@code b}. Child tables are fetched
     * by topic ({@link LogRouter#union}: their filters name no address), so no canonical child is left out of the call.
     */
    private Children childrenBefore(long a, long b) {
        List<EventTable> fromNode = new ArrayList<>();
        List<EventTable> fromStore = new ArrayList<>();
        for (EventTable t : tables) {
            if (t.factory() == null) continue;
            boolean verified = tables.stream().anyMatch(o -> o.qualifiedName().equals(t.factory().factoryTable().qualifiedName()));
            (verified ? fromNode : fromStore).add(t);
        }
        Children out = Children.load(store, settings.chainId(), fromNode, a - 1);
        out.addAll(Children.load(store, settings.chainId(), fromStore, b));
        return out;
    }

    /** Compares stored headers in {@code [a, b]} with the node's; returns the node's hashes of those blocks. */
    private Map<Long, Hash> checkHeaders(long a, long b, Tally t) {
        long chainId = settings.chainId();
        Optional<StoredHeader> anchor = store.anchor(chainId);
        Optional<StoredHeader> tip = store.tip(chainId);
        Map<Long, Hash> canonical = new HashMap<>();
        if (anchor.isEmpty() || tip.isEmpty()) return canonical;
        long lo = Math.max(a, anchor.get().number());
        long hi = Math.min(b, tip.get().number());
        if (lo > hi) return canonical;
        for (BlockHeader h : source.headers(lo, hi)) canonical.put(h.number(), h.hash());
        for (long n = lo; n <= hi; n++) {
            Optional<StoredHeader> stored = store.header(chainId, n);
            Hash node = canonical.get(n);
            if (stored.isEmpty() || node == null || stored.get().hash().equals(node)) continue;
            t.differing++;
            t.note(new Difference(n, null, "stored header " + stored.get().hash().shortHex() + " but the node has "
                    + node.shortHex() + ": a reorg the daemon rolls back (not repaired here)"));
        }
        return canonical;
    }

    /** Compares one table's rows in {@code chunk}, except in blocks it does not cover yet and {@code unproven} ones. */
    private void compareTable(long chainId, ChainState state, Span chunk, TableRows expected, Map<Long, Hash> canonical,
            boolean repair, NavigableSet<Long> unproven, Tally t) {
        EventTable table = expected.table();
        long lo = Math.max(chunk.from(), table.startBlock());
        if (lo > chunk.to()) return;
        List<Span> gaps = store.uncovered(table, lo, chunk.to());
        for (Span gap : gaps) t.uncovered += gap.size();
        List<Span> pieces = new ArrayList<>();
        for (Span covered : Span.minus(new Span(lo, chunk.to()), gaps)) {
            java.util.SortedSet<Long> holes = unproven.subSet(covered.from(), covered.to() + 1);
            pieces.addAll(holes.isEmpty() ? List.of(covered) : Span.minus(covered, Span.runs(holes)));
        }
        for (Span piece : pieces) {
            TableRows rows = rowsIn(expected, piece);
            List<VerifyStore.RowDiff> diffs = verifyStore.compare(chainId, piece, rows);
            t.rowsOnNode += rows.rows().size();
            t.rowsInTables += rows.rows().size() + diffs.stream().mapToLong(d -> switch (d.kind()) {
                case MISSING -> -1;
                case EXTRA -> 1;
                case DIFFERENT -> 0;
            }).sum();
            TreeSet<Long> blocks = new TreeSet<>();
            for (VerifyStore.RowDiff d : diffs) {
                blocks.add(d.block());
                t.note(new Difference(d.block(), table.qualifiedName(), describe(d)));
            }
            t.differing += blocks.size();
            if (repair && !blocks.isEmpty()) t.repaired += repair(chainId, state, rows, blocks, canonical);
        }
    }

    /** Rewrites each run of consecutive differing blocks in one transaction; returns the blocks equal afterwards. */
    private long repair(long chainId, ChainState state, TableRows rows, NavigableSet<Long> blocks, Map<Long, Hash> canonical) {
        long fixed = 0;
        for (Span run : Span.runs(blocks)) {
            TableRows part = rowsIn(rows, run);
            Map<Long, Hash> above = new HashMap<>();
            for (long n = Math.max(run.from(), state.finalized() + 1); n <= run.to(); n++) {
                if (canonical.containsKey(n)) above.put(n, canonical.get(n));
            }
            try {
                verifyStore.repair(chainId, state.epoch(), run, part, above);
            } catch (EpochChangedException e) {
                log.warn("repair.skipped chain={} table={} span={} cause=\"{}\"", settings.name(), rows.table(), run,
                        e.getMessage());
                continue;
            } catch (RuntimeException e) {
                log.warn("repair.refused chain={} table={} span={} cause=\"{}\"", settings.name(), rows.table(), run,
                        e.getMessage());
                continue;
            }
            List<VerifyStore.RowDiff> after = verifyStore.compare(chainId, run, part);
            long left = after.stream().mapToLong(VerifyStore.RowDiff::block).distinct().count();
            fixed += run.size() - left;
            log.info("repair chain={} table={} span={} rows={} still_differing={}", settings.name(),
                    rows.table(), run, part.rows().size(), left);
        }
        return fixed;
    }

    static TableRows rowsIn(TableRows rows, Span span) {
        return new TableRows(rows.table(), rows.rows().stream()
                .filter(r -> r.log().blockNumber() >= span.from() && r.log().blockNumber() <= span.to()).toList());
    }

    private static String describe(VerifyStore.RowDiff d) {
        return switch (d.kind()) {
            case MISSING -> "log " + d.logIndex() + " missing from the table (" + d.detail() + ")";
            case EXTRA -> "log " + d.logIndex() + " in the table but not on the node (" + d.detail() + ")";
            case DIFFERENT -> "log " + d.logIndex() + " differs in " + d.detail();
        };
    }

    /** Running totals of one run. */
    private static final class Tally {
        final int keep;
        final List<Difference> first = new ArrayList<>();
        long rowsOnNode;
        long rowsInTables;
        long uncovered;
        long differing;
        long repaired;
        long unproven;

        Tally(int keep) {
            this.keep = keep;
        }

        void note(Difference d) {
            if (first.size() < keep) first.add(d);
        }
    }
}
