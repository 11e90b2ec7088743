package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events from ABI JSON files: by name, overloads by signature, events: all, columns renames, and the errors. */
class IndexPlanAbiTest {
    private static final String ABI = """
            [
              {"type": "function", "name": "transfer", "inputs": []},
              {"type": "event", "name": "Transfer", "anonymous": false, "inputs": [
                {"name": "from", "type": "address", "indexed": true},
                {"name": "to", "type": "address", "indexed": true},
                {"name": "value", "type": "uint256", "indexed": false}]},
              {"type": "event", "name": "Transfer", "anonymous": false, "inputs": [
                {"name": "from", "type": "address", "indexed": true},
                {"name": "to", "type": "address", "indexed": true},
                {"name": "value", "type": "uint256", "indexed": false},
                {"name": "memo", "type": "bytes", "indexed": false}]},
              {"type": "event", "name": "OrderFilled", "anonymous": false, "inputs": [
                {"name": "order", "type": "tuple", "indexed": false, "internalType": "struct Order", "components": [
                  {"name": "maker", "type": "address"},
                  {"name": "legs", "type": "tuple[]", "components": [{"name": "amount", "type": "uint256"}, {"name": "note", "type": "string"}]},
                  {"name": "ids", "type": "uint64[2]"}]},
                {"name": "tag", "type": "string", "indexed": true}]},
              {"type": "event", "name": "Ping", "anonymous": true, "inputs": [{"name": "n", "type": "uint8", "indexed": false}]}
            ]""";

    @TempDir
    Path dir;

    private IndexPlan plan(String sourceBody) throws Exception {
        Files.writeString(dir.resolve("token.json"), ABI);
        Files.writeString(dir.resolve("artifact.json"), "{\"abi\": " + ABI + ", \"bytecode\": {\"object\": \"0x\"}}");
        String yaml = """
                chains:
                  - name: c
                    chain_id: 1
                    rpc: [http://127.0.0.1:1]
                sources:
                  - name: s
                    chain: c
                """ + sourceBody;
        Path file = dir.resolve("indexer.yaml");
        Files.writeString(file, yaml);
        return IndexPlan.from(ConfigLoader.load(file, Map.of()));
    }

    private static List<String> columns(EventTable t) {
        return t.columns().stream().map(c -> c.name() + " " + c.sqlType()).toList();
    }

    @Test
    void eventsByNameAndOverloadsBySignatureFromAPlainAbiAndAnArtifact() throws Exception {
        IndexPlan p = plan("""
                    abi: token.json
                    events:
                      - name: "Transfer(address,address,uint256)"
                        table: transfers
                      - name: Transfer(address, address, uint256, bytes)
                        table: transfers_with_memo
                      - name: OrderFilled
                        abi: artifact.json
                        table: orders
                        columns: {order_legs: legs, tag_hash: tag}
                """);
        List<EventTable> ts = p.allTables();
        assertEquals(List.of("transfers", "transfers_with_memo", "orders"), ts.stream().map(EventTable::name).toList());
        assertEquals("Transfer(address,address,uint256,bytes)", ts.get(1).signature().canonical());
        assertEquals(List.of("order_maker bytea", "legs jsonb", "order_ids numeric(20,0)[]", "tag bytea"), columns(ts.get(2)));
        assertEquals("OrderFilled((address,(uint256,string)[],uint64[2]),string)", ts.get(2).signature().canonical());
        assertTrue(ts.get(2).columns().get(3).topicHash());
    }

    @Test
    void allEventsWithATablePattern() throws Exception {
        ConfigException overloaded = assertThrows(ConfigException.class, () -> plan("""
                    addresses: [0x00000000000000000000000000000000000000aa]
                    abi: token.json
                    events: all
                    table_pattern: "tok_{event}"
                """));
        assertTrue(overloaded.getMessage().contains("sources[0].events: the abi overloads event Transfer"), overloaded.getMessage());
        Files.writeString(dir.resolve("single.json"), "[" + ABI.substring(ABI.indexOf("{\"type\": \"event\", \"name\": \"OrderFilled\"")));
        IndexPlan p = plan("""
                    addresses: [0x00000000000000000000000000000000000000aa]
                    abi: single.json
                    events: all
                    table_pattern: "tok_{event}"
                """);
        assertEquals(List.of("tok_order_filled", "tok_ping"), p.allTables().stream().map(EventTable::name).toList());
        assertTrue(p.allTables().get(1).signature().anonymous());
        assertTrue(p.allTables().get(1).filter().topic0s().isEmpty());
    }

    @Test
    void errorsNameTheKeyAndLine() {
        assertFails("""
                    events:
                      - name: Transfer
                        table: t
                """, "indexer.yaml:9: sources[0].events[0].name: an event given by name needs an abi file");
        assertFails("""
                    abi: missing.json
                    events:
                      - name: Transfer
                        table: t
                """, "indexer.yaml:6: sources[0].abi: abi file " + dir.resolve("missing.json") + " not found");
        assertFails("""
                    abi: missing.json
                    events:
                      - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                        table: t
                """, "indexer.yaml:6: sources[0].abi: abi file " + dir.resolve("missing.json") + " not found");
        assertFails("""
                    abi: token.json
                    events:
                      - name: Transfer
                        table: t
                """, "sources[0].events[0].name: event Transfer is overloaded in the ABI; choose one by its signature: "
                + "Transfer(address,address,uint256), Transfer(address,address,uint256,bytes)");
        assertFails("""
                    abi: token.json
                    events:
                      - name: Approval
                        table: t
                """, "sources[0].events[0].name: no event Approval in the ABI; it has Transfer(address,address,uint256)");
        assertFails("""
                    abi: token.json
                    events:
                      - name: Ping
                        table: t
                """, "sources[0].events[0].name: event Ping(uint8) is anonymous: it has no topic0 to filter by, so the source must name addresses");
        assertFails("""
                    abi: token.json
                    events:
                      - name: OrderFilled
                        table: t
                        columns: {nope: x}
                """, "indexer.yaml:10: sources[0].events[0].columns: no column 'nope' to rename");
        assertFails("""
                    abi: token.json
                    events: all
                """, "sources[0].events: events: all needs table_pattern");
        assertFails("""
                    events:
                      - signature: "event A(uint8 x)"
                        name: A
                        table: t
                """, "sources[0].events[0].name: give either signature or name");
    }

    private void assertFails(String body, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> plan(body));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
