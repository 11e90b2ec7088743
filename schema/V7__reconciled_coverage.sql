-- Background reconciliation (ARCHITECTURE.md, invariant 9): the blocks of each table whose stored rows were
-- re-fetched from a node after they became final and found equal (or repaired until equal). Always within
-- coverage; advanced in the transaction that records the comparison's result, cleared with coverage by a rollback
-- or reset (a rollback only touches blocks above F, which are never reconciled).
ALTER TABLE indexer.event_tables
    ADD COLUMN reconciled int8multirange NOT NULL DEFAULT '{}';
