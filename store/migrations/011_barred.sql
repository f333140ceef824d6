-- +goose Up
-- Who a process keeps off every step and out of its read rule: the
-- employee a misconduct complaint is about (issue 11).
ALTER TABLE processes ADD COLUMN barred text[] NOT NULL DEFAULT '{}';
