// Package pgtest provides helpers for tests that need a real PostgreSQL.
//
// Each call to URL returns the URL of a fresh, empty database that is dropped
// when the test ends. The databases live on the server named by the
// environment variable ZHIDU_TEST_DATABASE_URL if it is set (the URL's user
// must be allowed to CREATE DATABASE); otherwise on one private cluster per
// test binary, started lazily with pglocal under os.TempDir(). A package
// using pgtest must hand its TestMain to Main, so that the private cluster is
// stopped and removed when the tests finish:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// If no URL is given and the PostgreSQL binaries are not installed, tests
// fail (they are never skipped) with a message saying how to install them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu/pglocal"
)

// EnvURL names the environment variable holding the URL of an existing
// server to create test databases on, instead of starting a private one.
const EnvURL = "ZHIDU_TEST_DATABASE_URL"

// dirPrefix starts the names of private cluster directories in os.TempDir();
// the test binary's pid follows.
const dirPrefix = "zhidu-pgtest-"

var (
	mainCalled bool // set by Main before running the tests

	once     sync.Once
	adminURL string // URL of a maintenance database on the server
	cluster  *pglocal.Cluster
	dataDir  string
	startErr error
)

// Main runs the tests of a package (m.Run), then stops and removes the
// private PostgreSQL cluster if one was started, and exits with the tests'
// exit code. Call it from TestMain.
func Main(m *testing.M) {
	mainCalled = true
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	if dataDir != "" {
		if err := os.RemoveAll(dataDir); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: remove %s: %v\n", dataDir, err)
		}
	}
	os.Exit(code)
}

// server returns the admin URL of the server, starting the private cluster
// on first use.
func server() (string, error) {
	once.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			adminURL = u
			return
		}
		startErr = startCluster()
	})
	return adminURL, startErr
}

func startCluster() error {
	removeStaleClusters()
	dataDir = filepath.Join(os.TempDir(), dirPrefix+strconv.Itoa(os.Getpid()))
	// A directory with our pid can only be left over from a dead process
	// whose pid was reused; start from scratch.
	if _, err := os.Stat(dataDir); err == nil {
		_ = pglocal.StopDir(dataDir)
		if err := os.RemoveAll(dataDir); err != nil {
			return fmt.Errorf("pgtest: remove old %s: %w", dataDir, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pglocal.Start(ctx, pglocal.Options{Dir: dataDir, Fast: true})
	if err != nil {
		_ = os.RemoveAll(dataDir)
		dataDir = ""
		return fmt.Errorf("pgtest: %w", err)
	}
	cluster = c
	adminURL = c.URL("postgres")
	return nil
}

// removeStaleClusters stops and removes private clusters left behind by test
// binaries that died without running Main's cleanup (a panic or a -timeout).
// It is best effort.
func removeStaleClusters() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), dirPrefix))
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			continue // owner still alive (or unknown)
		}
		_ = pglocal.StopDir(d)
		_ = os.RemoveAll(d)
	}
}

// URL returns the URL of a new, empty database unique to this test. The
// database is dropped (WITH (FORCE)) when the test and its subtests finish.
// Any failure to provide it fails the test with tb.Fatalf.
func URL(tb testing.TB) string {
	tb.Helper()
	if !mainCalled {
		tb.Fatalf("pgtest: the package must call pgtest.Main from TestMain, so the test PostgreSQL is cleaned up: add\n\tfunc TestMain(m *testing.M) { pgtest.Main(m) }")
	}
	admin, err := server()
	if err != nil {
		tb.Fatalf("%v", err)
	}

	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("pgtest: random database name: %v", err)
	}
	name := "t_" + hex.EncodeToString(b)
	dbURL, err := withDatabase(admin, name)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exec(ctx, admin, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec(ctx, admin, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return dbURL
}

// withDatabase returns rawURL with its database replaced by name.
func withDatabase(rawURL, name string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("parse server URL (%s?): %w", EnvURL, err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("server URL must be a postgres:// URL (check %s)", EnvURL)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// exec runs one statement on a new connection to url.
func exec(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return err
	}
	return nil
}
