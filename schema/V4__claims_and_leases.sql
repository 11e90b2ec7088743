-- Several processes on one database (README, "Running on several machines").

-- Range work claimed by a process: a unit of one table's range phase, fetched by its owner only until
-- the claim expires. The owner renews it while it fetches; the commit that covers the unit deletes it;
-- a process that dies loses its claims when they expire, and another process takes the work.
-- Claims of one table are taken under a transaction advisory lock, so two never overlap.
CREATE TABLE indexer.range_claims (
    chain_id     int8        NOT NULL REFERENCES indexer.chains (chain_id),
    table_schema text        NOT NULL,
    table_name   text        NOT NULL,
    from_block   int8        NOT NULL,
    to_block     int8        NOT NULL CHECK (to_block >= from_block),
    owner        text        NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (chain_id, table_schema, table_name, from_block)
);
CREATE INDEX range_claims_owner ON indexer.range_claims (owner);

-- The chain's tip leader: the process holding the chain's advisory lock. leader_generation is the fencing
-- token, bumped at every takeover; every tip write checks it. leader_until is the leader's heartbeat:
-- a standby that finds it past ends the silent holder's session and takes over. finality is the rule the
-- leader advances F by; a process with another rule is refused.
ALTER TABLE indexer.chains
    ADD COLUMN leader_generation int8 NOT NULL DEFAULT 0,
    ADD COLUMN leader            text,
    ADD COLUMN leader_until      timestamptz,
    ADD COLUMN finality          text;
