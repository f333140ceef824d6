-- +goose Up
-- Saved views of the inbox (issue 20): a user's named set of
-- GET /api/v1/tasks filters, optionally shared with one department the
-- owner belongs to. filters holds only the query parameters the task list
-- takes, as strings, validated by the API as that list validates them. A
-- view stores no tasks and grants nothing: whoever opens it sees what their
-- own read rule lets them see, so its count is computed per reader.
CREATE TABLE saved_views (
    id          text PRIMARY KEY,
    owner       text NOT NULL REFERENCES users (username),
    name        text NOT NULL,
    filters     jsonb NOT NULL DEFAULT '{}',
    shared_with text,
    created_at  timestamptz NOT NULL,
    UNIQUE (owner, name)
);
CREATE INDEX saved_views_shared ON saved_views (shared_with) WHERE shared_with IS NOT NULL;

-- +goose Down
DROP TABLE saved_views;
