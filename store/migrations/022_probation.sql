-- +goose Up
-- The probation (issue 15, 试用期). A user is on probation while a row
-- names them here: set at the probation's start, cleared at its end by
-- that probation. A table of its own, not a column of users: a change to
-- users tells every API replica to reload its policy and forget its users
-- (migration 007), which the start and end of every probation need not.
CREATE TABLE probation_flags (
    username   text PRIMARY KEY REFERENCES users,
    process_id text NOT NULL,
    since      timestamptz NOT NULL
);

-- An employee separated at the end of their probation (未完成销售任务者自动离职)
-- hands their customer files over to a colleague (客户交接). Customer files
-- do not exist yet: the handover is recorded here, once per probation,
-- and the customer files apply it later (applied_at set then).
CREATE TABLE customer_handovers (
    process_id text PRIMARY KEY REFERENCES processes,
    employee   text NOT NULL REFERENCES users,
    colleague  text NOT NULL REFERENCES users CHECK (colleague <> employee),
    at         timestamptz NOT NULL,
    applied_at timestamptz
);
CREATE INDEX customer_handovers_pending ON customer_handovers (employee) WHERE applied_at IS NULL;
