-- +goose Up
-- Numbers in series (issue 14): finance's vouchers (PZ) and purchase
-- orders (PO) each count per year without gaps. The vouchers table keeps
-- every number a process was issued, of either series.
ALTER TABLE voucher_counters ADD COLUMN series text NOT NULL DEFAULT 'PZ';
ALTER TABLE voucher_counters DROP CONSTRAINT voucher_counters_pkey;
ALTER TABLE voucher_counters ADD PRIMARY KEY (series, year);
ALTER TABLE vouchers ADD COLUMN series text NOT NULL DEFAULT 'PZ';
ALTER TABLE vouchers DROP CONSTRAINT vouchers_year_seq_key;
ALTER TABLE vouchers ADD CONSTRAINT vouchers_series_year_seq_key UNIQUE (series, year, seq);
