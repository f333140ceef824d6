#!/bin/sh
# Brings zhidu's compose deployment up. On the first run it writes .env
# next to this file with fresh keys and database passwords (mode 0600; keep
# it: the payload keys decrypt the processes' histories).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$dir/.env" ]; then
	key() { head -c32 /dev/urandom | base64; }
	umask 077
	cat >"$dir/.env" <<ENV
POSTGRES_PASSWORD=$(head -c18 /dev/urandom | base64 | tr '+/' '-_')
TEMPORAL_DB_PASSWORD=$(head -c18 /dev/urandom | base64 | tr '+/' '-_')
ZHIDU_PAYLOAD_KEYS=p1:$(key)
ZHIDU_ACTOR_KEYS=a1:$(key)
ENV
	echo "wrote $dir/.env (keys and passwords; keep it)"
fi
exec docker compose -f "$dir/docker-compose.yml" --env-file "$dir/.env" up -d --build --wait "$@"
