-- +goose Up
-- No query filters or joins on these jsonb columns (forms, context and
-- completion data of tasks, details of timeline and audit entries), yet
-- ANALYZE sorted a sample of each to build statistics nobody reads: on a
-- dev database with 16k tasks, ANALYZE of tasks took 380 ms, 150 ms
-- without them, and auto-ANALYZE runs as the tables grow.
ALTER TABLE tasks ALTER COLUMN form SET STATISTICS 0, ALTER COLUMN context SET STATISTICS 0,
    ALTER COLUMN data SET STATISTICS 0;
ALTER TABLE timeline ALTER COLUMN detail SET STATISTICS 0;
ALTER TABLE audit ALTER COLUMN detail SET STATISTICS 0;
