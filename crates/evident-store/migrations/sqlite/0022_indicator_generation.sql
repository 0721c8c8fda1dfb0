-- A full recompute publishes a new generation of indicator rows beside the one readers use,
-- in short transactions, and switches readers to it in one small final transaction. It used
-- to delete and rewrite every row in one transaction, which on SQLite held the only write
-- lock (and on both backends the audit trail's head) for the whole write: on the national
-- demo 17 s in which no case could be opened and no read of identified data audited.
-- indicator_state.generation is the generation readers read; the previous one stays until
-- the next recompute begins, so a reader that looked up the generation just before a switch
-- still finds its rows.

create table indicator_row_new (
    generation integer not null,
    indicator_id text not null,
    variant text not null,
    period text not null,
    node_code text not null references org_node (code),
    stats blob not null,
    suppressed integer not null,
    primary key (generation, indicator_id, variant, period, node_code)
);

insert into indicator_row_new (generation, indicator_id, variant, period, node_code, stats, suppressed)
select 0, indicator_id, variant, period, node_code, stats, suppressed
from indicator_row;

drop table indicator_row;

alter table indicator_row_new rename to indicator_row;

alter table indicator_state add column generation integer not null default 0;

-- The last generation handed out: two computations at once write apart, and a generation a
-- failed computation left behind is older than the next switch and deleted after it.
alter table indicator_state add column last_generation integer not null default 0;
