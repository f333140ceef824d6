-- +goose Up
-- A running process found by a field of its stored input (a probation by
-- its employee: store.RunningWith, the probation's start check and the
-- /employees/{username} routes) without scanning the processes table.
CREATE INDEX processes_running_employee ON processes (kind, (input->>'employee')) WHERE state = 'running';
