-- +goose Up
-- A contested crossing decided for the department (归部门), or left
-- unresolved, gives the customer's credit to nobody but the department:
-- credit NULL. (store/customer_processes.go DecideCrossing)
ALTER TABLE customers ALTER COLUMN credit DROP NOT NULL;
