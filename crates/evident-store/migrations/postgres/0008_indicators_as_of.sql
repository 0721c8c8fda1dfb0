-- Indicators are computed as of a date (issue 13): a baseline whose follow-up window has not
-- closed is not counted, and nothing dated after the date is. 'as_of' is the date the stored
-- rows were computed for; the incremental update of one case uses it too, so that it agrees
-- with a full recompute, and the server recomputes when the day rolls over.
--
-- Rows stored before this migration counted open windows as failures, so a database that has
-- any is marked not current until the next recompute. The date starts as today in UTC; the
-- server's check compares it with today in Sweden and recomputes when they differ.

alter table indicator_state add column as_of date not null default date '1970-01-01';

update indicator_state
set as_of = (now() at time zone 'utc')::date,
    current = case when exists (select 1 from indicator_row) then 0 else current end
where id = 1;
