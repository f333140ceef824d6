-- +goose Up
-- Finance's vouchers (传票): numbered PZ-YEAR-NNNNNN, sequential per year
-- without gaps, one per process and key (a return slip's reconciliation),
-- so a retried issue answers the number issued before (issue 13).
CREATE TABLE voucher_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);
CREATE TABLE vouchers (
    number     text PRIMARY KEY,
    year       integer NOT NULL,
    seq        integer NOT NULL,
    process_id text NOT NULL REFERENCES processes,
    key        text NOT NULL,
    issued_by  text NOT NULL,
    issued_at  timestamptz NOT NULL,
    UNIQUE (process_id, key),
    UNIQUE (year, seq)
);
