-- The indexer's own tables (schema "indexer", created by Flyway). Event tables live in the user's schema.

-- One row per chain. Every write transaction locks this row first (SELECT ... FOR UPDATE) and checks
-- the epoch it was planned under; every rollback bumps the epoch.
CREATE TABLE indexer.chains (
    chain_id      int8        PRIMARY KEY,
    name          text        NOT NULL,
    finalized     int8        NOT NULL DEFAULT -1,   -- persisted F; only ever moves forward
    epoch         int8        NOT NULL DEFAULT 0,
    halted_reason text,                              -- not null: halted until `rollback`
    halted_at     timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per configured event table, with the hash of its definition and the blocks it fully holds.
CREATE TABLE indexer.event_tables (
    table_schema    text           NOT NULL,
    table_name      text           NOT NULL,
    chain_id        int8           NOT NULL REFERENCES indexer.chains (chain_id),
    source_name     text           NOT NULL,
    start_block     int8           NOT NULL,
    definition_hash text           NOT NULL,
    definition      text           NOT NULL,
    coverage        int8multirange NOT NULL DEFAULT '{}',
    created_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (table_schema, table_name)
);

-- Stored headers: the anchor (highest header at or below F) and every block above it (the tip window).
-- The chain's tip is the highest stored header.
CREATE TABLE indexer.headers (
    chain_id     int8        NOT NULL REFERENCES indexer.chains (chain_id),
    block_number int8        NOT NULL,
    block_hash   bytea       NOT NULL,
    parent_hash  bytea       NOT NULL,
    block_time   timestamptz NOT NULL,
    PRIMARY KEY (chain_id, block_number)
);

-- Written in the same transaction as the data it announces. Consumers read rows whose xid is below
-- pg_snapshot_xmin(pg_current_snapshot()) so concurrent commits are never skipped.
CREATE TABLE indexer.outbox (
    id          bigserial   PRIMARY KEY,
    xid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
    chain_id    int8        NOT NULL,
    table_name  text,                              -- schema.table; null for chain-wide entries
    kind        text        NOT NULL CHECK (kind IN ('commit', 'rollback')),
    from_block  int8        NOT NULL,
    to_block    int8        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_xid ON indexer.outbox (xid);

-- The highest block of a table that is both finalized and covered without a hole from its start block.
CREATE FUNCTION indexer.finalized_through(p_schema text, p_table text) RETURNS int8
LANGUAGE sql STABLE AS $$
    -- least() ignores NULLs: without a covered range holding start_block nothing is final yet
    SELECT least(c.finalized, coalesce((SELECT upper(r) - 1 FROM unnest(t.coverage) r WHERE r @> t.start_block),
                                       t.start_block - 1))
    FROM indexer.event_tables t JOIN indexer.chains c USING (chain_id)
    WHERE t.table_schema = p_schema AND t.table_name = p_table
$$;

-- Each chain's head as last seen, the tip we stored, and finality, for downstream services.
CREATE VIEW indexer.chain_status AS
SELECT c.chain_id, c.name, c.finalized, c.epoch, c.halted_reason,
       (SELECT max(h.block_number) FROM indexer.headers h WHERE h.chain_id = c.chain_id) AS tip
FROM indexer.chains c;
