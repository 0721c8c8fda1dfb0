-- A unit's follow-up table is computed from every score of its cases, about 4 ms of a core
-- per 2 700 measurements, per request. The server keeps the table it computed with the
-- unit's data version and computes again only when the version moved: every write to a case
-- (the incremental indicator update, `refresh_case_in`) and every import bumps the version of
-- the case's unit, in the write's transaction, so servers sharing the database see it.

alter table unit add column data_version integer not null default 0;
