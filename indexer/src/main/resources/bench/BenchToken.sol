// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// The token of `scripts/bench --anvil`: one call emits many ERC-20 Transfer events whose values the bench
/// can check from SQL alone, and asks a second copy of this contract (a token the bench must NOT index) to
/// emit its own in the same transaction, so that every block holds logs of both addresses.
contract BenchToken {
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// Emits Transfer(address(0x1000 + i), address(k), k * 1000 + i) for i in [0, n), then, when `other` is
    /// not zero, calls other.spray(k, m, address(0), 0).
    function spray(uint256 k, uint256 n, address other, uint256 m) external {
        for (uint256 i = 0; i < n; ++i) {
            emit Transfer(address(uint160(0x1000 + i)), address(uint160(k)), k * 1000 + i);
        }
        if (other != address(0)) BenchToken(other).spray(k, m, address(0), 0);
    }
}
