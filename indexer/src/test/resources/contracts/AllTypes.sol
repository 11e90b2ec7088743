// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Emits one event of every ABI type family with fixed values, for the indexer's end-to-end type test
/// (AbiTypesIT compares every column with these literals).
contract AllTypes {
    struct Price {
        uint256 amount;
        uint16 feeBps;
    }

    struct Order {
        address maker;
        Price price;
        string memo;
    }

    struct Leg {
        uint8 kind;
        int256 amount;
        string note;
    }

    event Elementary(address indexed who, uint8 small, int64 signed64, uint64 u64, int256 minInt, uint256 maxUint,
        bool flag, bytes4 sel, bytes blob, string text);
    event Filled(Order order, Leg[] legs, uint256[] ids, int64[2][] grid, string[] tags, uint256[][] ragged);
    event IndexedRefs(string indexed name, Order indexed order, uint256[2] indexed pair, uint8 x);
    event Ping(uint256 n, string note) anonymous;

    function emitAll() external {
        emit Elementary(address(0xBEEF), 255, type(int64).min, type(uint64).max, type(int256).min, type(uint256).max,
            true, 0xdeadbeef, hex"00ff10", unicode"héllo \"world\"");

        Order memory order = Order(address(0xCAFE), Price(10 ** 30, 250), "first order");
        Leg[] memory legs = new Leg[](2);
        legs[0] = Leg(1, -5, "a");
        legs[1] = Leg(2, type(int256).max, unicode"b\u00e9");
        uint256[] memory ids = new uint256[](3);
        ids[0] = 1;
        ids[1] = 2 ** 200;
        ids[2] = type(uint256).max;
        int64[2][] memory grid = new int64[2][](2);
        grid[0] = [int64(-1), int64(2)];
        grid[1] = [type(int64).max, type(int64).min];
        string[] memory tags = new string[](2);
        tags[0] = "x,y";
        tags[1] = "{\"q\"}";
        uint256[][] memory ragged = new uint256[][](2);
        ragged[0] = new uint256[](1);
        ragged[0][0] = 7;
        ragged[1] = new uint256[](0);
        emit Filled(order, legs, ids, grid, tags, ragged);

        uint256[2] memory pair = [uint256(3), uint256(4)];
        emit IndexedRefs("indexed name", order, pair, 9);

        emit Ping(42, "anonymous");
    }
}
