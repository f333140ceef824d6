-- +goose Up
-- What a task shows from earlier steps (findings, send-back comments).
ALTER TABLE tasks ADD COLUMN context jsonb;

-- The complaint register (《申诉和投诉处理登记表》): the intake is the
-- process's input; this table holds what later steps decide.
CREATE TABLE complaints (
    process_id             text PRIMARY KEY REFERENCES processes,
    stage                  text NOT NULL DEFAULT 'triage',
    category               text,
    valid                  boolean,
    invalid_reason         text,
    responsible_department text,
    joint                  boolean,
    joint_deadline         date,
    important              boolean NOT NULL DEFAULT false,
    cause                  text,
    responsibility         text,
    remedy                 text,
    compensation           numeric(14, 2),
    approved_by            text[],
    reply_method           text,
    reply_text             text,
    replied_at             timestamptz,
    customer_feedback      text,
    disputed               boolean,
    satisfaction           text,
    closed_at              timestamptz,
    retain_until           timestamptz, -- null while open, and for important complaints kept long-term
    spot_checked           boolean NOT NULL DEFAULT false,
    spot_check_findings    text,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX complaints_department ON complaints (responsible_department);

-- Nothing is deleted before its retention ends: closed complaints are kept
-- a year (important ones for good), open ones always.
-- +goose StatementBegin
CREATE FUNCTION complaints_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.closed_at IS NULL OR OLD.important OR OLD.retain_until IS NULL OR OLD.retain_until > now() THEN
        RAISE EXCEPTION 'complaint % is under retention', OLD.process_id;
    END IF;
    RETURN OLD;
END $$;
-- +goose StatementEnd
CREATE TRIGGER complaints_retention BEFORE DELETE ON complaints FOR EACH ROW EXECUTE FUNCTION complaints_retained();

-- +goose StatementBegin
CREATE FUNCTION processes_retained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind = 'complaint' AND NOT EXISTS (SELECT 1 FROM complaints c WHERE c.process_id = OLD.id
        AND c.closed_at IS NOT NULL AND NOT c.important AND c.retain_until <= now()) THEN
        RAISE EXCEPTION 'complaint % is under retention', OLD.id;
    END IF;
    RETURN OLD;
END $$;
-- +goose StatementEnd
CREATE TRIGGER processes_retention BEFORE DELETE ON processes FOR EACH ROW EXECUTE FUNCTION processes_retained();
