// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// For the transaction-fields tests: a contract that emits from its constructor (a contract-creation transaction's
/// log, whose transaction has no recipient), from payable calls (transactions with a value), several times in one
/// transaction, and from a call that then reverts (a failed transaction leaves no log).
contract Noter {
    event Note(address indexed sender, uint256 value, uint256 seq);

    uint256 public seq;

    constructor() payable {
        emit Note(msg.sender, msg.value, seq++);
    }

    function note() external payable {
        emit Note(msg.sender, msg.value, seq++);
    }

    function notes(uint256 n) external payable {
        for (uint256 i = 0; i < n; i++) emit Note(msg.sender, msg.value, seq++);
    }

    function fail() external {
        emit Note(msg.sender, 0, seq++);
        revert("fail: reverted on purpose");
    }
}
