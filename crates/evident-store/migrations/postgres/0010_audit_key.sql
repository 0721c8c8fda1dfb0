-- The audit chain is keyed: each entry names the audit key its MAC was made with ('' for the
-- entries written before, whose hashes are plain SHA-256). The head may only move forward one
-- entry at a time, onto an entry that exists, and cannot be deleted; neither table can be
-- truncated (TRUNCATE skips row triggers). An application role without ownership cannot
-- disable these triggers (see docs/SECURITY.md and postgres/app_role.sql).
alter table audit_event add column key_id text not null default '';

create function audit_head_forward_only() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'the audit head cannot be deleted';
    end if;
    if (new.id = old.id and new.last_id = old.last_id + 1 and new.last_hash = old.last_hash)
        or (
            new.id = old.id
            and new.last_id = old.last_id
            and exists (select 1 from audit_event where id = new.last_id and hash = new.last_hash)
        )
    then
        return new;
    end if;
    raise exception 'the audit head only moves forward, onto an entry that exists';
end;
$$;

create trigger audit_head_forward_only before update or delete on audit_head
for each row execute function audit_head_forward_only();

create function audit_no_truncate() returns trigger
language plpgsql as $$
begin
    raise exception 'the audit trail cannot be truncated';
end;
$$;

create trigger audit_event_no_truncate before truncate on audit_event
for each statement execute function audit_no_truncate();

create trigger audit_head_no_truncate before truncate on audit_head
for each statement execute function audit_no_truncate();
