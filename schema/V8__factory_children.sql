-- Factories (ARCHITECTURE.md, factories): the contracts a factory's event names in an address parameter, which child
-- tables follow from the block that created them. Chain data: each row is written in the transaction that writes the
-- factory log it comes from (the factory table's range, tip or catch-up commit, a verify or reconcile repair), and
-- deleted with it (a rewrite of that span, a rollback above block_number, a reset of the factory table).
-- factory is the key <schema>.<factory table>.<parameter>; a child named twice keeps every naming (the first counts).
CREATE TABLE indexer.factory_children (
    chain_id     int8   NOT NULL,
    factory      text   NOT NULL,
    child        bytea  NOT NULL,
    block_number int8   NOT NULL,
    log_index    int4   NOT NULL,
    block_hash   bytea  NOT NULL,
    PRIMARY KEY (chain_id, factory, block_number, log_index)
);

CREATE INDEX factory_children_child ON indexer.factory_children (chain_id, factory, child);
