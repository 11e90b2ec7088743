package dev.evmindexer.abi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Events from Solidity ABI JSON: a plain ABI array, or a compiler artifact holding one under
 * {@code "abi"} (Foundry's {@code out/*.json}, Hardhat's {@code artifacts/**.json}). Entries other
 * than events are ignored; tuple types take their component names from {@code components}.
 */
public final class AbiJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AbiJson() {}

    /**
     * Every event of the ABI, in file order.
     *
     * @throws AbiException when the text is not JSON, not an ABI, or an event in it is malformed
     */
    public static List<EventSignature> events(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AbiException("not JSON: " + e.getOriginalMessage());
        }
        if (root != null && root.isObject() && root.has("abi")) root = root.get("abi");
        if (root == null || !root.isArray()) {
            throw new AbiException("expected an ABI: a JSON array, or an object with an \"abi\" array (a Foundry or Hardhat artifact)");
        }
        List<EventSignature> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode entry = root.get(i);
            if (!"event".equals(entry.path("type").asText())) continue;
            String name = entry.path("name").asText("");
            try {
                List<EventParam> params = new ArrayList<>();
                JsonNode inputs = entry.path("inputs");
                for (int j = 0; j < inputs.size(); j++) {
                    JsonNode in = inputs.get(j);
                    String paramName = in.path("name").asText("");
                    params.add(new EventParam(paramName, type(in, paramName), in.path("indexed").asBoolean(false)));
                }
                out.add(new EventSignature(name, params, entry.path("anonymous").asBoolean(false)));
            } catch (AbiException e) {
                throw new AbiException("event " + (name.isEmpty() ? "#" + i : name) + " in the ABI: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The event called {@code selector}: a name ({@code Transfer}) when only one event has it, or a
     * canonical signature ({@code Transfer(address,address,uint256)}) to choose among overloads.
     *
     * @throws AbiException naming the candidates when there is none or more than one
     */
    public static EventSignature select(List<EventSignature> events, String selector) {
        String s = selector.replaceAll("\\s+", "");
        boolean bySignature = s.contains("(");
        List<EventSignature> found = events.stream()
                .filter(e -> bySignature ? e.canonical().equals(s) : e.name().equals(s)).toList();
        if (found.size() == 1) return found.get(0);
        if (found.isEmpty()) {
            throw new AbiException("no event " + selector + " in the ABI; it has " + (events.isEmpty() ? "no events"
                    : String.join(", ", events.stream().map(EventSignature::canonical).toList())));
        }
        throw new AbiException("event " + selector + " is overloaded in the ABI; choose one by its signature: "
                + String.join(", ", found.stream().map(EventSignature::canonical).toList()));
    }

    /** Events that share a name with another, by name (for {@code events: all}, which needs distinct tables). */
    public static Map<String, List<EventSignature>> overloads(List<EventSignature> events) {
        Map<String, List<EventSignature>> byName = new TreeMap<>();
        for (EventSignature e : events) byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e);
        byName.values().removeIf(l -> l.size() < 2);
        return byName;
    }

    private static AbiType type(JsonNode in, String paramName) {
        String type = in.path("type").asText("");
        if (!type.startsWith("tuple")) return AbiType.parse(type, paramName);
        JsonNode comps = in.path("components");
        if (!comps.isArray() || comps.isEmpty()) {
            throw new AbiException("tuple type in " + TypeParser.describe(paramName) + " has no components");
        }
        List<AbiType.Component> components = new ArrayList<>();
        for (JsonNode c : comps) {
            String cname = c.path("name").asText("");
            components.add(new AbiType.Component(cname, type(c, cname)));
        }
        AbiType t = new AbiType.TupleType(components);
        String suffix = type.substring("tuple".length());
        // array suffixes apply outside-in from the left: tuple[2][] is a dynamic array of tuple[2]
        return suffix.isEmpty() ? t : withSuffixes(t, suffix, paramName);
    }

    private static AbiType withSuffixes(AbiType t, String suffix, String paramName) {
        int i = 0;
        while (i < suffix.length()) {
            int close = suffix.indexOf(']', i);
            if (suffix.charAt(i) != '[' || close < 0) {
                throw new AbiException("bad array suffix " + suffix + " in " + TypeParser.describe(paramName));
            }
            String digits = suffix.substring(i + 1, close);
            if (!digits.isEmpty() && !digits.matches("[1-9][0-9]{0,8}")) {
                throw new AbiException("bad array length " + digits + " in " + TypeParser.describe(paramName));
            }
            t = new AbiType.ArrayType(t, digits.isEmpty() ? AbiType.ArrayType.DYNAMIC : Integer.parseInt(digits));
            i = close + 1;
        }
        return t;
    }
}
