package pglocal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// startCluster starts a cluster in dir and registers its Stop with
// t.Cleanup. Cleanups run last-registered-first, so as long as dir comes from
// a t.TempDir call made before this one, the server is stopped before its
// directory is removed.
func startCluster(t *testing.T, dir string) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{Dir: dir, Fast: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return c
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func TestStartStopRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := context.Background()

	c := startCluster(t, dir)
	if c.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", c.Dir(), dir)
	}
	if c.Port() <= 0 {
		t.Errorf("Port() = %d", c.Port())
	}
	if !strings.HasPrefix(c.URL("x"), "postgres://zhidu:") || !strings.HasSuffix(c.URL("x"), "/x?sslmode=disable") {
		t.Errorf("URL = %q", c.URL("x"))
	}
	fi, err := os.Stat(filepath.Join(dir, PasswordFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("password file mode = %v, want 0600", fi.Mode().Perm())
	}

	conn := connect(t, c.URL("postgres"))
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('hello')"); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close(ctx)

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}

	c2 := startCluster(t, dir)
	conn2 := connect(t, c2.URL("postgres"))
	var v string
	if err := conn2.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "hello" {
		t.Fatalf("after restart: v = %q, %v", v, err)
	}
}

func TestStartStopsLeftoverServer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	c1 := startCluster(t, dir)
	// Simulate a killed process: start again without stopping c1.
	c2 := startCluster(t, dir)
	conn := connect(t, c2.URL("postgres"))
	if err := conn.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c1.Port() != c2.Port() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, c1.URL("postgres")); err == nil {
			_ = conn.Close(ctx)
			t.Error("first server still accepts connections")
		}
	}
}

func TestCreateDatabase(t *testing.T) {
	c := startCluster(t, filepath.Join(t.TempDir(), "data"))
	ctx := context.Background()
	for range 2 { // the second call finds it existing
		if err := c.CreateDatabase(ctx, "app_db1"); err != nil {
			t.Fatal(err)
		}
	}
	conn := connect(t, c.URL("app_db1"))
	var name string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil || name != "app_db1" {
		t.Fatalf("current_database = %q, %v", name, err)
	}
	for _, bad := range []string{"", "Upper", "1abc", "a-b", `x"; DROP`} {
		if err := c.CreateDatabase(ctx, bad); err == nil {
			t.Errorf("CreateDatabase(%q) succeeded", bad)
		}
	}
}

func TestFindNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	old := libRoot
	libRoot = t.TempDir()
	t.Cleanup(func() { libRoot = old })

	_, err := Find()
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("Find error = %v, want ErrNotInstalled", err)
	}
	const want = `PostgreSQL binaries not found: install them with "apt-get install -y postgresql"`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Find error = %q, want it to contain %q", err, want)
	}

	_, err = Start(context.Background(), Options{Dir: filepath.Join(t.TempDir(), "data")})
	if !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Start error = %v, want ErrNotInstalled", err)
	}
}

func TestFindVersionOrder(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	old := libRoot
	libRoot = t.TempDir()
	t.Cleanup(func() { libRoot = old })
	for _, v := range []string{"9.6", "13", "15", "16-incomplete"} {
		bin := filepath.Join(libRoot, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range serverBinaries {
			if v == "16-incomplete" && name == "postgres" {
				continue
			}
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(libRoot, "15", "bin"); got != want {
		t.Errorf("Find = %q, want %q", got, want)
	}
}
