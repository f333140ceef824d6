package store

import "time"

// TasksQuery exposes the inbox page query to the benchmarks, for EXPLAIN.
func TasksQuery(v Viewer, f TaskFilter, now time.Time) (string, []any, error) {
	_, q, _, err := tasksQueries(v, f, now)
	if err != nil {
		return "", nil, err
	}
	return q.sql.String(), q.args, nil
}
