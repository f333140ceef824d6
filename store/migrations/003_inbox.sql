-- +goose Up
-- The inbox, precomputed: one row per active task and key that puts it in
-- someone's inbox — 'u:NAME' for its assignee, delegate and candidates by
-- name, 'r:ROLE@DEPT' for candidate roles — with the columns the inbox
-- filters and sorts on. Kept by triggers, so an inbox page and its exact
-- count are index scans over a few thousand narrow rows instead of
-- visits to as many task rows among millions.
CREATE TABLE inbox (
    task_id    text NOT NULL REFERENCES tasks ON DELETE CASCADE,
    key        text NOT NULL,
    entry      char(1) NOT NULL, -- m: assigned or delegated, c: candidate of an open task, x: excluded from it
    process_id text NOT NULL,
    state      text NOT NULL,
    level      smallint NOT NULL,
    priority   smallint NOT NULL,
    kind       text NOT NULL,
    department text NOT NULL,
    created_at timestamptz NOT NULL,
    due_at     timestamptz,
    PRIMARY KEY (key, task_id, entry)
);
CREATE INDEX inbox_key_created ON inbox (key, created_at DESC) INCLUDE (task_id, entry, level, state);
CREATE INDEX inbox_task ON inbox (task_id);

-- +goose StatementBegin
CREATE FUNCTION candidate_key(username text, role text, department text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN username <> '' THEN 'u:' || username ELSE 'r:' || role || '@' || department END
$$;
-- +goose StatementEnd

-- What the inbox should hold, for every active task.
CREATE VIEW inbox_source AS
SELECT t.id AS task_id, k.key, k.entry::char(1) AS entry, t.process_id, t.state, t.level, t.priority, t.kind,
    t.department, t.created_at, t.due_at
FROM tasks t, LATERAL (
    SELECT 'u:' || t.assignee AS key, 'm' AS entry WHERE t.assignee IS NOT NULL
    UNION SELECT 'u:' || t.delegate, 'm' WHERE t.delegate IS NOT NULL
    UNION SELECT candidate_key(c.username, c.role, c.department), 'c'
          FROM task_candidates c WHERE c.task_id = t.id AND t.state = 'open'
    UNION SELECT 'u:' || x, 'x' FROM unnest(t.excluded) AS x WHERE t.state = 'open'
) k
WHERE t.state IN ('open', 'claimed');

-- +goose StatementBegin
CREATE FUNCTION refresh_inbox(tid text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM inbox WHERE task_id = tid;
    INSERT INTO inbox SELECT * FROM inbox_source WHERE task_id = tid ON CONFLICT DO NOTHING;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION inbox_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_inbox(NEW.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tasks_inbox AFTER INSERT OR UPDATE OF state, assignee, delegate, level, priority, due_at, excluded, department, kind
    ON tasks FOR EACH ROW EXECUTE FUNCTION inbox_task_changed();

-- +goose StatementBegin
CREATE FUNCTION inbox_candidate_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_inbox(NEW.task_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER task_candidates_inbox AFTER INSERT ON task_candidates
    FOR EACH ROW EXECUTE FUNCTION inbox_candidate_added();

INSERT INTO inbox SELECT * FROM inbox_source ON CONFLICT DO NOTHING;
