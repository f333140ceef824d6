# Sourced by dev.sh and test.sh: makes sure the PostgreSQL server binaries
# are installed, installing Debian's postgresql package (announced, never
# silently) when they are missing. zhidu then starts its own private
# instance with initdb + pg_ctl; it never uses a system-wide cluster.

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

ensure_postgres() {
	if ! have_postgres; then
		echo "==> PostgreSQL binaries not found: installing them with apt-get install -y postgresql"
		as_root apt-get update
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
	fi
}
