// Package testdb gives tests what every deployment starts from: a fresh
// PostgreSQL database (see pgtest), migrated, with the default policy and
// the demo organisation.
package testdb

import (
	"context"
	"testing"

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
