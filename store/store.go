// Package store keeps zhidu's projection of processes and tasks, users and
// roles, the timeline and the audit trail in PostgreSQL through pgx/v5.
//
// Reads (inboxes, lists, process pages) are answered here, never from
// Temporal visibility, so a user always sees their own last action.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/zhidu/zhidu"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL store. Its zero value is not usable: use New.
type Store struct {
	Pool *pgxpool.Pool
}

// New wraps a pool.
func New(pool *pgxpool.Pool) *Store { return &Store{Pool: pool} }

// Connect opens a pool for url. Connections fail fast (5 s) so that a
// database outage turns into 503s instead of hanging requests.
func Connect(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	// Inbox and list queries are short; JIT compiling them costs more
	// (tens of ms) than it ever saves.
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return pool, nil
}

// Migrate applies every embedded migration not yet applied, in order,
// logging each one as it goes, then seeds what a fresh database starts
// with (the approval matrix's first version).
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	provider, closeDB, err := migrator(pool)
	if err != nil {
		return err
	}
	defer closeDB()
	pending, err := provider.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("check migrations: %w", err)
	}
	if pending {
		results, err := provider.Up(ctx)
		for _, r := range results {
			if log != nil {
				log.Info("migration applied", "file", r.Source.Path, "took", r.Duration.Round(time.Millisecond))
			}
		}
		if err != nil {
			return fmt.Errorf("apply migrations: %w", err)
		}
	}
	if err := seedMatrix(ctx, pool); err != nil {
		return err
	}
	return applyPendingHandovers(ctx, pool, log)
}

// migrator returns the goose provider of the embedded migrations on pool,
// and what closes its database handle.
func migrator(pool *pgxpool.Pool) (*goose.Provider, func(), error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, nil, err
	}
	// Concurrent starts of "zhidu migrate" (a migration job per replica
	// set) take turns on a PostgreSQL advisory lock: one applies, the
	// others then find nothing pending.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	provider, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migrations: %w", err)
	}
	return provider, func() { db.Close() }, nil
}

// CheckSchema refuses, with a message that says what to do, a database
// whose schema is older or newer than this binary's migrations: only
// "zhidu migrate" changes the schema, so "zhidu serve" and "zhidu worker"
// never run against a schema they were not built for.
func CheckSchema(ctx context.Context, pool *pgxpool.Pool) error {
	provider, closeDB, err := migrator(pool)
	if err != nil {
		return err
	}
	defer closeDB()
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("check the database schema: %w", err)
	}
	var have int64
	if exists {
		if have, err = provider.GetDBVersion(ctx); err != nil {
			return fmt.Errorf("check the database schema: %w", err)
		}
	}
	sources := provider.ListSources()
	want := sources[len(sources)-1].Version
	switch {
	case have < want:
		return fmt.Errorf("the database schema is at version %d and this zhidu needs version %d: run \"zhidu migrate\" first", have, want)
	case have > want:
		return fmt.Errorf("the database schema is at version %d, newer than this zhidu knows (%d): run the zhidu version that migrated it, or a newer one", have, want)
	}
	return nil
}

// Ping checks the database answers within the context's deadline.
func (s *Store) Ping(ctx context.Context) error { return s.Pool.Ping(ctx) }

// mapErr turns pgx errors into domain errors in one place: no rows is
// not found, a unique violation a conflict, a connection failure
// unavailable.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound(what))
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &zhidu.Error{Code: zhidu.CodeConflict, Message: what + " already exists"}
		case "57P01", "57P02", "57P03":
			return fmt.Errorf("%s: %w", what, zhidu.Errorf(zhidu.CodeUnavailable, "database unavailable"))
		}
		if strings.HasPrefix(pgErr.Code, "22") { // data exception: no retry can fix the value
			return fmt.Errorf("%s: %v: %w", what, err, zhidu.Errorf(zhidu.CodeInvalid, "the database refused a value of %s", what))
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isConnectErr(err) || connectionLost(err) {
		return fmt.Errorf("%s: %v: %w", what, err, zhidu.Errorf(zhidu.CodeUnavailable, "database unavailable"))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// connectionLost reports whether the connection went away in the middle
// of a request (the server restarted, the network broke): what the request
// did is unknown, and a retry is the client's way on.
func connectionLost(err error) bool {
	var netErr net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &netErr)
}

func isConnectErr(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// listOf runs a query whose rows map, column by column, onto T's fields,
// and returns them — an empty slice, never nil, when there are none; what
// names them in errors.
func listOf[T any](ctx context.Context, s *Store, what, sql string, args ...any) ([]T, error) {
	rows, err := s.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, mapErr(err, what)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[T])
	if out == nil {
		out = []T{}
	}
	return out, mapErr(err, what)
}
