package dev.evmindexer.pipeline;

import dev.evmindexer.abi.AbiType;
import dev.evmindexer.abi.EventParam;
import dev.evmindexer.abi.EventSignature;
import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.EventConfig;
import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import dev.evmindexer.eth.Hex;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns an event's {@code filter:} into {@link ParamFilter}s (values parsed as the parameters' types, each error
 * naming the file, line and key) and into the topic lists pushed down to {@code eth_getLogs}.
 */
final class ParamFilters {
    /**
     * Most values one topic position carries in one {@code eth_getLogs} call. Providers limit topic lists (a few
     * allow only some hundreds to a thousand): beyond this the position is left open in the call and the values
     * are checked on the decoded side only, which gives the same rows at the cost of fetching more logs.
     */
    static final int MAX_TOPIC_VALUES = 1000;

    private ParamFilters() {}

    /** The filters of {@code sig}'s parameters; {@code key} is the event's config key (e.g. {@code sources[0].events[1]}). */
    static List<ParamFilter> of(EventSignature sig, List<EventConfig.Filter> filters, String origin, String key)
            throws ConfigException {
        List<ParamFilter> out = new ArrayList<>();
        for (EventConfig.Filter f : filters) {
            String fkey = key + ".filter." + f.param();
            EventParam found = sig.params().stream().filter(p -> p.name().equals(f.param())).findFirst().orElse(null);
            int slot = slotOf(sig, f.param());
            if (found == null) {
                throw new ConfigException(origin, f.line(), fkey, "event " + sig.canonical() + " has no parameter '" + f.param()
                        + "' (parameters: " + String.join(", ", sig.params().stream().map(EventParam::name).toList()) + ")");
            }
            AbiType type = found.abiType();
            boolean filterable = type instanceof AbiType.AddressType || type instanceof AbiType.BoolType
                    || type instanceof AbiType.UintType || type instanceof AbiType.IntType || type instanceof AbiType.FixedBytesType;
            if (!filterable) {
                throw new ConfigException(origin, f.line(), fkey, "parameter '" + f.param() + "' is " + type.canonical()
                        + ", which cannot be filtered (only address, bool, uintN, intN and bytesN can)"
                        + (found.indexed() && type.dynamic() ? "; an indexed " + type.canonical() + " is stored as its hash" : ""));
            }
            Set<Hash> words = new LinkedHashSet<>();
            for (String v : f.values()) {
                try {
                    words.add(word(type, v));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(origin, f.line(), fkey, "'" + v + "' is not a " + type.canonical() + ": " + e.getMessage());
                }
            }
            out.add(new ParamFilter(f.param(), found.indexed(), slot, words));
        }
        return out;
    }

    /**
     * Where parameter {@code name}'s word is: its topic index when indexed, else the byte offset of its head word in the
     * data; -1 when the event has no such parameter.
     */
    static int slotOf(EventSignature sig, String name) {
        int topic = sig.anonymous() ? 0 : 1;
        int offset = 0;
        for (EventParam p : sig.params()) {
            if (p.name().equals(name)) return p.indexed() ? topic : offset;
            if (p.indexed()) topic++;
            else offset += p.abiType().headSize();
        }
        return -1;
    }

    /**
     * Topic positions 1 to 3 for {@link LogFilter#topics()}: the values of filtered indexed parameters, at most
     * {@link #MAX_TOPIC_VALUES} per position. Nothing for anonymous events (their topic0 is a parameter, and the
     * filter's topic0 list stays open).
     */
    static List<List<Hash>> topics(EventSignature sig, List<ParamFilter> filters) {
        if (sig.anonymous()) return List.of();
        List<List<Hash>> out = new ArrayList<>(List.of(List.of(), List.of(), List.of()));
        for (ParamFilter f : filters) {
            if (f.indexed() && f.values().size() <= MAX_TOPIC_VALUES) {
                out.set(f.slot() - 1, f.values().stream().sorted(java.util.Comparator.comparing(Hash::hex)).toList());
            }
        }
        return out;
    }

    /** What goes into the definition hash: each filter, its values sorted (empty for no filter). */
    static String describe(List<ParamFilter> filters) {
        StringBuilder sb = new StringBuilder();
        filters.stream().sorted(java.util.Comparator.comparing(ParamFilter::param)).forEach(f -> {
            sb.append(";filter=").append(f.param()).append(':');
            sb.append(String.join(",", f.values().stream().map(Hash::hex).sorted().toList()));
        });
        return sb.toString();
    }

    /** The 32-byte ABI word of {@code text} as a {@code type}. */
    static Hash word(AbiType type, String text) {
        byte[] w = new byte[32];
        switch (type) {
            case AbiType.AddressType a -> System.arraycopy(Address.fromHex(text).unsafeBytes(), 0, w, 12, 20);
            case AbiType.BoolType b -> {
                String t = text.toLowerCase(Locale.ROOT);
                if (!t.equals("true") && !t.equals("false")) throw new IllegalArgumentException("expected true or false");
                w[31] = (byte) (t.equals("true") ? 1 : 0);
            }
            case AbiType.UintType u -> {
                BigInteger v = integer(text);
                if (v.signum() < 0 || v.bitLength() > u.bits()) throw new IllegalArgumentException("out of range for " + u.canonical());
                copyRight(v.toByteArray(), w);
            }
            case AbiType.IntType i -> {
                BigInteger v = integer(text);
                if (v.bitLength() > i.bits() - 1) throw new IllegalArgumentException("out of range for " + i.canonical());
                if (v.signum() < 0) java.util.Arrays.fill(w, (byte) 0xff);
                copyRight(v.toByteArray(), w);
            }
            case AbiType.FixedBytesType b -> {
                if (!text.matches("0[xX][0-9a-fA-F]*") || text.length() != 2 + 2 * b.size()) {
                    throw new IllegalArgumentException("expected 0x and " + 2 * b.size() + " hex digits");
                }
                System.arraycopy(Hex.decode(text), 0, w, 0, b.size());
            }
            default -> throw new IllegalArgumentException("cannot be filtered");
        }
        return Hash.of(w);
    }

    /** A decimal integer (optionally negative) or 0x hex. */
    private static BigInteger integer(String text) {
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) return new BigInteger(text.substring(2), 16);
            return new BigInteger(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a decimal or 0x-hex integer");
        }
    }

    /** Copies the low bytes of a two's-complement big-endian array into the right end of {@code w}. */
    private static void copyRight(byte[] v, byte[] w) {
        int n = Math.min(v.length, 32);
        System.arraycopy(v, v.length - n, w, 32 - n, n);
    }
}
