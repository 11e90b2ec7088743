// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A child of PairFactory: emits Swap when asked. Deployed alone, it is a contract with the children's event that is
/// not a child (a child table must not take its logs).
contract Pair {
    event Swap(address indexed sender, uint256 amount);

    function swap(uint256 amount) external {
        emit Swap(msg.sender, amount);
    }
}

/// A Uniswap-style factory for the indexer's factory tests: create deploys a Pair, announces it with PairCreated and
/// has it swap in the same transaction, after the announcement; swapAll has every pair swap.
contract PairFactory {
    event PairCreated(address indexed token0, address indexed token1, address pair, uint256 n);

    address[] public pairs;

    function create(uint256 swaps) external returns (address) {
        Pair p = new Pair();
        pairs.push(address(p));
        emit PairCreated(msg.sender, address(this), address(p), pairs.length);
        for (uint256 i = 0; i < swaps; i++) p.swap(i + 1);
        return address(p);
    }

    function swapAll(uint256 amount) external {
        for (uint256 i = 0; i < pairs.length; i++) Pair(pairs[i]).swap(amount + i);
    }

    function count() external view returns (uint256) {
        return pairs.length;
    }
}
