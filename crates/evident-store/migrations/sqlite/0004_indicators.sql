-- Open comparisons: the stored statistics of every indicator per (variant, period, node),
-- one row holding all breakdown categories, with the disclosure-control mask computed from
-- them; the minimum count in force; and user-defined comparison groups of municipalities.

create table indicator_row (
    indicator_id text not null,
    variant text not null,
    period text not null,
    node_code text not null references org_node (code),
    stats blob not null,
    suppressed integer not null,
    primary key (indicator_id, variant, period, node_code)
);

-- One row. 'current' is 0 while stored rows do not reflect the data (before the first
-- full computation on a database that already held cases, or after a bulk import).
create table indicator_state (
    id integer primary key check (id = 1),
    min_count integer not null check (min_count >= 2),
    current integer not null check (current in (0, 1)),
    computed_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

insert into indicator_state (id, min_count, current)
select 1, 5, case when exists (select 1 from case_record) then 0 else 1 end;

create table comparison_group (
    id integer primary key autoincrement,
    name text not null unique,
    created_by text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table comparison_group_member (
    group_id integer not null references comparison_group (id) on delete cascade,
    municipality_code text not null references org_node (code),
    primary key (group_id, municipality_code)
);
