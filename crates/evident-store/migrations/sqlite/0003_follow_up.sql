-- Local follow-up: pseudonymous clients, cases at units, interventions, needs and goals,
-- versioned instruments and measurements. No table has a column for a personal number.

create table client (
    id integer primary key autoincrement,
    pseudonym text not null unique,
    birth_year integer not null,
    sex text not null check (sex in ('female', 'male')),
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table case_record (
    id integer primary key autoincrement,
    client_id integer not null references client (id),
    unit_code text not null references org_node (code),
    opened_on text not null,
    closed_on text,
    schedule text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index case_record_unit_code on case_record (unit_code);
create index case_record_client_id on case_record (client_id);

create table intervention (
    id integer primary key autoincrement,
    case_id integer not null references case_record (id),
    type_code text not null,
    legal_basis text not null check (legal_basis in ('SoL', 'LSS', 'LVU', 'LVM', 'HSL')),
    provider_code text not null references org_node (code),
    applied_on text,
    decided_on text,
    started_on text,
    ended_on text,
    end_reason text,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index intervention_case_id on intervention (case_id);

create table need (
    id integer primary key autoincrement,
    case_id integer not null references case_record (id),
    life_area text not null,
    description text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index need_case_id on need (case_id);

create table goal (
    id integer primary key autoincrement,
    need_id integer not null references need (id),
    description text not null,
    outcome text check (outcome in ('achieved', 'partly_achieved', 'not_achieved', 'not_followed_up')),
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index goal_need_id on goal (need_id);

create table instrument (
    id text not null,
    version text not null,
    title text not null,
    definition text not null,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    primary key (id, version)
);

create table measurement (
    id integer primary key autoincrement,
    case_id integer not null references case_record (id),
    instrument_id text not null,
    instrument_version text not null,
    time_point text not null check (time_point in ('baseline', 'follow_up', 'end')),
    month integer,
    measured_on text not null,
    respondent text not null check (respondent in ('client', 'staff', 'relative')),
    answers text not null,
    score real,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    foreign key (instrument_id, instrument_version) references instrument (id, version)
);

create index measurement_case_id on measurement (case_id);
