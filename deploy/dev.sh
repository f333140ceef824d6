#!/usr/bin/env bash
# Runs zhidu in development mode (go run ./cmd/zhidu dev), installing the
# PostgreSQL binaries first if they are missing. Arguments are passed on.
set -euo pipefail
cd "$(dirname "$0")/.."

have_postgres() {
	command -v initdb >/dev/null 2>&1 && return 0
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && return 0
	done
	return 1
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "need root to run: $*" >&2
		return 1
	fi
}

if ! have_postgres; then
	echo "==> PostgreSQL binaries not found: installing them with apt-get install -y postgresql"
	as_root apt-get update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi

exec go run ./cmd/zhidu dev "$@"
