package dev.evmindexer.pipeline;

import dev.evmindexer.eth.BlockHeader;
import dev.evmindexer.eth.Header;
import dev.evmindexer.eth.StoredHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An in-memory {@link EventStore} with the same contract as the PostgreSQL one, for pipeline unit tests; both pass
 * {@link EventStoreContract}. As in PostgreSQL, a header is stored without its bloom and receipts root: a
 * {@link StoredHeader}.
 */
final class MemoryStore implements EventStore {
    long finalized = -1;
    long epoch;
    String halted;
    final TreeMap<Long, StoredHeader> headers = new TreeMap<>();
    final Map<String, TreeMap<Long, List<EventRow>>> rows = new TreeMap<>();   // table -> block -> rows
    final Map<String, TreeSet<Long>> coverage = new TreeMap<>();               // table -> covered blocks
    final List<String> outbox = new ArrayList<>();
    /** Factory key -> block -> children named there, replaced and rolled back with the factory table's rows. */
    final Map<String, TreeMap<Long, List<dev.evmindexer.eth.Address>>> children = new TreeMap<>();
    int rollbacks;

    @Override
    public synchronized List<Child> children(long chainId, String key, long upTo) {
        Map<dev.evmindexer.eth.Address, Long> first = new java.util.LinkedHashMap<>();
        children.getOrDefault(key, new TreeMap<>()).headMap(upTo, true)
                .forEach((block, list) -> list.forEach(a -> first.putIfAbsent(a, block)));
        return first.entrySet().stream().map(e -> new Child(e.getKey(), e.getValue())).toList();
    }

    @Override
    public synchronized ChainState chain(long chainId) {
        return new ChainState(chainId, finalized, epoch, Optional.ofNullable(halted), Optional.ofNullable(finality));
    }

    @Override
    public synchronized void advanceFinalized(long chainId, long f) {
        finalized = Math.max(finalized, f);
    }

    String finality;
    /** Claims by table: span -> owner (claims here never expire unless a test drops them). */
    final Map<String, TreeMap<Long, Object[]>> claims = new TreeMap<>();
    /** Every claim ever taken, for tests that check no span was claimed twice. */
    final List<Span> claimLog = new ArrayList<>();

    @Override
    public synchronized void finalityRule(long chainId, String rule) {
        if (finality != null && !finality.equals(rule)) throw new IllegalStateException("finality " + finality + " vs " + rule);
        finality = rule;
    }

    @Override
    public synchronized List<Span> claim(long chainId, EventTable table, List<Span> wanted, String owner,
            java.time.Duration ttl) {
        var held = claims.computeIfAbsent(table.name(), k -> new TreeMap<>());
        List<Span> others = new ArrayList<>(held.values().stream().filter(v -> !v[1].equals(owner)).map(v -> (Span) v[0]).toList());
        // as the PostgreSQL store: what coverage holds by now is no one's to fetch, whatever the plan read before
        others.addAll(Span.runs(coverage.getOrDefault(table.name(), new TreeSet<>())));
        others.sort(java.util.Comparator.comparingLong(Span::from));
        List<Span> out = new ArrayList<>();
        for (Span w : wanted) {
            for (Span free : Span.minus(w, others)) {
                held.put(free.from(), new Object[] {free, owner});
                claimLog.add(free);
                out.add(free);
            }
        }
        return out;
    }

    @Override
    public synchronized void renewClaims(long chainId, String owner, java.time.Duration ttl) {}

    @Override
    public synchronized void releaseClaims(long chainId, String owner) {
        claims.values().forEach(m -> m.values().removeIf(v -> v[1].equals(owner)));
    }

    /** Claims the coverage of their table holds whole go, as a commit drops them. */
    private void dropCovered(String table) {
        var cov = coverage.getOrDefault(table, new TreeSet<>());
        var held = claims.get(table);
        if (held != null) held.values().removeIf(v -> {
            Span s = (Span) v[0];
            return cov.subSet(s.from(), true, s.to(), true).size() == s.size();
        });
    }

    @Override
    public synchronized Optional<StoredHeader> tip(long chainId) {
        return headers.isEmpty() ? Optional.empty() : Optional.of(headers.lastEntry().getValue());
    }

    @Override
    public synchronized Optional<StoredHeader> anchor(long chainId) {
        return headers.isEmpty() ? Optional.empty() : Optional.of(headers.firstEntry().getValue());
    }

    @Override
    public synchronized Optional<StoredHeader> header(long chainId, long number) {
        return Optional.ofNullable(headers.get(number));
    }

    @Override
    public synchronized List<Span> uncovered(EventTable table, long from, long to) {
        TreeSet<Long> cov = coverage.getOrDefault(table.name(), new TreeSet<>());
        List<Span> out = new ArrayList<>();
        Long start = null;
        for (long n = from; n <= to; n++) {
            if (!cov.contains(n)) {
                if (start == null) start = n;
            } else if (start != null) {
                out.add(new Span(start, n - 1));
                start = null;
            }
        }
        if (start != null) out.add(new Span(start, to));
        return out;
    }

    @Override
    public synchronized long commitRange(long chainId, long epoch, Span span, List<TableRows> trs, boolean force,
            String servedBy) {
        checkEpoch(epoch);
        if (span.to() > finalized) throw new IllegalStateException("range " + span + " above finalized " + finalized);
        long written = 0;
        for (TableRows tr : trs) {
            for (Span part : force ? List.of(span) : uncovered(tr.table(), span.from(), span.to())) {
                TableRows in = tr.within(part);
                replace(in, part);
                written += in.rows().size();
            }
            dropCovered(tr.table().name());
        }
        return written;
    }

    @Override
    public synchronized void commitBlocks(long chainId, long epoch, StoredHeader parent, List<TipBlock> blocks) {
        if (blocks.isEmpty()) return;
        checkEpoch(epoch);
        if (headers.isEmpty() || !sameBlock(headers.lastEntry().getValue(), parent)) throw new TipMovedException("tip moved");
        Map<EventTable, List<EventRow>> merged = new java.util.LinkedHashMap<>();
        for (TipBlock b : blocks) {
            if (!b.header().parentHash().equals(headers.lastEntry().getValue().hash())) {
                throw new AssertionError("pipeline wrote a block that does not link: " + b.header());
            }
            headers.put(b.header().number(), b.header().stored());
            for (TableRows tr : b.rows()) merged.computeIfAbsent(tr.table(), k -> new ArrayList<>()).addAll(tr.rows());
        }
        // as PostgreSQL: one replace (and outbox entry) per table for the whole commit, from the table's start block
        Span span = new Span(blocks.get(0).header().number(), blocks.get(blocks.size() - 1).header().number());
        for (var e : merged.entrySet()) {
            if (span.to() < e.getKey().startBlock()) continue;
            replace(new TableRows(e.getKey(), e.getValue()), new Span(Math.max(span.from(), e.getKey().startBlock()), span.to()));
        }
    }

    private static boolean sameBlock(Header a, Header b) {
        return a.number() == b.number() && a.hash().equals(b.hash());
    }

    @Override
    public synchronized void commitCatchUp(long chainId, long epoch, List<StoredHeader> hs, TableRows rows) {
        if (hs.isEmpty()) return;
        checkEpoch(epoch);
        for (StoredHeader h : hs) {
            StoredHeader s = headers.get(h.number());
            if (s == null || !sameBlock(s, h)) throw new TipMovedException("stored header #" + h.number() + " changed or is gone");
        }
        replace(rows, new Span(hs.get(0).number(), hs.get(hs.size() - 1).number()));
    }

    private void replace(TableRows tr, Span span) {
        for (ChildSource cs : tr.table().childSources()) {
            var byBlock = children.computeIfAbsent(cs.key(), k -> new TreeMap<>());
            byBlock.subMap(span.from(), true, span.to(), true).clear();
            for (EventRow r : tr.rows()) byBlock.computeIfAbsent(r.log().blockNumber(), k -> new ArrayList<>()).add(cs.childOf(r.log()));
        }
        var byBlock = rows.computeIfAbsent(tr.table().name(), k -> new TreeMap<>());
        byBlock.subMap(span.from(), true, span.to(), true).clear();
        for (EventRow r : tr.rows()) byBlock.computeIfAbsent(r.log().blockNumber(), k -> new ArrayList<>()).add(r);
        var cov = coverage.computeIfAbsent(tr.table().name(), k -> new TreeSet<>());
        for (long n = span.from(); n <= span.to(); n++) cov.add(n);
        outbox.add("commit " + tr.table().name() + " " + span);
    }

    @Override
    public synchronized void storeAnchor(long chainId, long epoch, BlockHeader header) {
        checkEpoch(epoch);
        if (!headers.isEmpty() && headers.lastKey() >= header.number()) return;
        headers.put(header.number(), header.stored());
        headers.headMap(header.number(), false).clear();
    }

    final java.util.Set<String> indexed = new java.util.HashSet<>();

    @Override
    public synchronized void ensureIndexes(List<EventTable> tables) {
        for (EventTable t : tables) indexed.add(t.name());
    }

    @Override
    public synchronized void pruneHeaders(long chainId, long f) {
        Long keep = headers.floorKey(f);
        if (keep != null) headers.headMap(keep, false).clear();
    }

    @Override
    public synchronized RollbackResult rollback(long chainId, long epoch, long ancestor, String reason) {
        checkEpoch(epoch);
        long previous = headers.isEmpty() ? -1 : headers.lastKey();
        long highestCovered = coverage.values().stream().filter(c -> !c.isEmpty()).mapToLong(TreeSet::last).max().orElse(-1);
        long deleted = 0;
        for (var byBlock : rows.values()) {
            var above = byBlock.tailMap(ancestor, false);
            for (var l : above.values()) deleted += l.size();
            above.clear();
        }
        for (var cov : coverage.values()) cov.tailSet(ancestor, false).clear();
        for (var byBlock : children.values()) byBlock.tailMap(ancestor, false).clear();
        headers.tailMap(ancestor, false).clear();
        this.epoch++;
        halted = null;
        rollbacks++;
        outbox.add("rollback " + new Span(ancestor + 1, Math.max(ancestor + 1, Math.max(previous, highestCovered))));
        return new RollbackResult(ancestor, previous, deleted, this.epoch);
    }

    @Override
    public synchronized void halt(long chainId, long epoch, String reason) {
        checkEpoch(epoch);
        halted = reason;
    }

    /** Every stored row of {@code table}, in (block, log index) order. */
    synchronized List<EventRow> rowsOf(String table) {
        List<EventRow> out = new ArrayList<>();
        rows.getOrDefault(table, new TreeMap<>()).values().forEach(out::addAll);
        return out;
    }

    private void checkEpoch(long planned) {
        if (planned != epoch) throw new EpochChangedException(1, planned, epoch);
    }
}
