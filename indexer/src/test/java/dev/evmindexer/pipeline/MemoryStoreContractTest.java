package dev.evmindexer.pipeline;

import java.util.List;

/** The {@link EventStore} contract on the in-memory store the pipeline's unit tests use. */
class MemoryStoreContractTest extends EventStoreContract {
    private MemoryStore memory;

    @Override
    protected EventStore open() {
        memory = new MemoryStore();
        return memory;
    }

    @Override
    protected long rows(String table, long fromBlock) {
        return memory.rowsOf(table).stream().filter(r -> r.log().blockNumber() >= fromBlock).count();
    }

    @Override
    protected List<String> outbox() {
        return List.copyOf(memory.outbox);
    }
}
