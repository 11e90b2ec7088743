-- The node's head as last seen by the daemon (written every few seconds by its housekeeping), so
-- downstream services can see head, tip and finalized in one place.
ALTER TABLE indexer.chains ADD COLUMN head int8, ADD COLUMN head_at timestamptz;

-- Outbox retention deletes by age.
CREATE INDEX outbox_created_at ON indexer.outbox (created_at);

-- New columns go last: CREATE OR REPLACE VIEW keeps the existing ones in place.
CREATE OR REPLACE VIEW indexer.chain_status AS
SELECT c.chain_id, c.name, c.finalized, c.epoch, c.halted_reason,
       (SELECT max(h.block_number) FROM indexer.headers h WHERE h.chain_id = c.chain_id) AS tip,
       c.head, c.head_at
FROM indexer.chains c;
