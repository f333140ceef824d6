#!/usr/bin/env bash
# Runs zhidu in development mode (go run ./cmd/zhidu dev), installing the
# PostgreSQL binaries first if they are missing. Arguments are passed on.
set -euo pipefail
cd "$(dirname "$0")/.."

. deploy/postgres.sh
ensure_postgres

exec go run ./cmd/zhidu dev "$@"
