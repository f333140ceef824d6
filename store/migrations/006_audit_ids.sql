-- +goose Up
-- The audit chain trigger draws each entry's ID under its lock, so that IDs
-- follow the chain; the column default drew one more before it, leaving
-- every other ID unused.
ALTER TABLE audit ALTER COLUMN id DROP DEFAULT;
