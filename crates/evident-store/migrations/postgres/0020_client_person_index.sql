-- A client's person is the lowest client id with the same statistical key
-- (followup::ASSIGN_PERSON_IDS). With the key alone indexed, PostgreSQL may answer that
-- min(id) by walking the primary key and filtering on the key — once per client, which
-- made naming the persons of a 250 000-client import quadratic. With (key, id) the minimum
-- is the first entry under the key on every backend, whatever the planner's statistics say.
drop index client_statistical_key;
create index client_statistical_key on client (statistical_key, id);
