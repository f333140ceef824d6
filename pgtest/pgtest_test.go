package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestURLGivesDistinctEmptyDatabases(t *testing.T) {
	ctx := context.Background()
	u1, u2 := pgtest.URL(t), pgtest.URL(t)
	if u1 == u2 {
		t.Fatalf("two calls returned the same URL %q", u1)
	}

	c1, err := pgx.Connect(ctx, u1)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close(ctx)
	c2, err := pgx.Connect(ctx, u2)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(ctx)

	var db1, db2 string
	if err := c1.QueryRow(ctx, "SELECT current_database()").Scan(&db1); err != nil {
		t.Fatal(err)
	}
	if err := c2.QueryRow(ctx, "SELECT current_database()").Scan(&db2); err != nil {
		t.Fatal(err)
	}
	if db1 == db2 {
		t.Fatalf("both URLs use database %q", db1)
	}

	countTables := func(c *pgx.Conn) int {
		t.Helper()
		var n int
		err := c.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := countTables(c1); n != 0 {
		t.Errorf("first database has %d tables, want 0", n)
	}
	if _, err := c1.Exec(ctx, "CREATE TABLE only_in_first (id int)"); err != nil {
		t.Fatal(err)
	}
	if n := countTables(c2); n != 0 {
		t.Errorf("second database has %d tables, want 0", n)
	}
}

func TestParallelDatabases(t *testing.T) {
	for _, name := range []string{"a", "b", "c", "d"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conn, err := pgx.Connect(context.Background(), pgtest.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), "CREATE TABLE x (id int)"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
