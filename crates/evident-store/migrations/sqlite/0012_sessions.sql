-- A session now also ends after a stretch without use (the idle timeout, 30 minutes by
-- default), besides its absolute lifetime, so each session remembers when it was last used.
-- Sessions from before this change are ended: their CSRF token was the browser's pre-sign-in
-- cookie, which another site on the same domain could have planted.

delete from session;

alter table session add column last_seen_at text not null default '';
