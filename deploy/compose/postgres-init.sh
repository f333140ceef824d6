#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised: the role the
# Temporal server and its schema job use (it creates its own two databases).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
	--set pw="$TEMPORAL_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'pw';
SQL
