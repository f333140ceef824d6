-- +goose Up
-- Time-boxed read grants (查阅审批): written when a file-access request is
-- approved, revoked by the workflow when it expires (or returned early, or
-- revoked by the GM). Every read rule honours a grant only while it is not
-- revoked and its stored expiry is in the future, so a revocation that is
-- late (servers down) never widens access. The target is
-- 'department:D' (that department's customer files), 'customer:ID' or
-- 'process:ID'. id is the file-access process that granted it.
CREATE TABLE access_grants (
    id            text PRIMARY KEY,
    grantee       text NOT NULL REFERENCES users (username),
    target        text NOT NULL,
    reason        text NOT NULL DEFAULT '',
    granted_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    approved_by   text NOT NULL,
    revoked_at    timestamptz,
    revoked_by    text,
    revoke_reason text,
    CHECK (expires_at > granted_at)
);
CREATE INDEX access_grants_target ON access_grants (target, grantee) WHERE revoked_at IS NULL;
CREATE INDEX access_grants_grantee ON access_grants (grantee, expires_at) WHERE revoked_at IS NULL;
