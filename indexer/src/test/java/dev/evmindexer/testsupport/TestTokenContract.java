package dev.evmindexer.testsupport;

import dev.evmindexer.eth.Address;
import dev.evmindexer.eth.Hash;
import java.math.BigInteger;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;

/**
 * {@code contracts/TestToken.sol} deployed on an {@link Anvil}: calls that emit ERC-20 and ERC-721 style
 * {@code Transfer} events and return the transaction hash. The {@code encode*} methods give the calldata
 * alone, for transactions placed by {@link Anvil#reorg}.
 */
public final class TestTokenContract {
    /** topic0 of {@code Transfer(address,address,uint256)}: shared by the ERC-20 and the ERC-721 event. */
    public static final Hash TRANSFER_TOPIC =
            Hash.fromHex(org.web3j.crypto.Hash.sha3String("Transfer(address,address,uint256)"));

    private final Anvil anvil;
    private final Address address;
    private final Address deployer;

    private TestTokenContract(Anvil anvil, Address address, Address deployer) {
        this.anvil = anvil;
        this.address = address;
        this.deployer = deployer;
    }

    /** Compiles (once per JVM) and deploys TestToken from anvil's first dev account. */
    public static TestTokenContract deploy(Anvil anvil) {
        return deploy(anvil, anvil.accounts().get(0));
    }

    public static TestTokenContract deploy(Anvil anvil, Address from) {
        Solc.Contract compiled = Solc.compileResource("contracts/TestToken.sol", "TestToken");
        return new TestTokenContract(anvil, anvil.deploy(from, compiled.bytecode()), from);
    }

    public Address address() {
        return address;
    }

    /** The account that deployed the contract and sends {@link #mint}. */
    public Address deployer() {
        return deployer;
    }

    /** Emits {@code Transfer(0x0, to, amount)}; sent by the deployer. */
    public Hash mint(Address to, BigInteger amount) {
        return anvil.sendTransaction(deployer, address, encodeMint(to, amount));
    }

    /** Emits {@code Transfer(from, to, amount)}; {@code from} must be an anvil dev account (it signs). */
    public Hash transfer(Address from, Address to, BigInteger amount) {
        return anvil.sendTransaction(from, address, encodeTransfer(to, amount));
    }

    /** Emits one {@code Transfer(from, to[i], amounts[i])} per recipient, in one transaction. */
    public Hash batch(Address from, List<Address> to, List<BigInteger> amounts) {
        return anvil.sendTransaction(from, address, encodeBatch(to, amounts));
    }

    /** Emits the ERC-721 {@code Transfer(from, to, tokenId)} (4 topics, no data); sent by the deployer. */
    public Hash nftTransfer(Address from, Address to, BigInteger tokenId) {
        return anvil.sendTransaction(deployer, address, encodeNftTransfer(from, to, tokenId));
    }

    public static String encodeMint(Address to, BigInteger amount) {
        return encode("mint", address(to), new Uint256(amount));
    }

    public static String encodeTransfer(Address to, BigInteger amount) {
        return encode("transfer", address(to), new Uint256(amount));
    }

    public static String encodeBatch(List<Address> to, List<BigInteger> amounts) {
        if (to.size() != amounts.size()) {
            throw new IllegalArgumentException("batch needs one amount per recipient: " + to.size() + " recipients, "
                    + amounts.size() + " amounts");
        }
        return encode("batch",
                new DynamicArray<>(org.web3j.abi.datatypes.Address.class, to.stream().map(TestTokenContract::address).toList()),
                new DynamicArray<>(Uint256.class, amounts.stream().map(Uint256::new).toList()));
    }

    public static String encodeNftTransfer(Address from, Address to, BigInteger tokenId) {
        return encode("nftTransfer", address(from), address(to), new Uint256(tokenId));
    }

    private static org.web3j.abi.datatypes.Address address(Address address) {
        return new org.web3j.abi.datatypes.Address(address.hex());
    }

    @SuppressWarnings("rawtypes")
    private static String encode(String function, Type... args) {
        return FunctionEncoder.encode(new Function(function, List.of(args), List.of()));
    }

    @Override
    public String toString() {
        return "TestToken at " + address;
    }
}
