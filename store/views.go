package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// SavedView is a user's named set of inbox filters (the query parameters
// of GET /api/v1/tasks), optionally shared with one department. It grants
// nothing: Count is what it shows the reader under their own read rule.
type SavedView struct {
	ID         string            `json:"id"`
	Owner      string            `json:"owner"`
	Name       string            `json:"name"`
	Filters    map[string]string `json:"filters"`
	SharedWith *string           `json:"shared_with"`
	CreatedAt  time.Time         `json:"created_at"`
	Count      int               `json:"count"`
}

// ViewObject is a saved view as the audit trail names it.
func ViewObject(id string) string { return "view:" + id }

// MaxViews is how many saved views one user may keep: each costs one count
// on every inbox page.
const MaxViews = 50

// CreateView stores a new view of its owner's and audits it (view.create);
// a name the owner already uses is a conflict, and so is a view beyond
// MaxViews.
func (s *Store) CreateView(ctx context.Context, v SavedView, address string) (SavedView, error) {
	v.ID = newID("vw-")
	if v.Filters == nil {
		v.Filters = map[string]string{}
	}
	filters, err := json.Marshal(v.Filters)
	if err != nil {
		return SavedView{}, err
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// One owner's creations in turn, so the limit holds under races.
		var n int
		if err := tx.QueryRow(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('saved_views:' || $1, 0)),
            (SELECT count(*) FROM saved_views WHERE owner = $1)`, v.Owner).Scan(nil, &n); err != nil {
			return err
		}
		if n >= MaxViews {
			return zhidu.Fail(zhidu.CodeConflict, zhidu.ViewsTooMany(MaxViews))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO saved_views (id, owner, name, filters, shared_with, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)`, v.ID, v.Owner, v.Name, filters, v.SharedWith, v.CreatedAt); err != nil {
			return err
		}
		detail := map[string]any{"name": v.Name, "filters": v.Filters}
		if v.SharedWith != nil {
			detail["shared_with"] = *v.SharedWith
		}
		return appendAudit(ctx, tx, AuditEntry{At: v.CreatedAt, Actor: v.Owner, Action: "view.create", Object: ViewObject(v.ID),
			Decision: "allowed", Address: address, Detail: detail})
	})
	if err != nil {
		return SavedView{}, mapErr(err, "view "+v.Name)
	}
	return v, nil
}

// Views lists the views owned by username and those shared with one of
// departments: the owner's first, then by name.
func (s *Store) Views(ctx context.Context, username string, departments []string) ([]SavedView, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, owner, name, filters, shared_with, created_at FROM saved_views
        WHERE owner = $1 OR shared_with = ANY($2) ORDER BY owner <> $1, name, id`, username, departments)
	if err != nil {
		return nil, mapErr(err, "views")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SavedView, error) {
		var v SavedView
		var filters []byte
		if err := row.Scan(&v.ID, &v.Owner, &v.Name, &filters, &v.SharedWith, &v.CreatedAt); err != nil {
			return v, err
		}
		return v, json.Unmarshal(filters, &v.Filters)
	})
	if err != nil {
		return nil, mapErr(err, "views")
	}
	if out == nil {
		out = []SavedView{}
	}
	return out, nil
}

// DeleteView deletes a view of owner's and audits it (view.delete); a view
// that is missing or someone else's is not found, alike.
func (s *Store) DeleteView(ctx context.Context, id, owner, address string, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var name string
		err := tx.QueryRow(ctx, `DELETE FROM saved_views WHERE id = $1 AND owner = $2 RETURNING name`, id, owner).Scan(&name)
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: at, Actor: owner, Action: "view.delete", Object: ViewObject(id),
			Decision: "allowed", Address: address, Detail: map[string]any{"name": name}})
	})
	if err != nil {
		return mapErr(err, "view "+id)
	}
	return nil
}

// TaskCounts counts, for each filter, the tasks Tasks would list for the
// viewer (the same count query, with the same read rule), in one round trip.
func (s *Store) TaskCounts(ctx context.Context, v Viewer, fs []TaskFilter, now time.Time) ([]int, error) {
	out := make([]int, len(fs))
	if len(fs) == 0 {
		return out, nil
	}
	b := &pgx.Batch{}
	for i, f := range fs {
		f.Cursor = ""
		count, _, _, _, err := tasksCountAndPage(v, f, now)
		if err != nil {
			return nil, err
		}
		b.Queue(count.sql.String(), count.args...).QueryRow(func(row pgx.Row) error { return row.Scan(&out[i]) })
	}
	if err := s.send(ctx, b); err != nil {
		return nil, mapErr(err, "task counts")
	}
	return out, nil
}
