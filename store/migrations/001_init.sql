-- +goose Up
-- People, their roles per department, and their API tokens (hashed).
CREATE TABLE users (
    username    text PRIMARY KEY,
    name        text NOT NULL,
    name_en     text NOT NULL DEFAULT '',
    department  text NOT NULL,
    clearance   smallint NOT NULL CHECK (clearance BETWEEN 0 AND 4),
    token_hash  bytea UNIQUE,
    disabled    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_roles (
    username   text NOT NULL REFERENCES users ON DELETE CASCADE,
    role       text NOT NULL,
    department text NOT NULL,
    PRIMARY KEY (username, role, department)
);
CREATE INDEX user_roles_role_dept ON user_roles (role, department);

-- Casbin policy lines (p); role links (g) live in user_roles.
CREATE TABLE casbin_rule (
    id    bigserial PRIMARY KEY,
    ptype text NOT NULL,
    v0    text NOT NULL DEFAULT '',
    v1    text NOT NULL DEFAULT '',
    v2    text NOT NULL DEFAULT '',
    v3    text NOT NULL DEFAULT '',
    v4    text NOT NULL DEFAULT '',
    v5    text NOT NULL DEFAULT '',
    UNIQUE (ptype, v0, v1, v2, v3, v4, v5)
);

-- The projection of running and finished processes.
CREATE TABLE processes (
    id          text PRIMARY KEY,
    run_id      text NOT NULL DEFAULT '',
    kind        text NOT NULL,
    title       text NOT NULL DEFAULT '',
    state       text NOT NULL DEFAULT 'running',
    level       smallint NOT NULL CHECK (level BETWEEN 0 AND 4),
    department  text NOT NULL,
    started_by  text NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    result      text NOT NULL DEFAULT '',
    input       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX processes_started_by ON processes (started_by, started_at DESC, id DESC);
CREATE INDEX processes_department ON processes (department, started_at DESC, id DESC);
CREATE INDEX processes_started_at ON processes (started_at DESC, id DESC);

-- The inbox: one row per human task, keyed naturally by (run_id, step_key).
CREATE TABLE tasks (
    id           text PRIMARY KEY,
    process_id   text NOT NULL,
    run_id       text NOT NULL,
    step_key     text NOT NULL,
    kind         text NOT NULL,
    step         text NOT NULL,
    title_zh     text NOT NULL,
    title_en     text NOT NULL,
    department   text NOT NULL,
    state        text NOT NULL DEFAULT 'open',
    assignee     text,
    delegate     text,
    level        smallint NOT NULL CHECK (level BETWEEN 0 AND 4),
    priority     smallint NOT NULL DEFAULT 2,
    form         jsonb NOT NULL,
    excluded     text[] NOT NULL DEFAULT '{}',
    escalation   smallint NOT NULL DEFAULT 0,
    due_at       timestamptz,
    created_at   timestamptz NOT NULL,
    claimed_at   timestamptz,
    completed_at timestamptz,
    outcome      text,
    data         jsonb,
    comment      text,
    completed_by text,
    on_behalf_of text,
    UNIQUE (run_id, step_key)
);
CREATE INDEX tasks_process ON tasks (process_id, created_at);
CREATE INDEX tasks_assignee ON tasks (assignee, created_at DESC, id DESC) WHERE assignee IS NOT NULL;
CREATE INDEX tasks_delegate ON tasks (delegate) WHERE delegate IS NOT NULL;
CREATE INDEX tasks_open ON tasks (created_at DESC, id DESC) WHERE state = 'open';

CREATE TABLE task_candidates (
    task_id    text NOT NULL REFERENCES tasks ON DELETE CASCADE,
    username   text NOT NULL DEFAULT '',
    role       text NOT NULL DEFAULT '',
    department text NOT NULL DEFAULT '',
    PRIMARY KEY (task_id, username, role, department)
);
CREATE INDEX task_candidates_role ON task_candidates (role, department, task_id);
CREATE INDEX task_candidates_user ON task_candidates (username, task_id) WHERE username <> '';

CREATE TABLE task_comments (
    id         bigserial PRIMARY KEY,
    task_id    text NOT NULL REFERENCES tasks ON DELETE CASCADE,
    author     text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_comments_task ON task_comments (task_id, id);

-- Who did what when, per process. event_key makes activity retries idempotent.
CREATE TABLE timeline (
    id           bigserial PRIMARY KEY,
    process_id   text NOT NULL,
    event_key    text NOT NULL UNIQUE,
    at           timestamptz NOT NULL,
    actor        text NOT NULL DEFAULT '',
    on_behalf_of text NOT NULL DEFAULT '',
    action       text NOT NULL,
    task_id      text NOT NULL DEFAULT '',
    step         text NOT NULL DEFAULT '',
    outcome      text NOT NULL DEFAULT '',
    detail       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_process ON timeline (process_id, at, id);

-- The audit trail: append-only.
CREATE TABLE audit (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    action    text NOT NULL,
    object    text NOT NULL,
    decision  text NOT NULL,
    address   text NOT NULL DEFAULT '',
    detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_object ON audit (object, id);

-- +goose StatementBegin
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
