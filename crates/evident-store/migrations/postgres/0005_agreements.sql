-- Agreements and grants: the documents as written (interchange JSON), and every requisition,
-- payment, repayment and submitted report after them, each with who recorded it and why.
-- Plans (performance-based grants, tapering plans) are stored as JSON documents too.

create table agreement (
    id text primary key,
    year integer not null,
    title text not null,
    document text not null,
    imported_at timestamptz not null default now()
);

create table disbursement (
    id text primary key,
    agreement_id text not null references agreement (id),
    decided_on date not null,
    document text not null,
    imported_at timestamptz not null default now()
);

create index disbursement_agreement_id on disbursement (agreement_id);

create table grant_event (
    id bigint generated always as identity primary key,
    agreement_id text not null references agreement (id),
    kind text not null check (kind in ('requisition', 'payment', 'repayment', 'report')),
    target text not null,
    amount_ore bigint check (amount_ore is null or amount_ore > 0),
    occurred_on date not null,
    note text,
    reason text not null check (length(trim(reason)) > 0),
    recorded_by text not null,
    recorded_at timestamptz not null default now()
);

create index grant_event_agreement_id on grant_event (agreement_id);

create table grant_plan (
    id text primary key,
    kind text not null check (kind in ('performance', 'tapering')),
    document text not null,
    updated_at timestamptz not null default now()
);
