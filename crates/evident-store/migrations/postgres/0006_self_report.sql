-- Self-report links: one client, one instrument, one time point. Only the SHA-256 digest of the
-- token is stored. Times are Unix seconds, the same on both backends.

create table self_report_link (
    id bigint generated always as identity primary key,
    case_id bigint not null references case_record (id),
    token_digest text not null unique,
    instrument_id text not null,
    instrument_version text not null,
    time_point text not null check (time_point in ('baseline', 'follow_up', 'end')),
    month integer,
    created_by text not null,
    created_at bigint not null,
    expires_at bigint not null,
    answered_at bigint,
    measurement_id bigint references measurement (id),
    revoked_at bigint
);

create index self_report_link_case_id on self_report_link (case_id);
