-- The audit chain is keyed: each entry names the audit key its MAC was made with ('' for the
-- entries written before, whose hashes are plain SHA-256). The head may only move forward one
-- entry at a time, onto an entry that exists, and cannot be deleted: rolling it back after
-- deleting the newest entries is refused here, and caught by checkpoints where the schema's
-- owner drops these triggers.
alter table audit_event add column key_id text not null default '';

create trigger audit_head_forward_only before update on audit_head
when not (
    (new.id = old.id and new.last_id = old.last_id + 1 and new.last_hash = old.last_hash)
    or (
        new.id = old.id
        and new.last_id = old.last_id
        and exists (select 1 from audit_event where id = new.last_id and hash = new.last_hash)
    )
)
begin
    select raise(abort, 'the audit head only moves forward, onto an entry that exists');
end;

create trigger audit_head_no_delete before delete on audit_head
begin
    select raise(abort, 'the audit head cannot be deleted');
end;
