-- Staff accounts with roles granted on the organisation tree, server-side sessions, personal
-- access tokens, login throttling, and the hash-chained audit trail (append-only: triggers
-- refuse updates and deletes, and audit_head keeps the newest entry so truncation shows).

create table user_account (
    id integer primary key autoincrement,
    email text not null unique,
    name text not null,
    password_hash text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table role_grant (
    id integer primary key autoincrement,
    user_id integer not null references user_account (id) on delete cascade,
    role text not null check (role in ('practitioner', 'unit_manager', 'municipality_analyst', 'regional_leader',
                                       'national_analyst', 'grant_admin', 'auditor', 'admin')),
    org_code text not null references org_node (code),
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    unique (user_id, role, org_code)
);

create table session (
    token_hash text primary key,
    user_id integer not null references user_account (id) on delete cascade,
    csrf_token text not null,
    expires_at text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index session_user_id on session (user_id);

create table access_token (
    id integer primary key autoincrement,
    user_id integer not null references user_account (id) on delete cascade,
    label text not null,
    token_hash text not null unique,
    expires_at text not null,
    revoked_at text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table login_throttle (
    throttle_key text primary key,
    failures integer not null,
    locked_until text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table audit_event (
    id integer primary key,
    at text not null,
    actor_id integer,
    actor text not null,
    action text not null,
    record text not null,
    client text,
    address text,
    outcome text not null check (outcome in ('allowed', 'denied', 'failed')),
    detail text not null,
    prev_hash text not null,
    hash text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index audit_event_actor_id on audit_event (actor_id);
create index audit_event_client on audit_event (client);

create table audit_head (
    id integer primary key check (id = 1),
    last_id integer not null,
    last_hash text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

insert into audit_head (id, last_id, last_hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create trigger audit_event_no_update before update on audit_event
begin
    select raise(abort, 'the audit trail is append-only');
end;

create trigger audit_event_no_delete before delete on audit_event
begin
    select raise(abort, 'the audit trail is append-only');
end;
