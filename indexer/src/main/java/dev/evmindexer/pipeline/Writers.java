package dev.evmindexer.pipeline;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which endpoint's answer wrote the stored rows of a table's blocks, as range commits record it ({@link
 * VerifyStore#writers}): entries oldest first, the newest entry covering a block naming its writer. Tip blocks and rows
 * written before the record existed have none.
 */
public record Writers(List<Entry> entries) {
    /** Nothing recorded. */
    public static final Writers NONE = new Writers(List.of());

    /** {@code endpoint}'s answer wrote {@code blocks}; a null endpoint: a repair rewrote them, by whose answer is unknown. */
    public record Entry(Span blocks, String endpoint) {}

    public Writers {
        entries = List.copyOf(entries);
    }

    /** The endpoint whose answer wrote {@code block}, if recorded. */
    public Optional<String> of(long block) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.blocks().from() <= block && block <= e.blocks().to()) return Optional.ofNullable(e.endpoint());
        }
        return Optional.empty();
    }

    /** The writers of {@code blocks} (those recorded). */
    public Set<String> of(Collection<Long> blocks) {
        Set<String> out = new LinkedHashSet<>();
        for (long n : blocks) of(n).ifPresent(out::add);
        return out;
    }

    /** Every endpoint named for {@code span}. */
    public Set<String> within(Span span) {
        Set<String> out = new LinkedHashSet<>();
        for (long n = span.from(); n <= span.to(); n++) of(n).ifPresent(out::add);
        return out;
    }

    /** The blocks of {@code span} whose rows one of {@code endpoints} wrote. */
    public NavigableSet<Long> blocksOf(Set<String> endpoints, Span span) {
        TreeSet<Long> out = new TreeSet<>();
        for (long n = span.from(); n <= span.to(); n++) {
            if (of(n).filter(endpoints::contains).isPresent()) out.add(n);
        }
        return out;
    }
}
