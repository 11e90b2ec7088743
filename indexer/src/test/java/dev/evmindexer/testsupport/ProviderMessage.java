package dev.evmindexer.testsupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Hex;
import java.util.Locale;

/**
 * How real providers refuse an {@code eth_getLogs} range over their limit: the HTTP status and JSON-RPC error
 * they answer with, in their own words (sources in {@code rpc.RangeErrorsTest}). Used by {@link FaultProxy}.
 */
public enum ProviderMessage {
    /** Suggests a range that fits. */
    ALCHEMY {
        @Override
        Refusal refuse(long from, long to, long max) {
            return new Refusal(200, error(-32600, "You can make eth_getLogs requests with up to a " + max
                    + " block range. Based on your parameters, this block range should work: [" + Hex.quantity(from)
                    + ", " + Hex.quantity(from + max - 1) + "]"));
        }
    },
    /** Names its limit ("range N exceeds limit of M"). */
    INFURA {
        @Override
        Refusal refuse(long from, long to, long max) {
            return new Refusal(200, error(-32602, "range " + (to - from + 1) + " exceeds limit of " + max));
        }
    },
    /** HTTP 413 and "limited to a 10,000 range" (with a thousands separator). */
    QUICKNODE {
        @Override
        Refusal refuse(long from, long to, long max) {
            return new Refusal(413, error(-32614, "eth_getLogs is limited to a "
                    + String.format(Locale.ROOT, "%,d", max) + " range"));
        }
    },
    /** Says only that the range is too wide: the client must halve. */
    ANKR {
        @Override
        Refusal refuse(long from, long to, long max) {
            return new Refusal(200, error(-32600, "block range is too wide"));
        }
    },
    /** HTTP 400, "Invalid params", the limit in {@code data.range}. */
    BLASTAPI {
        @Override
        Refusal refuse(long from, long to, long max) {
            ObjectNode e = error(-32602, "Invalid params");
            e.putObject("data").put("range", "the range " + from + " - " + to + " exceeds the range allowed for your "
                    + "plan (" + (to - from) + " > " + max + ").");
            return new Refusal(400, e);
        }
    },
    /** geth forks (BSC): "exceed maximum block range: N". */
    GETH {
        @Override
        Refusal refuse(long from, long to, long max) {
            return new Refusal(200, error(-32000, "exceed maximum block range: " + max));
        }
    };

    /** An HTTP status and the JSON-RPC {@code error} object to answer with. */
    record Refusal(int httpStatus, ObjectNode error) {}

    abstract Refusal refuse(long from, long to, long max);

    static ObjectNode error(int code, String message) {
        ObjectNode e = JsonRpcClient.JSON.createObjectNode();
        e.put("code", code).put("message", message);
        return e;
    }
}
