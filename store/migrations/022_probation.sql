-- +goose Up
-- The probation (issue 15, 试用期). A user on probation is flagged while a
-- probation of theirs runs (set at its start, cleared at its end).
ALTER TABLE users ADD COLUMN on_probation boolean NOT NULL DEFAULT false;

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
