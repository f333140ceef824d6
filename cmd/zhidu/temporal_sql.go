package main

import (
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql" // the tool's postgres12 plugin
	"go.temporal.io/server/tools/sql"
)

// runTemporalSQLTool is Temporal's own SQL schema tool (temporal-sql-tool),
// built into zhidu so a cluster's PostgreSQL schema is created and upgraded
// with the tool and schema files of the very server version zhidu is built
// against (go.temporal.io/server's embedded schema/postgresql/v12/...), e.g.
//
//	zhidu temporal-sql-tool --plugin postgres12 --ep db -p 5432 -u temporal --db temporal create-database
//	zhidu temporal-sql-tool --plugin postgres12 --ep db -p 5432 -u temporal --db temporal setup-schema -v 0.0
//	zhidu temporal-sql-tool --plugin postgres12 --ep db -p 5432 -u temporal --db temporal update-schema --schema-name postgresql/v12/temporal
//
// (and the same with --db temporal_visibility and postgresql/v12/visibility).
// Its flags are the tool's own; on failure it exits with status 1.
func runTemporalSQLTool(args []string) error {
	return sql.RunTool(append([]string{"zhidu temporal-sql-tool"}, args...))
}
