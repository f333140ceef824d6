package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
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
