-- The rights of Evident's application role on PostgreSQL: it reads and writes rows, and owns
-- nothing. Without ownership it cannot alter or drop tables, disable or drop the audit trail's
-- triggers, or truncate; and it may only append to the audit trail and move its head.
--
-- Run as the schema's owner after `evident migrate`, and again after an upgrade whose
-- migrations add tables (docs/SECURITY.md). Create the role first, e.g.
--     create role evident_app login password '…';
-- and connect `evident serve` as evident_app. Replace the name throughout if yours differs.

grant usage on schema public to evident_app;
grant select, insert, update, delete on all tables in schema public to evident_app;
grant usage, select on all sequences in schema public to evident_app;

-- The trail is append-only, its head only moves forward (the triggers say how), and the
-- migrations are the owner's.
revoke update, delete, truncate on audit_event from evident_app;
revoke update, delete, truncate on audit_listed_client from evident_app;
revoke insert, delete, truncate on audit_head from evident_app;
revoke insert, update, delete, truncate on _sqlx_migrations from evident_app;

-- Emergency accesses are the auditors' record of every broken glass: written once, never
-- changed.
revoke update, delete, truncate on break_glass from evident_app;
