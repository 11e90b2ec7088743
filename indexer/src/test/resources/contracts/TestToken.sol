// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A test token for the indexer's integration tests. It emits the ERC-20 Transfer event in every shape the
/// tests need (one per tx, many per tx) and, from nftTransfer, the ERC-721 Transfer event: same signature
/// and so the same topic0, but with the third parameter indexed (4 topics, empty data). An ERC-20 indexer
/// must skip the ERC-721 one rather than fail to decode it.
///
/// Balances are tracked but not enforced (mint is open to anyone, transfer may overdraw), so tests can
/// emit any transfer they like without setting up funds first.
contract TestToken {
    event Transfer(address indexed from, address indexed to, uint256 value);

    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;

    /// Emits Transfer(0x0, to, amount).
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// Emits Transfer(msg.sender, to, amount). Does not check the sender's balance (it may go negative,
    /// modelled as wrapping), so that any sender can emit a transfer.
    function transfer(address to, uint256 amount) external returns (bool) {
        unchecked {
            balanceOf[msg.sender] -= amount;
            balanceOf[to] += amount;
        }
        emit Transfer(msg.sender, to, amount);
        return true;
    }

    /// Emits one Transfer(msg.sender, to[i], amounts[i]) per entry, all in this one transaction.
    function batch(address[] calldata to, uint256[] calldata amounts) external {
        require(to.length == amounts.length, "batch: to and amounts differ in length");
        for (uint256 i = 0; i < to.length; i++) {
            unchecked {
                balanceOf[msg.sender] -= amounts[i];
                balanceOf[to[i]] += amounts[i];
            }
            emit Transfer(msg.sender, to[i], amounts[i]);
        }
    }

    /// Emits the ERC-721 Transfer(from, to, tokenId) with all three parameters indexed, through a log4
    /// because Solidity cannot declare two events with the same signature in one contract.
    function nftTransfer(address from, address to, uint256 tokenId) external {
        bytes32 topic0 = keccak256("Transfer(address,address,uint256)");
        assembly {
            log4(0, 0, topic0, from, to, tokenId)
        }
    }
}
