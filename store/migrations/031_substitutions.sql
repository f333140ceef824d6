-- +goose Up
-- Out-of-office substitution (委托代理): while absent is away, from
-- starts_at until ends_at (or ended_at, when ended early or replaced),
-- substitute may see and work absent's tasks within the scope (the
-- departments and process kinds listed; empty lists: all), as far as the
-- substitute's own clearance and need-to-know allow (README "Out-of-office
-- substitution"). Access is decided from these stored times at every
-- request, never by a timer.
CREATE TABLE substitutions (
    id          bigserial PRIMARY KEY,
    absent      text NOT NULL REFERENCES users (username),
    substitute  text NOT NULL REFERENCES users (username),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    departments text[] NOT NULL DEFAULT '{}',
    kinds       text[] NOT NULL DEFAULT '{}',
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    ended_by    text,
    CHECK (ends_at > starts_at),
    CHECK (absent <> substitute)
);
CREATE INDEX substitutions_substitute ON substitutions (substitute, ends_at);
CREATE INDEX substitutions_absent ON substitutions (absent, ends_at);
-- A replica forgets the users it cached when a window changes.
CREATE TRIGGER substitutions_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON substitutions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy();

-- +goose Down
DROP TABLE substitutions;
