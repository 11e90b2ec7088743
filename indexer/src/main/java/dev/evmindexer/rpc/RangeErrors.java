package dev.evmindexer.rpc;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises providers' "range too large" / "too many results" errors for {@code eth_getLogs} and reads the
 * block count they suggest, where they suggest one. The texts are the providers' own (see RangeErrorsTest for
 * each, with where it was seen). A suggestion is only a hint: the caller never asks for more than it did before.
 */
final class RangeErrors {
    /** Lower-case fragments of errors meaning "ask for fewer blocks" (size, count or range). */
    private static final List<String> FRAGMENTS = List.of(
            "query returned more than", "more than 10000 results", "too many results", "block range too large",
            "range too large", "block range is too wide", "exceed maximum block range", "exceeds max block range",
            "maximum block range", "max block range", "max range", "response size exceeded",
            "response size should not", "log response size", "limited to a", "range limit", "too large block range",
            "query timeout exceeded", "query exceeds max results", "exceeds the range allowed", "exceeds limit of",
            "blocks distance", "this block range should work", "try with this block range", "block range is larger",
            "block range is bigger", "block range too high");

    private static final String HEX_PAIR = "\\[\\s*0x([0-9a-fA-F]+)\\s*,\\s*0x([0-9a-fA-F]+)\\s*]";
    /** Alchemy ("this block range should work: [0x.., 0x..]"), Infura/zkSync ("Try with this block range [..]"). */
    private static final Pattern SUGGESTED_PAIR = Pattern.compile(
            "(?:this block range should work:|try with this block range)\\s*" + HEX_PAIR, Pattern.CASE_INSENSITIVE);
    /** Block counts in the message, most specific first; group 1 is the count (digits with , or . separators). */
    private static final List<Pattern> SUGGESTED_COUNT = List.of(
            Pattern.compile("exceeds the range allowed for your plan \\(\\d+ > (\\d+)\\)"), // BlastAPI
            Pattern.compile("limited to a ([\\d,.]+)"),                                      // QuickNode, 1RPC
            Pattern.compile("maximum \\[from, to] blocks distance: (\\d+)"),                 // Ankr
            Pattern.compile("exceeds limit of ([\\d,.]+)"),                                  // Infura
            Pattern.compile("exceed maximum block range: ([\\d,.]+)"),                       // geth forks (BSC)
            Pattern.compile("max block range = ([\\d,.]+)"),                                 // geth forks (Morph)
            Pattern.compile("maximum block range: ([\\d,.]+)"),                              // PublicNode
            Pattern.compile("block range is too wide \\(maximum (\\d+)\\)"),                 // Frontier/Moonbeam
            Pattern.compile("up to a ([\\d,.]+) block range"));                              // Alchemy, Aurora

    private RangeErrors() {}

    /** True when {@code message} (an error answer's message and data) asks for a smaller range. */
    static boolean isRangeError(String message) {
        if (message == null) return false;
        String m = message.toLowerCase(Locale.ROOT);
        return FRAGMENTS.stream().anyMatch(m::contains);
    }

    /**
     * The block count the message suggests, if it names one that is smaller than {@code asked}; empty when it names
     * none (the caller halves) or one that would not shrink the range.
     */
    static OptionalLong suggestedBlocks(String message, long asked) {
        if (message == null) return OptionalLong.empty();
        Matcher pair = SUGGESTED_PAIR.matcher(message);
        if (pair.find()) {
            long from = Long.parseLong(pair.group(1), 16);
            long to = Long.parseLong(pair.group(2), 16);
            return usable(to - from + 1, asked);
        }
        for (Pattern p : SUGGESTED_COUNT) {
            Matcher m = p.matcher(message);
            if (m.find()) {
                String digits = m.group(1).replaceAll("[,.]", "");
                if (digits.isEmpty() || digits.length() > 15) continue;
                return usable(Long.parseLong(digits), asked);
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong usable(long blocks, long asked) {
        return blocks >= 1 && blocks < asked ? OptionalLong.of(blocks) : OptionalLong.empty();
    }
}
