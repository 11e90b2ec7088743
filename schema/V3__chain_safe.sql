-- The node's safe tag as last seen (NULL where the node has none), written beside the head by the
-- daemon's housekeeping: downstream services can choose head, safe or finalized in one place.
ALTER TABLE indexer.chains ADD COLUMN safe int8;

-- New columns go last: CREATE OR REPLACE VIEW keeps the existing ones in place.
CREATE OR REPLACE VIEW indexer.chain_status AS
SELECT c.chain_id, c.name, c.finalized, c.epoch, c.halted_reason,
       (SELECT max(h.block_number) FROM indexer.headers h WHERE h.chain_id = c.chain_id) AS tip,
       c.head, c.head_at, c.safe
FROM indexer.chains c;
