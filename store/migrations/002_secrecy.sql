-- +goose Up
-- Who takes part in a process, kept by triggers so every read query can
-- test need-to-know with an index lookup.
CREATE TABLE participants (
    process_id text NOT NULL,
    username   text NOT NULL,
    PRIMARY KEY (process_id, username)
);
CREATE INDEX participants_user ON participants (username, process_id);

CREATE TABLE process_roles (
    process_id text NOT NULL,
    role       text NOT NULL,
    department text NOT NULL,
    PRIMARY KEY (process_id, role, department)
);
CREATE INDEX process_roles_role ON process_roles (role, department, process_id);

-- +goose StatementBegin
CREATE FUNCTION note_task_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participants (process_id, username)
    SELECT NEW.process_id, u FROM unnest(ARRAY[NEW.assignee, NEW.delegate, NEW.completed_by, NEW.on_behalf_of]) AS u
    WHERE u IS NOT NULL AND u <> ''
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tasks_people AFTER INSERT OR UPDATE OF assignee, delegate, completed_by, on_behalf_of ON tasks
    FOR EACH ROW EXECUTE FUNCTION note_task_people();

-- +goose StatementBegin
CREATE FUNCTION note_candidate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE pid text;
BEGIN
    SELECT process_id INTO pid FROM tasks WHERE id = NEW.task_id;
    IF NEW.username <> '' THEN
        INSERT INTO participants (process_id, username) VALUES (pid, NEW.username) ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO process_roles (process_id, role, department) VALUES (pid, NEW.role, NEW.department) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER task_candidates_people AFTER INSERT ON task_candidates
    FOR EACH ROW EXECUTE FUNCTION note_candidate();

INSERT INTO participants (process_id, username)
SELECT DISTINCT t.process_id, u FROM tasks t,
    unnest(ARRAY[t.assignee, t.delegate, t.completed_by, t.on_behalf_of]) AS u WHERE u IS NOT NULL
UNION SELECT DISTINCT t.process_id, c.username FROM task_candidates c JOIN tasks t ON t.id = c.task_id WHERE c.username <> ''
ON CONFLICT DO NOTHING;
INSERT INTO process_roles (process_id, role, department)
SELECT DISTINCT t.process_id, c.role, c.department FROM task_candidates c JOIN tasks t ON t.id = c.task_id WHERE c.username = ''
ON CONFLICT DO NOTHING;

-- Designations: the GM or a deputy GM admits one user to one top-secret
-- object (process:ID or task:ID). Revocation keeps the row.
CREATE TABLE designations (
    id          bigserial PRIMARY KEY,
    username    text NOT NULL REFERENCES users,
    object      text NOT NULL,
    granted_by  text NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL DEFAULT '',
    revoked_by  text,
    revoked_at  timestamptz
);
CREATE UNIQUE INDEX designations_active ON designations (username, object) WHERE revoked_at IS NULL;
CREATE INDEX designations_object ON designations (object) WHERE revoked_at IS NULL;

-- Every policy or role change tells every API replica to reload.
-- +goose StatementBegin
CREATE FUNCTION notify_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zhidu_policy', TG_TABLE_NAME);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER casbin_rule_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON casbin_rule
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy();
CREATE TRIGGER user_roles_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy();
CREATE TRIGGER users_notify AFTER UPDATE OF disabled ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy();

-- The audit trail is chained by hash: each entry's hash covers its own
-- fields and the previous entry's hash, so any change breaks the chain.
-- Entries are chained in id order under an advisory lock.
ALTER TABLE audit ADD COLUMN prev_hash text NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN hash text NOT NULL DEFAULT '';

-- +goose StatementBegin
CREATE FUNCTION audit_hash(e audit) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\x1f', e.prev_hash, e.id::text,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.actor, e.action, e.object,
        e.decision, e.address, e.detail::text), 'UTF8')), 'hex')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7236);
    NEW.id := nextval(pg_get_serial_sequence('audit', 'id'));
    SELECT hash INTO NEW.prev_hash FROM audit ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := COALESCE(NEW.prev_hash, '');
    NEW.hash := audit_hash(NEW);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_chain BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_chain();

-- Chain the entries written before this migration.
ALTER TABLE audit DISABLE TRIGGER audit_no_update;
-- +goose StatementBegin
DO $$
DECLARE r audit; prev text := '';
BEGIN
    FOR r IN SELECT * FROM audit ORDER BY id LOOP
        r.prev_hash := prev;
        r.hash := audit_hash(r);
        UPDATE audit SET prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        prev := r.hash;
    END LOOP;
END $$;
-- +goose StatementEnd
ALTER TABLE audit ENABLE TRIGGER audit_no_update;
