-- A full recompute publishes a new generation of indicator rows beside the one readers use,
-- in short transactions, and switches readers to it in one small final transaction. It used
-- to delete and rewrite every row in one transaction, which held the audit trail's head (and
-- the rows incremental updates write) for the whole write: on the national demo many seconds
-- in which no read of identified data could be audited.
-- indicator_state.generation is the generation readers read; the previous one stays until
-- the next recompute begins, so a reader that looked up the generation just before a switch
-- still finds its rows.

alter table indicator_row add column generation bigint not null default 0;

alter table indicator_row drop constraint indicator_row_pkey;

alter table indicator_row add primary key (generation, indicator_id, variant, period, node_code);

alter table indicator_state add column generation bigint not null default 0;

-- The last generation handed out: two computations at once write apart, and a generation a
-- failed computation left behind is older than the next switch and deleted after it.
alter table indicator_state add column last_generation bigint not null default 0;
