-- +goose Up
-- The inbox triggers (migration 003) rebuilt a task's inbox rows from
-- inbox_source on every change: four rebuilds per human step (the task,
-- its candidate, the claim, the completion), three of them needless.
-- Now each change does only what it changes, and the WHEN conditions keep
-- PL/pgSQL out of the changes that leave the inbox as it was:
--   * a new task has inbox rows of its own only with an assignee, a
--     delegate or exclusions; its candidates add theirs as they come;
--   * a candidate adds its one row while the task is open;
--   * a task that leaves the active states leaves the inbox;
--   * any other change of an active task rebuilds its rows, as before.
-- inbox_source stays the one definition of what the inbox holds; the
-- store tests compare the two after every kind of change.
DROP TRIGGER tasks_inbox ON tasks;

CREATE TRIGGER tasks_inbox_insert AFTER INSERT ON tasks FOR EACH ROW
    WHEN (NEW.assignee IS NOT NULL OR NEW.delegate IS NOT NULL OR cardinality(NEW.excluded) > 0)
    EXECUTE FUNCTION inbox_task_changed();

CREATE TRIGGER tasks_inbox_update
    AFTER UPDATE OF state, assignee, delegate, level, priority, due_at, excluded, department, kind ON tasks
    FOR EACH ROW WHEN (NEW.state IN ('open', 'claimed'))
    EXECUTE FUNCTION inbox_task_changed();

-- +goose StatementBegin
CREATE FUNCTION inbox_task_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM inbox WHERE task_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tasks_inbox_gone AFTER UPDATE OF state ON tasks
    FOR EACH ROW WHEN (OLD.state IN ('open', 'claimed') AND NEW.state NOT IN ('open', 'claimed'))
    EXECUTE FUNCTION inbox_task_gone();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION inbox_candidate_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inbox
    SELECT t.id, candidate_key(NEW.username, NEW.role, NEW.department), 'c', t.process_id, t.state, t.level,
        t.priority, t.kind, t.department, t.created_at, t.due_at
    FROM tasks t WHERE t.id = NEW.task_id AND t.state = 'open'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- The participants trigger (migration 002) likewise runs only when a task
-- names someone new: a new task with an assignee, delegate or completer,
-- or a change of one of them.
DROP TRIGGER tasks_people ON tasks;
CREATE TRIGGER tasks_people_insert AFTER INSERT ON tasks FOR EACH ROW
    WHEN (NEW.assignee IS NOT NULL OR NEW.delegate IS NOT NULL OR NEW.completed_by IS NOT NULL OR NEW.on_behalf_of IS NOT NULL)
    EXECUTE FUNCTION note_task_people();
CREATE TRIGGER tasks_people_update AFTER UPDATE OF assignee, delegate, completed_by, on_behalf_of ON tasks FOR EACH ROW
    WHEN ((NEW.assignee, NEW.delegate, NEW.completed_by, NEW.on_behalf_of)
        IS DISTINCT FROM (OLD.assignee, OLD.delegate, OLD.completed_by, OLD.on_behalf_of))
    EXECUTE FUNCTION note_task_people();
