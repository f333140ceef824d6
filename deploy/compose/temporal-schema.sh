#!/bin/sh
# Temporal's two databases and their schema, by Temporal's own SQL schema
# tool (`zhidu temporal-sql-tool`, the tool and schema files of the
# go.temporal.io/server version zhidu is built against). Safe to run again:
# a database that exists is not set up again, and update-schema applies only
# the versions it lacks (run on every upgrade).
set -eu
T="zhidu temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 -u temporal --pw $TEMPORAL_DB_PASSWORD"
for db in temporal:temporal temporal_visibility:visibility; do
	name=${db%%:*} schema=${db##*:}
	if $T --db "$name" create-database; then
		$T --db "$name" setup-schema -v 0.0
	fi
	$T --db "$name" update-schema --schema-name "postgresql/v12/$schema"
done
