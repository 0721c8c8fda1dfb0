-- Stored indicator rows now also hold, per category, the number of distinct clients behind
-- the cell (disclosure control's threshold counts people, not records), and masks cover each
-- indicator's year as one linked table. Rows in the old layout cannot be read: drop them and
-- mark the state stale, so that the next full computation (on start, or `evident
-- indicators recompute`) rebuilds them.
delete from indicator_row;

update indicator_state
set current = 0
where exists (select 1 from case_record);
