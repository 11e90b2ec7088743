package dev.evmindexer.testsupport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evmindexer.eth.Address;
import java.util.Objects;

/**
 * A transaction to put into one of the blocks that {@link Anvil#reorg} mines in place of the old ones.
 * {@code blockOffset} 0 is the first new block (the one just above the common ancestor); it must be below
 * the reorg depth. {@code to} null creates a contract. anvil signs with its unlocked dev account {@code from}
 * and assigns nonces from the common ancestor's state.
 *
 * <p>{@code gas} 0 means {@link #DEFAULT_REORG_GAS}, not an estimate: anvil estimates reorg transactions
 * against the pre-reorg head, whose storage differs from the common ancestor's, so an estimate can run out
 * of gas in the new block (a mint that first sets a zero slot needs 20k more than the estimate saw).
 */
public record TxSpec(Address from, Address to, String data, int blockOffset, long gas) {
    /** Enough for a batch of about 30 transfers to new holders; 15 such transactions fill anvil's 30M block. */
    public static final long DEFAULT_REORG_GAS = 2_000_000;

    public TxSpec(Address from, Address to, String data, int blockOffset) {
        this(from, to, data, blockOffset, 0);
    }

    public TxSpec {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(data, "data");
        if (!data.matches("0x([0-9a-fA-F]{2})*")) {
            throw new IllegalArgumentException("tx data must be 0x and whole bytes of hex, got: " + abbreviate(data));
        }
        if (blockOffset < 0) throw new IllegalArgumentException("negative block offset: " + blockOffset);
        if (gas < 0) throw new IllegalArgumentException("negative gas: " + gas);
    }

    /** The JSON transaction request for {@code anvil_reorg}, with its gas limit. */
    public ObjectNode toJson() {
        ObjectNode tx = toJsonWithoutGas();
        tx.put("gas", "0x" + Long.toHexString(gas == 0 ? DEFAULT_REORG_GAS : gas));
        return tx;
    }

    /** The JSON transaction request without a gas limit, for {@code eth_sendTransaction} to estimate. */
    ObjectNode toJsonWithoutGas() {
        ObjectNode tx = JsonNodeFactory.instance.objectNode();
        tx.put("from", from.hex());
        if (to != null) tx.put("to", to.hex());
        tx.put("data", data);
        return tx;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
