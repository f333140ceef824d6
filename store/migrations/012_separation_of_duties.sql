-- +goose Up
-- Three administrators instead of one (三员分立): the system administrator
-- (sysadmin), the security administrator (secadmin) and the security
-- auditor (secaudit). Their authority is their role (api/admin.go), not a
-- policy line, so the old `admin` lines go. Holders of the old `admin`
-- role become system administrators — it kept accounts, tokens and
-- passwords — unless they also hold a business role: an administrator
-- reads no business data, so such an account keeps its business roles and
-- loses the administrator role. The GM appoints the security administrator
-- and the security auditor afterwards. Each change is in the audit trail.
INSERT INTO audit (actor, action, object, decision, detail)
SELECT 'zhidu-migrate', 'admin.user.roles', 'user:' || username, 'allowed',
       jsonb_build_object('reason', 'migration 012: the admin role is split in three',
           'from', jsonb_build_array(jsonb_build_object('role', 'admin', 'department', department)),
           'to', CASE WHEN EXISTS (SELECT 1 FROM user_roles b WHERE b.username = a.username AND b.role <> 'admin')
                 THEN '[]'::jsonb
                 ELSE jsonb_build_array(jsonb_build_object('role', 'sysadmin', 'department', department)) END)
FROM user_roles a WHERE role = 'admin' ORDER BY username, department;

INSERT INTO user_roles (username, role, department)
SELECT username, 'sysadmin', department FROM user_roles a
WHERE role = 'admin' AND NOT EXISTS (SELECT 1 FROM user_roles b WHERE b.username = a.username AND b.role <> 'admin')
ON CONFLICT DO NOTHING;
DELETE FROM user_roles WHERE role = 'admin';

-- No policy line may name an administrator role or the admin object.
DELETE FROM casbin_rule WHERE ptype = 'p' AND (v0 IN ('admin', 'sysadmin', 'secadmin', 'secaudit') OR v2 = 'admin' OR v2 LIKE 'admin:%');

-- A reset of the GM's, a deputy GM's or a top-secret-cleared account's
-- token or password waits here for that account's confirmation or the
-- GM's approval; pending requests expire.
CREATE TABLE credential_resets (
    id           text PRIMARY KEY,
    username     text NOT NULL REFERENCES users ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('token', 'password')),
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    state        text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'confirmed', 'approved', 'rejected', 'expired')),
    decided_by   text NOT NULL DEFAULT '',
    decided_at   timestamptz,
    -- who received the new credential: the account itself, or the GM who
    -- approved and hands it over in person
    delivered_to text NOT NULL DEFAULT ''
);
-- One pending request per account and kind.
CREATE UNIQUE INDEX credential_resets_pending ON credential_resets (username, kind) WHERE state = 'pending';
CREATE INDEX credential_resets_user ON credential_resets (username, requested_at DESC);
