-- +goose Up
-- Web inbox sign-in: a bcrypt password hash per user (null: no password
-- sign-in, a bearer token still works) and sessions kept here rather than
-- in any one replica's memory, so every replica serves every session.
ALTER TABLE users ADD COLUMN password_hash text;

CREATE TABLE web_sessions (
    id_hash    bytea PRIMARY KEY,        -- SHA-256 of the random session ID; the ID itself is only in the cookie
    username   text NOT NULL REFERENCES users ON DELETE CASCADE,
    csrf_token text NOT NULL,            -- hidden field on every form, checked on every POST
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
CREATE INDEX web_sessions_username ON web_sessions (username);
