-- Breaking the glass: a practitioner's emergency access to one client's records at a unit of
-- their own authority where they hold no grant. Each row lasts until expires_at (RFC 3339,
-- UTC, as the audit trail writes instants, so text order is time order); it is never updated
-- or deleted, so the table is also the auditors' list of every emergency access. The reason
-- is written to the audit trail too, in the same transaction.

create table break_glass (
    id bigint generated always as identity primary key,
    user_id bigint not null references user_account (id),
    client_id bigint not null references client (id),
    case_id bigint not null references case_record (id),
    authority text not null,
    reason text not null,
    created_at text not null,
    expires_at text not null
);

create index break_glass_user_client on break_glass (user_id, client_id, expires_at);
create index break_glass_created_at on break_glass (created_at);
