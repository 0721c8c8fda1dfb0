-- A list view of a unit's cases is one audit entry (`case.list`), not one per client listed:
-- its sealed detail names every client listed, and this table holds one row per client named,
-- so that searching the trail by client finds the view through an index. The rows are written
-- in the entry's transaction and, like the trail, never updated, deleted or truncated (the
-- application role's rights say so too: sql/postgres_app_role.sql); verification checks them
-- against the entry's sealed detail, so a row added or deleted behind the store's back shows.
-- (0020 is another change's.)

create table audit_listed_client (
    audit_event_id bigint not null references audit_event (id),
    client text not null,
    created_at timestamptz not null default now(),
    primary key (audit_event_id, client)
);

create index audit_listed_client_client on audit_listed_client (client, audit_event_id);

create trigger audit_listed_client_no_update before update or delete on audit_listed_client
for each row execute function audit_event_append_only();

create trigger audit_listed_client_no_truncate before truncate on audit_listed_client
for each statement execute function audit_no_truncate();
