package dev.evmindexer.config;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.digests.KeccakDigest;

/** Checks of names, SQL identifiers and addresses read from a config, failing at the value's line. */
final class Identifiers {
    /** PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1); we refuse them instead. */
    static final int PG_MAX_BYTES = 63;
    static final int MAX_NAME_LENGTH = 63;

    private static final Pattern SQL = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern ADDRESS = Pattern.compile("0[xX][0-9a-fA-F]{40}");

    private Identifiers() {}

    /** A table or schema name: {@code [a-z_][a-z0-9_]*}, at most 63 bytes. Always quoted when used. */
    static String sql(Tree t) throws ConfigException {
        String s = t.text().strip();
        if (!SQL.matcher(s).matches()) {
            throw t.error("not a valid identifier: " + Tree.show(s)
                    + " (use lower-case letters, digits and _, not starting with a digit)");
        }
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > PG_MAX_BYTES) {
            throw t.error(Tree.show(s) + " is " + bytes + " bytes, longer than PostgreSQL's identifier limit of "
                    + PG_MAX_BYTES + " bytes");
        }
        return s;
    }

    /** A chain or source name as used on the command line and in metrics: letters, digits, _ . - (ASCII). */
    static String name(Tree t) throws ConfigException {
        String s = t.text().strip();
        if (!NAME.matcher(s).matches()) {
            throw t.error("not a valid name: " + Tree.show(s)
                    + " (use letters, digits, _, . and -, starting with a letter or digit)");
        }
        if (s.length() > MAX_NAME_LENGTH) {
            throw t.error("name is " + s.length() + " characters long, at most " + MAX_NAME_LENGTH + " are allowed");
        }
        return s;
    }

    /**
     * {@code 0x} and 40 hex digits. A mixed-case address must carry a valid EIP-55 checksum: a wrong one
     * means a mistyped address, which would otherwise silently index nothing.
     */
    static Address address(Tree t) throws ConfigException {
        String s = t.text().strip();
        if (!ADDRESS.matcher(s).matches()) {
            throw t.error("not an address (0x and 40 hex digits): got " + Tree.show(s));
        }
        String digits = s.substring(2);
        boolean mixedCase = !digits.equals(digits.toLowerCase(Locale.ROOT)) && !digits.equals(digits.toUpperCase(Locale.ROOT));
        if (mixedCase && !digits.equals(checksummed(digits))) {
            // No "did you mean": the checksummed form of mistyped digits would only hide the typo.
            throw t.error("bad EIP-55 checksum in address " + s + ": it is probably mistyped, copy it again from"
                    + " a trusted source (an all-lower-case address is not checked)");
        }
        return Address.fromHex(s);
    }

    /** The EIP-55 mixed-case form of 40 hex digits (without 0x). */
    static String checksummed(String digits) {
        String lower = digits.toLowerCase(Locale.ROOT);
        KeccakDigest keccak = new KeccakDigest(256);
        byte[] in = lower.getBytes(StandardCharsets.US_ASCII);
        keccak.update(in, 0, in.length);
        byte[] hash = new byte[32];
        keccak.doFinal(hash, 0);
        String hashHex = Hex.encode(hash).substring(2);
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            boolean upper = Character.digit(hashHex.charAt(i), 16) >= 8;
            sb.append(c >= 'a' && upper ? Character.toUpperCase(c) : c);
        }
        return sb.toString();
    }
}
