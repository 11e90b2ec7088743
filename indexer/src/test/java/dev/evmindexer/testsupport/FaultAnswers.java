package dev.evmindexer.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.abi.Keccak;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The answers of one HTTP request through a {@link FaultProxy}: each JSON-RPC request is answered locally (a lagging
 * node's view, a range refusal) or forwarded upstream (in one batch), then the answers may be tampered with.
 */
final class FaultAnswers {
    /** What to send back: an HTTP status and a body (an array for a batch). */
    record Answer(int httpStatus, JsonNode body) {}

    private final FaultProxy proxy;
    private long laggedHead = -1;
    /** Whether this request's headers come from another fork: drawn once per HTTP request, as a load balancer would. */
    private Boolean forked;

    FaultAnswers(FaultProxy proxy) {
        this.proxy = proxy;
    }

    Answer answer(JsonNode request) throws IOException, InterruptedException {
        boolean batch = request.isArray();
        List<JsonNode> requests = batch ? FaultProxy.asList(request) : List.of(request);
        ObjectNode[] answers = new ObjectNode[requests.size()];
        ArrayNode forward = JsonRpcClient.JSON.createArrayNode();
        for (int i = 0; i < requests.size(); i++) {
            JsonNode r = requests.get(i);
            ProviderMessage.Refusal refusal = rangeRefusal(r);
            if (refusal != null) {
                proxy.count(FaultProxy.Fault.RANGE_LIMIT);
                if (refusal.httpStatus() != 200) return new Answer(refusal.httpStatus(), envelope(null, refusal.error()));
                answers[i] = envelope(r.get("id"), refusal.error());
                continue;
            }
            ObjectNode local = proxy.lagBlocks() > 0 ? lagged(r) : null;
            if (local != null) {
                proxy.count(FaultProxy.Fault.LAG);
                answers[i] = local;
            } else {
                forward.add(proxy.lagBlocks() > 0 ? clamped(r) : r);
            }
        }
        Map<JsonNode, ObjectNode> upstream = proxy.forward(forward);
        for (int i = 0; i < requests.size(); i++) {
            if (answers[i] != null) continue;
            JsonNode r = requests.get(i);
            ObjectNode a = upstream.get(r.get("id"));
            if (a == null) throw new IOException("upstream did not answer id " + r.get("id"));
            tamper(r, a);
            answers[i] = a;
        }
        if (!batch) return new Answer(200, answers[0]);
        ArrayNode out = JsonRpcClient.JSON.createArrayNode();
        for (ObjectNode a : answers) out.add(a);
        return new Answer(200, out);
    }

    private ProviderMessage.Refusal rangeRefusal(JsonNode r) {
        long max = proxy.rangeLimit();
        if (max <= 0 || !method(r).equals("eth_getLogs")) return null;
        JsonNode f = r.path("params").path(0);
        if (!f.has("fromBlock") || !f.has("toBlock") || !f.get("toBlock").asText().startsWith("0x")) return null;
        long from = FaultProxy.quantity(f.get("fromBlock"));
        long to = FaultProxy.quantity(f.get("toBlock"));
        return to - from + 1 > max ? proxy.rangeMessage().refuse(from, to, max) : null;
    }

    /** A lagging node's own answer where it differs from the real node's; null to forward (maybe clamped). */
    private ObjectNode lagged(JsonNode r) throws IOException, InterruptedException {
        long head = laggedHead();
        JsonNode params = r.path("params");
        switch (method(r)) {
            case "eth_blockNumber":
                return result(r, JsonRpcClient.JSON.getNodeFactory().textNode(Hex.quantity(head)));
            case "eth_getBlockByNumber": {
                String tag = params.path(0).asText();
                if (tag.startsWith("0x") && Hex.quantity(tag) > head) return result(r, null);
                if (tag.equals("finalized") || tag.equals("safe")) { // as far behind as the head
                    JsonNode real = proxy.upstream("eth_getBlockByNumber", tag, false);
                    if (real == null || real.isNull()) return null;
                    long n = Math.max(0, FaultProxy.quantity(real.get("number")) - proxy.lagBlocks());
                    return result(r, proxy.upstream("eth_getBlockByNumber", Hex.quantity(n), false));
                }
                return null;
            }
            case "eth_getBlockByHash": {
                JsonNode block = proxy.upstream("eth_getBlockByHash", params.path(0).asText(), false);
                return block != null && !block.isNull() && FaultProxy.quantity(block.get("number")) > head
                        ? result(r, null) : null;
            }
            case "eth_getLogs": {
                JsonNode f = params.path(0);
                if (f.has("blockHash")) {
                    JsonNode block = proxy.upstream("eth_getBlockByHash", f.get("blockHash").asText(), false);
                    if (block == null || block.isNull() || FaultProxy.quantity(block.get("number")) > head) {
                        return envelope(r.get("id"), ProviderMessage.error(-32000, "unknown block"));
                    }
                    return null;
                }
                if (f.has("fromBlock") && f.get("fromBlock").asText().startsWith("0x")
                        && FaultProxy.quantity(f.get("fromBlock")) > head) {
                    return result(r, JsonRpcClient.JSON.createArrayNode());
                }
                return null;
            }
            default:
                return null;
        }
    }

    /** A forwarded request as the lagging node would see it: "latest" and ranges end at its head. */
    private JsonNode clamped(JsonNode r) throws IOException, InterruptedException {
        long head = laggedHead();
        String m = method(r);
        if (m.equals("eth_getBlockByNumber") && r.path("params").path(0).asText().equals("latest")) {
            ObjectNode copy = r.deepCopy();
            ((ArrayNode) copy.get("params")).set(0, Hex.quantity(head));
            return copy;
        }
        JsonNode f = r.path("params").path(0);
        if (m.equals("eth_getLogs") && f.has("toBlock") && f.get("toBlock").asText().startsWith("0x")
                && FaultProxy.quantity(f.get("toBlock")) > head) {
            ObjectNode copy = r.deepCopy();
            ((ObjectNode) copy.get("params").get(0)).put("toBlock", Hex.quantity(head));
            return copy;
        }
        return r;
    }

    private long laggedHead() throws IOException, InterruptedException {
        if (laggedHead < 0) {
            laggedHead = Math.max(0, FaultProxy.quantity(proxy.upstream("eth_blockNumber")) - proxy.lagBlocks());
        }
        return laggedHead;
    }

    /** Content faults on one forwarded answer. */
    private void tamper(JsonNode request, ObjectNode answer) {
        JsonNode result = answer.get("result");
        if (result == null || result.isNull()) return;
        String m = method(request);
        if (m.equals("eth_getBlockByNumber") && result.isObject() && forkedThisRequest()) {
            ObjectNode block = (ObjectNode) result;
            block.put("hash", forked(block.get("hash").asText()));
            block.put("parentHash", forked(block.get("parentHash").asText()));
        }
        if (m.equals("eth_getBlockReceipts") && result.isArray()) dropReceiptLog((ArrayNode) result);
        if ((m.equals("eth_getBlockReceipts") || m.equals("eth_getBlockByHash")) && proxy.draw(FaultProxy.Fault.WRONG_TX_HASH)) {
            // every receipt, or every full transaction, names another transaction than the block's logs do
            for (JsonNode tx : result.isArray() ? result : result.path("transactions")) {
                if (!tx.isObject()) continue;
                String field = tx.has("transactionHash") ? "transactionHash" : "hash";
                ((ObjectNode) tx).put(field, forked(tx.get(field).asText()));
            }
        }
        if (!m.equals("eth_getLogs") || !result.isArray() || result.isEmpty()) return;
        ArrayNode logs = (ArrayNode) result;
        if (proxy.draw(FaultProxy.Fault.WRONG_LOG_BLOCK_HASH)) {
            ObjectNode log = (ObjectNode) logs.get(proxy.nextInt(logs.size()));
            log.put("blockHash", forked(log.get("blockHash").asText()));
        }
        dropBloomVisibleLogs(request.path("params").path(0), logs);
        dropOneLog(request.path("params").path(0), logs);
    }

    /**
     * Leaves one log out of an otherwise well-formed answer, as a provider with a gap in its index does: a random one
     * outside the range's last block (where a bloom check of an empty block could see it); later log indexes stay.
     */
    private void dropOneLog(JsonNode filter, ArrayNode logs) {
        String lastBlock = filter.has("toBlock") ? filter.get("toBlock").asText() : null;
        if (lastBlock == null) return;
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < logs.size(); i++) {
            if (Hex.quantity(logs.get(i).get("blockNumber").asText()) != Hex.quantity(lastBlock)) candidates.add(i);
        }
        if (candidates.isEmpty() || !proxy.draw(FaultProxy.Fault.DROPPED_LOG)) return;
        logs.remove((int) candidates.get(proxy.nextInt(candidates.size())));
    }

    /**
     * Drops the first log of the first receipt that has one, and renumbers the block's later logs, as a careful liar
     * would: positions stay consistent and only the receipts root can reveal it.
     */
    private void dropReceiptLog(ArrayNode receipts) {
        int victim = -1;
        for (int i = 0; i < receipts.size() && victim < 0; i++) if (!receipts.get(i).path("logs").isEmpty()) victim = i;
        if (victim < 0 || !proxy.draw(FaultProxy.Fault.DROPPED_RECEIPT_LOG)) return;
        ((ArrayNode) receipts.get(victim).get("logs")).remove(0);
        long logIndex = 0;
        for (JsonNode r : receipts) {
            for (JsonNode l : r.get("logs")) ((ObjectNode) l).put("logIndex", Hex.quantity(logIndex++));
        }
    }

    private boolean forkedThisRequest() {
        if (forked == null) forked = proxy.draw(FaultProxy.Fault.FORK_HEADER);
        return forked;
    }

    /** Drops every log of a block asked for by hash, or of a range's last block (where a bloom check can see it). */
    private void dropBloomVisibleLogs(JsonNode filter, ArrayNode logs) {
        String lastBlock = filter.has("toBlock") ? filter.get("toBlock").asText() : null;
        List<Integer> victims = new ArrayList<>();
        for (int i = 0; i < logs.size(); i++) {
            if (filter.has("blockHash") || logs.get(i).get("blockNumber").asText().equals(lastBlock)) victims.add(i);
        }
        if (victims.isEmpty() || !proxy.draw(FaultProxy.Fault.MISSING_LOGS)) return;
        for (int i = victims.size() - 1; i >= 0; i--) logs.remove((int) victims.get(i));
    }

    /** A hash of another fork: deterministic, so a forked header's parent is the forked hash of its parent. */
    static String forked(String hash) {
        return Hash.of(Keccak.keccak256(Hex.decode(hash))).hex();
    }

    private static String method(JsonNode r) {
        return r.path("method").asText();
    }

    private static ObjectNode result(JsonNode request, JsonNode result) {
        ObjectNode o = JsonRpcClient.JSON.createObjectNode();
        o.put("jsonrpc", "2.0");
        o.set("id", request.get("id"));
        o.set("result", result == null ? JsonRpcClient.JSON.nullNode() : result);
        return o;
    }

    private static ObjectNode envelope(JsonNode id, ObjectNode error) {
        ObjectNode o = JsonRpcClient.JSON.createObjectNode();
        o.put("jsonrpc", "2.0");
        o.set("id", id == null ? JsonRpcClient.JSON.nullNode() : id);
        o.set("error", error);
        return o;
    }
}
