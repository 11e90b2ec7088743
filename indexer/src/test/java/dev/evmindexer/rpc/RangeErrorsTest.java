package dev.evmindexer.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Providers' own error texts for refused {@code eth_getLogs} ranges, each with where it was seen. Those naming a
 * range give its size; the others say "shrink" without a size (the fetcher then halves).
 */
class RangeErrorsTest {
    private static void suggests(long blocks, String message, long asked) {
        assertTrue(RangeErrors.isRangeError(message), "recognised: " + message);
        assertEquals(OptionalLong.of(blocks), RangeErrors.suggestedBlocks(message, asked), message);
    }

    private static void halves(String message) {
        assertTrue(RangeErrors.isRangeError(message), "recognised: " + message);
        assertEquals(OptionalLong.empty(), RangeErrors.suggestedBlocks(message, 5_000), message);
    }

    @Test
    void alchemySuggestsARange() {
        // BobTheBuidler/dank_mids#772, code -32600
        suggests(0x123cba5 - 0x123c9b2 + 1, "You can make eth_getLogs requests with up to a 500 block range. Based on "
                + "your parameters, this block range should work: [0x123c9b2, 0x123cba5]", 2_000);
        // bancorprotocol/webapp#523 (older wording, no range named)
        halves("Log response size exceeded. Please reduce query block range.");
    }

    @Test
    void infuraNamesItsLimitOrARange() {
        // INFURA/infura#237, code -32602
        suggests(10_000, "range 1000000 exceeds limit of 10000", 1_000_001);
        // status-im/nimbus-eth2#1823, code -32005
        halves("query returned more than 10000 results");
        // ponder-sh/ponder#724 (zkSync era, Infura's wording), code -32602
        suggests(0x1198cc3 - 0x118dc91 + 1,
                "Query returned more than 10000 results. Try with this block range [0x118dc91, 0x1198cc3].", 50_000);
    }

    @Test
    void quickNodeNamesItsLimit() {
        // OffchainLabs/arbitrum-sdk#609: HTTP 413 with {"code":-32614,"message":...}
        suggests(10_000, "eth_getLogs is limited to a 10,000 range", 10_001);
        suggests(10_000, "HTTP 413: eth_getLogs is limited to a 10,000 range", 20_000);
    }

    @Test
    void ankrHalvesOrNamesADistance() {
        // ponder's getLogsRetryHelper (code -32600) and its ankr test
        halves("block range is too wide");
        halves("query exceeds max results");
        // ponder-sh/ponder#1940 (Ankr, TAC)
        suggests(10_000, "maximum [from, to] blocks distance: 10000", 10_696);
    }

    @Test
    void blastApiNamesItsPlanLimitInTheErrorData() {
        // erpc's tests of a BlastAPI answer: HTTP 400, message "Invalid params", the limit in data.range
        suggests(2_000, "Invalid params (data: {\"range\":\"the range 55074203 - 55124202 exceeds the range allowed "
                + "for your plan (49999 > 2000).\"})", 50_000);
    }

    @Test
    void gethStyleNodesNameTheirMaximum() {
        // AlphaWallet/alpha-wallet-android#2736 (BSC's geth), code -32000
        suggests(5_000, "exceed maximum block range: 5000", 100_000);
        // enviodev/hyperindex#605 (Morph's geth), code -32000
        suggests(5_000, "block range is larger than max block range, block range = 5120, max block range = 5000", 5_120);
        // moonbeam-foundation/moonbeam#3250 (Frontier)
        suggests(1_024, "block range is too wide (maximum 1024)", 2_000);
        // scroll-tech/go-ethereum#529
        halves("block range is bigger than maxBlockRange");
    }

    @Test
    void aSuggestionThatWouldNotShrinkTheRangeIsIgnored() {
        assertEquals(OptionalLong.empty(), RangeErrors.suggestedBlocks("eth_getLogs is limited to a 10,000 range", 10_000));
        assertEquals(OptionalLong.empty(), RangeErrors.suggestedBlocks("exceed maximum block range: 0", 100));
    }

    @Test
    void otherErrorsAreNotRangeErrors() {
        assertFalse(RangeErrors.isRangeError("execution reverted"));
        assertFalse(RangeErrors.isRangeError("unknown block"));
        assertFalse(RangeErrors.isRangeError(null));
    }
}
