-- Staff accounts with roles granted on the organisation tree, server-side sessions, personal
-- access tokens, login throttling, and the hash-chained audit trail (append-only: triggers
-- refuse updates and deletes, and audit_head keeps the newest entry so truncation shows).
-- Timestamps that are hashed or compared as text (audit, expiry) are text in both dialects.

create table user_account (
    id bigint generated always as identity primary key,
    email text not null unique,
    name text not null,
    password_hash text,
    created_at timestamptz not null default now()
);

create table role_grant (
    id bigint generated always as identity primary key,
    user_id bigint not null references user_account (id) on delete cascade,
    role text not null check (role in ('practitioner', 'unit_manager', 'municipality_analyst', 'regional_leader',
                                       'national_analyst', 'grant_admin', 'auditor', 'admin')),
    org_code text not null references org_node (code),
    created_at timestamptz not null default now(),
    unique (user_id, role, org_code)
);

create table session (
    token_hash text primary key,
    user_id bigint not null references user_account (id) on delete cascade,
    csrf_token text not null,
    expires_at text not null,
    created_at timestamptz not null default now()
);

create index session_user_id on session (user_id);

create table access_token (
    id bigint generated always as identity primary key,
    user_id bigint not null references user_account (id) on delete cascade,
    label text not null,
    token_hash text not null unique,
    expires_at text not null,
    revoked_at text,
    created_at timestamptz not null default now()
);

create table login_throttle (
    throttle_key text primary key,
    failures bigint not null,
    locked_until text not null,
    created_at timestamptz not null default now()
);

create table audit_event (
    id bigint primary key,
    at text not null,
    actor_id bigint,
    actor text not null,
    action text not null,
    record text not null,
    client text,
    address text,
    outcome text not null check (outcome in ('allowed', 'denied', 'failed')),
    detail text not null,
    prev_hash text not null,
    hash text not null,
    created_at timestamptz not null default now()
);

create index audit_event_actor_id on audit_event (actor_id);
create index audit_event_client on audit_event (client);

create table audit_head (
    id bigint primary key check (id = 1),
    last_id bigint not null,
    last_hash text not null,
    created_at timestamptz not null default now()
);

insert into audit_head (id, last_id, last_hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create function audit_event_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'the audit trail is append-only';
end;
$$;

create trigger audit_event_no_update before update or delete on audit_event
for each row execute function audit_event_append_only();
