-- +goose Up
-- A process's named readers (issue 15): users who read it whatever their
-- department, when cleared for its level — a probation file is read by
-- the employee's mentor. The read rule tests membership row by row, beside
-- the participants and barred users, so no index serves it.
ALTER TABLE processes ADD COLUMN members text[] NOT NULL DEFAULT '{}';
