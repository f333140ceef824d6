package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
)

// TestCheckSchema: serve and worker refuse a schema older or newer than
// the binary's migrations, saying what to do; an up-to-date one passes.
func TestCheckSchema(t *testing.T) {
	ctx := context.Background()
	pool, err := store.Connect(ctx, pgtest.URL(t), 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	refused := func(stage, want string) {
		t.Helper()
		err := store.CheckSchema(ctx, pool)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: CheckSchema = %v, want an error saying %q", stage, err, want)
		}
	}
	refused("empty database", `version 0 and this zhidu needs`)
	refused("empty database", `run "zhidu migrate" first`)
	if err := store.MigrateUpTo(ctx, pool, 20); err != nil {
		t.Fatal(err)
	}
	refused("older schema", `version 20 and this zhidu needs`)
	if err := store.Migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckSchema(ctx, pool); err != nil {
		t.Fatalf("an up-to-date schema is refused: %v", err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
		t.Fatal(err)
	}
	refused("newer schema", `version 9999, newer than this zhidu knows`)
}

// TestConcurrentMigrate: several "zhidu migrate" starting at once on an
// empty database take turns on the advisory lock: all succeed and each
// migration is recorded once.
func TestConcurrentMigrate(t *testing.T) {
	ctx := context.Background()
	pool, err := store.Connect(ctx, pgtest.URL(t), 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = store.Migrate(ctx, pool, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrate %d: %v", i, err)
		}
	}
	var rows, versions int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != versions {
		t.Fatalf("%d migration rows for %d versions: a migration was applied twice", rows, versions)
	}
	if err := store.CheckSchema(ctx, pool); err != nil {
		t.Fatal(err)
	}
}
