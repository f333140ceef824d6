package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TasksQuery exposes the inbox page query to the benchmarks, for EXPLAIN.
func TasksQuery(v Viewer, f TaskFilter, now time.Time) (string, []any, error) {
	_, q, _, _, err := tasksQueries(v, f, now)
	if err != nil {
		return "", nil, err
	}
	return q.sql.String(), q.args, nil
}

// Send exposes send to the tests of its all-or-nothing promise.
func (s *Store) Send(ctx context.Context, b *pgx.Batch) error { return s.send(ctx, b) }

// MigrateUpTo applies the embedded migrations up to version only, so a
// test can fill a database as an older zhidu left it.
func MigrateUpTo(ctx context.Context, pool *pgxpool.Pool, version int64) error {
	provider, closeDB, err := migrator(pool)
	if err != nil {
		return err
	}
	defer closeDB()
	_, err = provider.UpTo(ctx, version)
	return err
}
