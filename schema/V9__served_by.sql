-- Which endpoint answered the logs of each part of a table the range phase wrote (issue 14: "say which endpoint
-- lied"). Reconciliation reads it when the stored rows of a block turn out wrong, to blame the endpoint whose answer
-- put them there; the newest entry covering a block is the one that wrote its rows. Written in the commit's
-- transaction, cut back by a rollback, dropped by a reset of the table. Tip blocks are not recorded.
CREATE TABLE indexer.served_by (
    id           bigserial PRIMARY KEY,
    chain_id     int8      NOT NULL,
    table_schema text      NOT NULL,
    table_name   text      NOT NULL,
    blocks       int8range NOT NULL,
    endpoint     text      NOT NULL
);
CREATE INDEX served_by_table ON indexer.served_by (chain_id, table_schema, table_name, lower(blocks));
