package dev.evmindexer.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamesTest {

    @ParameterizedTest
    @CsvSource({
            "from, from",
            "tokenId, token_id",
            "ERC20Value, erc20_value",
            "URI, uri",
            "HTTPServer, http_server",
            "tokenID, token_id",
            "value1, value1",
            "_from, _from",
            "my_Value, my_value",
            "amount0In, amount0_in",
            "$dollar, _dollar",
            "a2B, a2_b",
            "x, x"})
    void snakeCase(String in, String out) {
        assertEquals(out, Names.snakeCase(in));
    }

    @Test
    void snakeCaseOfEmptyIsEmptyAndBadNamesAreRefused() {
        assertEquals("", Names.snakeCase(""));
        AbiException e = assertThrows(AbiException.class, () -> Names.snakeCase("token-id"));
        assertTrue(e.getMessage().contains("'token-id'"), e.getMessage());
    }

    @Test
    void columnNamesForUnnamedStandardAndDuplicateParameters() {
        EventDecoder d = new EventDecoder(EventSignature.parse(
                "event E(address indexed address, uint256, uint256 tokenId, uint256 token_id, uint256 TokenId,"
                        + " string indexed blockHash, bytes32 block_hash, bool)"));
        assertEquals(List.of("evt_address", "arg1", "token_id", "token_id_2", "token_id_3", "block_hash_hash",
                "evt_block_hash", "arg7"), d.columns().stream().map(Column::name).toList());
        EventDecoder std = new EventDecoder(EventSignature.parse(
                "event S(uint256 chainId, uint256 blockNumber, uint256 blockTime, bytes32 txHash, uint32 txIndex, uint32 logIndex)"));
        assertEquals(List.of("evt_chain_id", "evt_block_number", "evt_block_time", "evt_tx_hash", "evt_tx_index",
                "evt_log_index"), std.columns().stream().map(Column::name).toList());
    }

    @Test
    void indexedUnnamedDynamicGetsHashSuffix() {
        EventDecoder d = new EventDecoder(EventSignature.parse("event E(string indexed, string)"));
        assertEquals(List.of(new Column("arg0_hash", "bytea", "string", true), new Column("arg1", "text", "string", false)),
                d.columns());
    }

    @Test
    void namesOver63BytesAreShortenedWithAHashNeverTruncated() {
        String ok = "a".repeat(63);
        assertEquals(ok, new EventDecoder(EventSignature.parse("event E(uint256 " + ok + ")")).columns().get(0).name());
        List<String> names = new EventDecoder(EventSignature.parse("event E(uint256 " + "a".repeat(64) + ", uint256 "
                + "a".repeat(65) + ")")).columns().stream().map(Column::name).toList();
        assertEquals(63, names.get(0).length());
        assertTrue(names.get(0).startsWith("a".repeat(54) + "_"), names.get(0));
        assertNotEquals(names.get(0), names.get(1), "the hash keeps names that share a prefix apart");
        // camelCase grows under snake_case: 60 characters become 90, plus _hash
        String camel = "aB".repeat(30);
        String hashed = new EventDecoder(EventSignature.parse("event E(string indexed " + camel + ")")).columns().get(0).name();
        assertEquals(63, hashed.length());
        assertTrue(hashed.matches("(a_b)+a?_[0-9a-f]{8}") && hashed.startsWith("a_ba_b"), hashed);
    }
}
