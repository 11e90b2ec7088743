package dev.evmindexer.cli;

/**
 * The creation bytecode of {@code bench/BenchToken.sol} (a main resource), which {@code bench --anvil} deploys.
 * Main code cannot compile Solidity (solcjs is a test tool), so the bytecode is kept here. It was produced from
 * the resource byte for byte (the trailing metadata hash covers the source) with the pinned solcjs:
 * <pre>
 * cd indexer/src/main/resources/bench
 * ../../../../../.tools/node_modules/.bin/solcjs --bin --optimize -o /tmp/out BenchToken.sol   # solc 0.8.28
 * </pre>
 * and {@code /tmp/out/BenchToken_sol_BenchToken.bin} pasted below. {@code AnvilBenchChainIT} compiles the
 * resource again and fails when the two differ: after editing the source, recompile and paste, and bump
 * {@link AnvilBenchChain#RECIPE_VERSION} so cached chains are rebuilt.
 */
final class BenchTokenCode {
    private BenchTokenCode() {}

    /** {@code spray(uint256 k, uint256 n, address other, uint256 m)}. */
    static final String SPRAY_SIGNATURE = "spray(uint256,uint256,address,uint256)";

    static final String CREATION_BYTECODE = "0x"
            + "6080604052348015600e575f5ffd5b506101fd8061001c5f395ff3fe608060405234801561000f575f5ffd5b506004361061"
            + "0029575f3560e01c8063df99366a1461002d575b5f5ffd5b61004061003b36600461013c565b610042565b005b5f5b838110"
            + "156100bc576001600160a01b03851661006282611000610197565b6001600160a01b03167fddf252ad1be2c89b69c2b068fc"
            + "378daa952ba7f163c4a11628f55a4df523b3ef83610099896103e86101b0565b6100a39190610197565b6040519081526020"
            + "0160405180910390a3600101610044565b506001600160a01b0382161561013657604051636fcc9b3560e11b815260048101"
            + "859052602481018290525f6044820181905260648201526001600160a01b0383169063df99366a906084015f604051808303"
            + "815f87803b15801561011f575f5ffd5b505af1158015610131573d5f5f3e3d5ffd5b505050505b50505050565b5f5f5f5f60"
            + "80858703121561014f575f5ffd5b843593506020850135925060408501356001600160a01b0381168114610173575f5ffd5b"
            + "9396929550929360600135925050565b634e487b7160e01b5f52601160045260245ffd5b808201808211156101aa576101aa"
            + "610183565b92915050565b80820281158282048414176101aa576101aa61018356fea2646970667358221220a38a3cd3553d"
            + "6d429c03e3658582f3d49ed773a4cc9115dfa00c5c11e190c05464736f6c634300081c0033";
}
