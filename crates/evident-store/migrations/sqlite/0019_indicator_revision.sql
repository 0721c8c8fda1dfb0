-- Published results are cached by the web server and answered with an ETag (issue 15). The
-- revision counts every change of what the indicators publish — a full recompute, the
-- incremental update of a write to a case, a survey answer, marking the rows stale — so a
-- cache or a client holding an older revision knows to read again, whichever server (of
-- several sharing this database) made the change.

alter table indicator_state add column revision integer not null default 0;
