-- Client surveys (brukarundersökning): a survey published for a unit and a period behind a
-- public link (only the SHA-256 digest of its token is stored), and anonymous answers.
--
-- An answer row holds the publication, the answers and the day: no address, no user agent, no
-- cookie, and no created_at (the day is all it keeps of time). A browser answers once per publication: the digest of its nonce cookie, combined with
-- the publication id, goes into survey_nonce, which has no link to the answer row and no time
-- (and no rowid on SQLite, so that insertion order cannot pair a nonce with an answer).

create table survey_publication (
    id integer primary key autoincrement,
    survey_id text not null,
    survey_version text not null,
    unit_code text not null references org_node (code),
    period text not null,
    token_digest text not null unique,
    created_by text not null,
    created_at integer not null,
    closed_at integer
);

create index survey_publication_unit_code on survey_publication (unit_code);
create index survey_publication_survey_period on survey_publication (survey_id, period);

create table survey_answer (
    id integer primary key autoincrement,
    publication_id integer not null references survey_publication (id),
    answered_on text not null,
    answers text not null
);

create index survey_answer_publication_id on survey_answer (publication_id);

create table survey_nonce (
    publication_id integer not null references survey_publication (id),
    nonce_digest text not null,
    primary key (publication_id, nonce_digest)
) without rowid;
