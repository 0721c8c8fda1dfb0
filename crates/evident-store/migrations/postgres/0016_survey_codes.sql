-- One-time respondent codes, and the integrity mode of each survey publication.
--
-- A publication records how it keeps one person from answering many times: `link` (anyone
-- holding the link, once per browser and a few answers per address an hour) or `codes` (each
-- answer uses up a one-time respondent code). Every publication before this migration took
-- answers through its link alone, so that is what they record.
--
-- survey_code holds only the SHA-256 of each unused code, and its publication (a code alone
-- finds its survey, so a slip needs no link token; digests are unique everywhere). Using a
-- code deletes its row and counts it on the publication, in the same transaction as the answer
-- is stored: nothing is left that pairs a code (which staff may have sent to a known phone) with
-- the answer it was used for — no used flag whose update order could be read, no time.

alter table survey_publication
    add column integrity text not null default 'link' check (integrity in ('link', 'codes'));
alter table survey_publication add column codes_issued bigint not null default 0;
alter table survey_publication add column codes_used bigint not null default 0;

create table survey_code (
    code_digest text primary key,
    publication_id bigint not null references survey_publication (id)
);
