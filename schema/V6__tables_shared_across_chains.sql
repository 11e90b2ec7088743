-- One event table may hold the rows of several chains (sources on different chains naming the same table with
-- the same definition): each chain registers the table on its own, with its own definition hash, start block and
-- coverage, so the key of a registration is the table and the chain.
ALTER TABLE indexer.event_tables DROP CONSTRAINT event_tables_pkey;
ALTER TABLE indexer.event_tables ADD PRIMARY KEY (table_schema, table_name, chain_id);

-- The highest block of one chain's rows in a table that is both finalized on that chain and covered without a
-- hole from the table's start block on that chain. The <table>_finalized views apply it per chain_id.
CREATE FUNCTION indexer.finalized_through(p_schema text, p_table text, p_chain_id int8) RETURNS int8
LANGUAGE sql STABLE AS $$
    -- least() ignores NULLs: without a covered range holding start_block nothing is final yet
    SELECT least(c.finalized, coalesce((SELECT upper(r) - 1 FROM unnest(t.coverage) r WHERE r @> t.start_block),
                                       t.start_block - 1))
    FROM indexer.event_tables t JOIN indexer.chains c USING (chain_id)
    WHERE t.table_schema = p_schema AND t.table_name = p_table AND t.chain_id = p_chain_id
$$;

-- The two-argument form, used by views made before this version until the next start replaces them: with
-- several chains, the lowest of their blocks.
CREATE OR REPLACE FUNCTION indexer.finalized_through(p_schema text, p_table text) RETURNS int8
LANGUAGE sql STABLE AS $$
    SELECT min(indexer.finalized_through(p_schema, p_table, t.chain_id))
    FROM indexer.event_tables t
    WHERE t.table_schema = p_schema AND t.table_name = p_table
$$;
