-- +goose Up
-- Registers (登记表) through one path: every process's register entry is a
-- row here, whatever its kind. What the steps recorded is a JSON document
-- (fields), read through the process descriptor's register description;
-- one GIN index serves every register's exact filters on recorded fields
-- (fields @> '{"responsible_department": "quality"}'). The retention is
-- typed, for the triggers: nothing is deleted while the entry is open,
-- kept for good, or before retain_until.
CREATE TABLE register_entries (
    process_id   text PRIMARY KEY REFERENCES processes,
    fields       jsonb NOT NULL DEFAULT '{}',
    closed_at    timestamptz,
    retain_until timestamptz, -- null while open, and for entries kept for good
    kept         boolean NOT NULL DEFAULT false, -- kept for good (an important complaint)
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX register_entries_fields ON register_entries USING gin (fields jsonb_path_ops);

-- The complaint register moves in: every column a step wrote becomes a
-- field of the same name (nulls left out), the retention its columns.
INSERT INTO register_entries (process_id, fields, closed_at, retain_until, kept, updated_at)
SELECT process_id, jsonb_strip_nulls(jsonb_build_object(
        'stage', stage, 'category', category, 'valid', valid, 'invalid_reason', invalid_reason,
        'responsible_department', responsible_department, 'joint', joint, 'joint_deadline', joint_deadline,
        'important', important, 'cause', cause, 'responsibility', responsibility, 'remedy', remedy,
        'compensation', compensation, 'approved_by', approved_by, 'reply_method', reply_method,
        'reply_text', reply_text, 'replied_at', replied_at, 'customer_feedback', customer_feedback,
        'disputed', disputed, 'satisfaction', satisfaction, 'spot_checked', spot_checked,
        'spot_check_findings', spot_check_findings)),
    closed_at, CASE WHEN important THEN NULL ELSE retain_until END, important, updated_at
FROM complaints;

DROP TABLE complaints;
DROP FUNCTION complaints_retained();

-- +goose StatementBegin
CREATE FUNCTION register_entries_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.closed_at IS NULL OR OLD.kept OR OLD.retain_until IS NULL OR OLD.retain_until > now() THEN
        RAISE EXCEPTION 'the register entry of % is under retention', OLD.process_id;
    END IF;
    RETURN OLD;
END $$;
-- +goose StatementEnd
CREATE TRIGGER register_entries_retention BEFORE DELETE ON register_entries
    FOR EACH ROW EXECUTE FUNCTION register_entries_retained();

-- A process is kept as long as its register entry is; a complaint is kept
-- before its first step wrote one too.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION processes_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM register_entries e WHERE e.process_id = OLD.id
            AND (e.closed_at IS NULL OR e.kept OR e.retain_until IS NULL OR e.retain_until > now()))
        OR OLD.kind = 'complaint' AND NOT EXISTS (SELECT 1 FROM register_entries e WHERE e.process_id = OLD.id) THEN
        RAISE EXCEPTION 'process % is under retention', OLD.id;
    END IF;
    RETURN OLD;
END $$;
-- +goose StatementEnd
