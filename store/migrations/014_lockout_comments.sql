-- +goose Up
-- Consecutive failed password sign-ins per account, and the lockout they
-- lead to, kept here rather than in one replica's memory: a restart does
-- not forgive them and every replica refuses a locked account. A row
-- exists only for accounts that failed since their last good sign-in (an
-- unknown username adds nothing); a good sign-in deletes it, and so does
-- an administrator's unlock.
CREATE TABLE signin_failures (
    username        text PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    failures        integer NOT NULL CHECK (failures > 0), -- in a row, since the last good sign-in or lockout
    last_failure_at timestamptz NOT NULL,
    locked_at       timestamptz,          -- null: not locked
    locked_until    timestamptz,          -- null while locked: until an administrator unlocks
    CHECK (locked_until IS NULL OR locked_at IS NOT NULL)
);

-- Comments need being a participant of the task's process; compliance
-- (营管办) may comment without being one, and such a comment says so.
ALTER TABLE task_comments ADD COLUMN as_compliance boolean NOT NULL DEFAULT false;
