-- Sign-in hardening. Accounts can be disabled (kept for the audit trail, but unable to sign
-- in or use their sessions and tokens). Throttle rows remember when they were last counted
-- (so stale ones can be pruned and an address's failures forgotten after a quiet spell) and
-- count refused attempts, which are audited in summary rather than one entry each.

alter table user_account add column disabled_at text;

alter table login_throttle add column updated_at text not null default '';
alter table login_throttle add column refused integer not null default 0;
alter table login_throttle add column refused_audited_at text;

create index session_expires_at on session (expires_at);
