-- +goose Up
-- The purchase approval matrix (采购审批矩阵, issue 14) as versioned data:
-- every version is kept, with who proposed it and who decided it. The
-- security administrator proposes a version; the GM approves it (it turns
-- active, the one before superseded) or rejects it, in a matrix_change
-- process. At most one version is proposed at a time, and exactly one is
-- active: store.Migrate seeds version 1 from matrix.Seed() in a database
-- that has none.
CREATE TABLE approval_matrix_versions (
    version       int PRIMARY KEY CHECK (version > 0),
    document      jsonb NOT NULL,
    state         text NOT NULL CHECK (state IN ('proposed', 'active', 'rejected', 'superseded')),
    proposed_by   text NOT NULL,
    proposed_at   timestamptz NOT NULL,
    note          text NOT NULL DEFAULT '',
    -- the version active when this one was proposed: what its difference is from
    base_version  int REFERENCES approval_matrix_versions,
    -- the matrix_change process in which the GM decides it
    process_id    text NOT NULL DEFAULT '',
    decided_by    text NOT NULL DEFAULT '',
    decided_at    timestamptz,
    reason        text NOT NULL DEFAULT '',
    superseded_at timestamptz
);
CREATE UNIQUE INDEX approval_matrix_one_active ON approval_matrix_versions ((true)) WHERE state = 'active';
CREATE UNIQUE INDEX approval_matrix_one_proposed ON approval_matrix_versions ((true)) WHERE state = 'proposed';

-- A version is never deleted and never rewritten: only its state moves on
-- (proposed → active or rejected, active → superseded) with its decision.
-- +goose StatementBegin
CREATE FUNCTION approval_matrix_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'approval matrix version % is kept', OLD.version;
    END IF;
    IF (NEW.version, NEW.document, NEW.proposed_by, NEW.proposed_at, NEW.note, NEW.process_id)
        IS DISTINCT FROM (OLD.version, OLD.document, OLD.proposed_by, OLD.proposed_at, OLD.note, OLD.process_id)
        OR NEW.base_version IS DISTINCT FROM OLD.base_version THEN
        RAISE EXCEPTION 'approval matrix version % is not rewritten', OLD.version;
    END IF;
    IF NOT (OLD.state = 'proposed' AND NEW.state IN ('active', 'rejected') OR OLD.state = 'active' AND NEW.state = 'superseded') THEN
        RAISE EXCEPTION 'approval matrix version % cannot go from % to %', OLD.version, OLD.state, NEW.state;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER approval_matrix_kept BEFORE UPDATE OR DELETE ON approval_matrix_versions
    FOR EACH ROW EXECUTE FUNCTION approval_matrix_kept();

-- Exactly one version is active once there is any, checked when a
-- transaction commits (an activation supersedes the old version first).
-- +goose StatementBegin
CREATE FUNCTION approval_matrix_one_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM approval_matrix_versions WHERE state = 'active') <> 1 THEN
        RAISE EXCEPTION 'the approval matrix must have exactly one active version' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER approval_matrix_one_active AFTER INSERT OR UPDATE ON approval_matrix_versions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION approval_matrix_one_active();
