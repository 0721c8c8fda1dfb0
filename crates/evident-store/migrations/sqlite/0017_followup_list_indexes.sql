-- A unit's case list is read newest first in keyset pages (opening day descending, then id
-- descending, after a given case; issue 15). An index on (unit_code, opened_on, id) serves a
-- page as a range scan of its own rows, where the index on unit_code alone made every page
-- sort all of the unit's cases. It serves every other lookup by unit as well, so the older
-- index goes. The unit-wide and client-wide reads of measurements, interventions and needs
-- join on case_id and client_id, which 0003 indexes already.
create index case_record_unit_opened on case_record (unit_code, opened_on, id);
drop index case_record_unit_code;
