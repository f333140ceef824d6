-- +goose Up
-- Top-secret copies and excerpts (绝密级资料的摘抄、复制): a copy is the
-- approved secret-copy process itself — its own object (process:ID) at
-- its source's level, its text or description in its input — and this
-- table links it to its source both ways and records who made it, who
-- approved it and why. Its readers are those the approver designated for
-- it (designations of process:ID, written in the same transaction) and
-- the GM's office; the source's designations do not carry over.
CREATE TABLE object_copies (
    id          text PRIMARY KEY REFERENCES processes (id),
    source      text NOT NULL,           -- process:ID or task:ID
    source_process text NOT NULL,        -- the source's process
    mode        text NOT NULL CHECK (mode IN ('copy', 'excerpt')),
    level       smallint NOT NULL,
    reason      text NOT NULL,
    made_by     text NOT NULL,
    approved_by text NOT NULL,
    made_at     timestamptz NOT NULL
);
CREATE INDEX object_copies_source ON object_copies (source_process);
