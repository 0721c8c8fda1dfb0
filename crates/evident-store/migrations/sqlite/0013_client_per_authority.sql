-- Clients are pseudonymised per authority (the municipality whose social services hold the
-- record): the same person is a different client, under a different pseudonym, at each
-- authority, so staff cannot link one authority's clients to another's. The statistical key
-- is the same for the same person everywhere and counts them once in national statistics; no
-- staff API returns it. Rows from before carry authority '' and their old pseudonym until the
-- server, holding the pseudonym key, rekeys them (`rekey_legacy_clients`); the old pseudonym
-- is kept in legacy_pseudonym only to find the audit entries written under it. person_id
-- names the person for counting: the lowest id among the clients with the same statistical
-- key (a legacy client is its own person).
alter table client add column authority text not null default '';
alter table client add column statistical_key text not null default '';
alter table client add column legacy_pseudonym text;
alter table client add column person_id integer;
update client set person_id = id;

create index client_statistical_key on client (statistical_key);
create index client_legacy on client (authority) where authority = '';
create index client_person_id on client (person_id);
