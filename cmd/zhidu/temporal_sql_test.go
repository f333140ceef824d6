package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu/pgtest"
)

// TestMain runs the zhidu command itself when a test re-executes this
// binary with ZHIDU_TEST_RUN_MAIN set (for commands that exit the
// process), and the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv("ZHIDU_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	pgtest.Main(m)
}

// zhiduCommand is the zhidu command with args, run as its own process.
func zhiduCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "ZHIDU_TEST_RUN_MAIN=1")
	return cmd
}

// TestTemporalSQLTool: zhidu's built-in temporal-sql-tool creates a
// Temporal cluster's PostgreSQL schema from the server's own schema files
// (setup-schema, then update-schema to the newest version), and says so
// with a failing exit status when it cannot reach the database.
func TestTemporalSQLTool(t *testing.T) {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	conn := []string{"--plugin", "postgres12", "--ep", u.Hostname(), "-p", u.Port(), "-u", u.User.Username(), "--db", u.Path[1:]}
	if pw, ok := u.User.Password(); ok {
		conn = append(conn, "--pw", pw)
	}
	for _, step := range [][]string{{"setup-schema", "-v", "0.0"}, {"update-schema", "--schema-name", "postgresql/v12/temporal"}} {
		if out, err := zhiduCommand(t, append(append([]string{"temporal-sql-tool"}, conn...), step...)...).CombinedOutput(); err != nil {
			t.Fatalf("temporal-sql-tool %v: %v\n%s", step, err, out)
		}
	}
	ctx := context.Background()
	db, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	var version string
	var executions bool
	if err := db.QueryRow(ctx, `SELECT curr_version, to_regclass('executions') IS NOT NULL FROM schema_version`).Scan(&version, &executions); err != nil {
		t.Fatal(err)
	}
	if version == "0.0" || !executions {
		t.Fatalf("after update-schema the schema is at %q (executions table: %v), want the newest version", version, executions)
	}
	t.Logf("Temporal schema version %s", version)

	bad := append([]string{"temporal-sql-tool", "--plugin", "postgres12", "--ep", "127.0.0.1", "-p", "1", "--db", "nowhere"}, "setup-schema", "-v", "0.0")
	if out, err := zhiduCommand(t, bad...).CombinedOutput(); err == nil {
		t.Fatalf("temporal-sql-tool against no database succeeded:\n%s", out)
	}
}
