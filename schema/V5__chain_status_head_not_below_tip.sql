-- The node's head is written every few seconds by the daemon's housekeeping, while the tip moves with every
-- commit: between two writes the stored head could be below the tip, so `head - tip` went negative. The view's
-- head is now the higher of the two (NULL while no head was ever written); columns, names and types unchanged.
CREATE OR REPLACE VIEW indexer.chain_status AS
SELECT c.chain_id, c.name, c.finalized, c.epoch, c.halted_reason, t.tip,
       CASE WHEN c.head IS NULL THEN NULL ELSE greatest(c.head, t.tip) END AS head,
       c.head_at, c.safe
FROM indexer.chains c
CROSS JOIN LATERAL (SELECT max(h.block_number) AS tip FROM indexer.headers h WHERE h.chain_id = c.chain_id) t;
