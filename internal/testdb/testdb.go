// Package testdb gives tests what every deployment starts from: a fresh
// PostgreSQL database (see pgtest), migrated, with the default policy and
// the demo organisation.
package testdb

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
)

// Demo returns a store on a fresh, migrated database holding the default
// policy and the demo organisation, and the demo users' credentials. The
// test binary must call pgtest.Main from TestMain.
func Demo(tb testing.TB, maxConns int32) (*store.Store, demo.Credentials) {
	tb.Helper()
	ctx := context.Background()
	pool, err := store.Connect(ctx, pgtest.URL(tb), maxConns)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	if err := store.Migrate(ctx, pool, nil); err != nil {
		tb.Fatal(err)
	}
	if err := authz.InstallDefaultPolicy(ctx, pool); err != nil {
		tb.Fatal(err)
	}
	st := store.New(pool)
	creds, err := demo.Seed(ctx, st)
	if err != nil {
		tb.Fatal(err)
	}
	return st, creds
}

// Invariants are what "nothing lost, nothing doubled" means in the
// projection, for a set of processes: each query counts the violations of
// one rule, and must answer 0 (its $1 is the process IDs).
var Invariants = map[string]string{
	"tasks created more than once (one step key, two rows)": `SELECT count(*) FROM (SELECT process_id, step_key FROM tasks
        WHERE process_id = ANY($1) GROUP BY process_id, step_key HAVING count(*) > 1) d`,
	"tasks completed more than once in the timeline": `SELECT count(*) FROM (SELECT task_id FROM timeline WHERE process_id = ANY($1)
        AND action = 'task_completed' GROUP BY task_id HAVING count(*) <> 1) d`,
	"tasks created more than once in the timeline": `SELECT count(*) FROM (SELECT task_id FROM timeline WHERE process_id = ANY($1)
        AND action = 'task_created' GROUP BY task_id HAVING count(*) <> 1) d`,
	"completed tasks with other than one task.complete audit entry": `SELECT count(*) FROM tasks t WHERE t.process_id = ANY($1)
        AND t.state = 'completed' AND (SELECT count(*) FROM audit a WHERE a.action = 'task.complete' AND a.object = 'task:' || t.id) <> 1`,
	"processes with more than one process.start audit entry": `SELECT count(*) FROM processes p WHERE p.id = ANY($1) AND
        (SELECT count(*) FROM audit a WHERE a.action = 'process.start' AND a.object = 'process:' || p.id) > 1`,
	"completed processes with other than one finish in the timeline": `SELECT count(*) FROM processes p WHERE p.id = ANY($1)
        AND p.state = 'completed' AND (SELECT count(*) FROM timeline e WHERE e.process_id = p.id AND e.action = 'process_completed') <> 1`,
	"inbox rows that differ from their source": `SELECT count(*) FROM ((SELECT task_id, key, entry, state FROM inbox_source
        EXCEPT SELECT task_id, key, entry, state FROM inbox) UNION ALL (SELECT task_id, key, entry, state FROM inbox
        EXCEPT SELECT task_id, key, entry, state FROM inbox_source)) d WHERE $1::text[] IS NOT NULL`,
}

// CheckInvariants fails tb for every invariant the processes ids break.
func CheckInvariants(tb testing.TB, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, ids []string) {
	tb.Helper()
	for what, sql := range Invariants {
		var n int
		if err := db.QueryRow(context.Background(), sql, ids).Scan(&n); err != nil {
			tb.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			tb.Errorf("%d %s", n, what)
		}
	}
}
