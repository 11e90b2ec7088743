package dev.evmindexer.pipeline;

import dev.evmindexer.eth.Address;

/** A factory's child: its address and the block of the factory log that created it (followed from that block on). */
public record Child(Address address, long block) {}
