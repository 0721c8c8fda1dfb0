-- Four eyes on the roles that read identified data (practitioner, unit_manager): from the web
-- such a grant is first requested here, and becomes a role_grant only when a second person who
-- may grant it approves it (neither the requester nor the grantee). Decided requests stay, so
-- the table is also the history of who asked and who decided. At most one open request per
-- user, role and node.

create table pending_grant (
    id bigint generated always as identity primary key,
    user_id bigint not null references user_account (id) on delete cascade,
    role text not null check (role in ('practitioner', 'unit_manager', 'municipality_analyst', 'regional_leader',
                                       'national_analyst', 'grant_admin', 'auditor', 'admin')),
    org_code text not null references org_node (code),
    requested_by bigint references user_account (id) on delete set null,
    requested_at text not null,
    status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
    decided_by bigint references user_account (id) on delete set null,
    decided_at text
);

create unique index pending_grant_open on pending_grant (user_id, role, org_code) where status = 'pending';
