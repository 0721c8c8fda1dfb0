-- The organisation tree (nation → county → municipality → unit), the units' provider details,
-- and each county's regional support structure with its dialog partners.

create table org_node (
    code text primary key,
    name text not null,
    level text not null check (level in ('nation', 'county', 'municipality', 'unit')),
    parent_code text references org_node (code),
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index org_node_parent_code on org_node (parent_code);

create table unit (
    code text primary key references org_node (code),
    municipality_code text not null references org_node (code),
    provider text not null check (provider in ('public', 'private')),
    operator text,
    area text not null check (area in ('elderly_care', 'disability', 'individual_family', 'children_youth', 'other')),
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    check ((provider = 'private') = (operator is not null))
);

create index unit_municipality_code on unit (municipality_code);

create table support_structure (
    county_code text primary key references org_node (code),
    name text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table dialog_partner (
    id integer primary key autoincrement,
    county_code text not null references support_structure (county_code),
    name text not null,
    role text not null,
    email text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index dialog_partner_county_code on dialog_partner (county_code);

-- The last unit number handed out per municipality. Taking a number is a single upsert, a
-- write, so concurrent unit creations serialise on it instead of racing on max(code); numbers
-- are never reused, so a unit code always means the same unit.
create table unit_counter (
    municipality_code text primary key references org_node (code),
    last_number integer not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
