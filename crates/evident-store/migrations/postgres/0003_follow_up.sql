-- Local follow-up: pseudonymous clients, cases at units, interventions, needs and goals,
-- versioned instruments and measurements. No table has a column for a personal number.

create table client (
    id bigint generated always as identity primary key,
    pseudonym text not null unique,
    birth_year integer not null,
    sex text not null check (sex in ('female', 'male')),
    created_at timestamptz not null default now()
);

create table case_record (
    id bigint generated always as identity primary key,
    client_id bigint not null references client (id),
    unit_code text not null references org_node (code),
    opened_on date not null,
    closed_on date,
    schedule text not null,
    created_at timestamptz not null default now()
);

create index case_record_unit_code on case_record (unit_code);
create index case_record_client_id on case_record (client_id);

create table intervention (
    id bigint generated always as identity primary key,
    case_id bigint not null references case_record (id),
    type_code text not null,
    legal_basis text not null check (legal_basis in ('SoL', 'LSS', 'LVU', 'LVM', 'HSL')),
    provider_code text not null references org_node (code),
    applied_on date,
    decided_on date,
    started_on date,
    ended_on date,
    end_reason text,
    created_at timestamptz not null default now()
);

create index intervention_case_id on intervention (case_id);

create table need (
    id bigint generated always as identity primary key,
    case_id bigint not null references case_record (id),
    life_area text not null,
    description text not null,
    created_at timestamptz not null default now()
);

create index need_case_id on need (case_id);

create table goal (
    id bigint generated always as identity primary key,
    need_id bigint not null references need (id),
    description text not null,
    outcome text check (outcome in ('achieved', 'partly_achieved', 'not_achieved', 'not_followed_up')),
    created_at timestamptz not null default now()
);

create index goal_need_id on goal (need_id);

create table instrument (
    id text not null,
    version text not null,
    title text not null,
    definition text not null,
    created_at timestamptz not null default now(),
    primary key (id, version)
);

create table measurement (
    id bigint generated always as identity primary key,
    case_id bigint not null references case_record (id),
    instrument_id text not null,
    instrument_version text not null,
    time_point text not null check (time_point in ('baseline', 'follow_up', 'end')),
    month integer,
    measured_on date not null,
    respondent text not null check (respondent in ('client', 'staff', 'relative')),
    answers text not null,
    score double precision,
    created_at timestamptz not null default now(),
    foreign key (instrument_id, instrument_version) references instrument (id, version)
);

create index measurement_case_id on measurement (case_id);
