package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one line of the append-only audit trail.
type AuditEntry struct {
	ID       int64          `json:"id"`
	At       time.Time      `json:"at"`
	Actor    string         `json:"actor"`
	Action   string         `json:"action"`
	Object   string         `json:"object"`
	Decision string         `json:"decision"` // allowed or denied
	Address  string         `json:"address,omitempty"`
	Detail   map[string]any `json:"detail,omitempty"`
}

const sqlInsertAudit = `
INSERT INTO audit (at, actor, action, object, decision, address, detail)
VALUES (COALESCE($1, now()), $2, $3, $4, $5, $6, $7)`

func appendAudit(ctx context.Context, tx pgx.Tx, e AuditEntry) error {
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return err
	}
	var at *time.Time
	if !e.At.IsZero() {
		at = &e.At
	}
	_, err = tx.Exec(ctx, sqlInsertAudit, at, e.Actor, e.Action, e.Object, e.Decision, e.Address, detail)
	return err
}

// Audit appends an entry to the audit trail.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return mapErr(pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error { return appendAudit(ctx, tx, e) }), "audit entry")
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Actor, Object, Action, Decision string
	Since, Until                    time.Time
	AfterID                         int64
	Limit                           int
}

// AuditEntries lists audit entries in order of their IDs.
func (s *Store) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	q := newQuery(`SELECT id, at, actor, action, object, decision, address, detail FROM audit WHERE true`)
	q.whereIf(f.Actor != "", "actor = ?", f.Actor)
	q.whereIf(f.Object != "", "object = ?", f.Object)
	q.whereIf(f.Action != "", "action = ?", f.Action)
	q.whereIf(f.Decision != "", "decision = ?", f.Decision)
	q.whereIf(!f.Since.IsZero(), "at >= ?", f.Since)
	q.whereIf(!f.Until.IsZero(), "at < ?", f.Until)
	q.whereIf(f.AfterID > 0, "id > ?", f.AfterID)
	q.add(" ORDER BY id LIMIT ?", clampLimit(f.Limit))
	rows, err := s.Pool.Query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return nil, mapErr(err, "audit")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		var detail []byte
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Object, &e.Decision, &e.Address, &detail)
		if err == nil && len(detail) > 0 {
			err = json.Unmarshal(detail, &e.Detail)
		}
		return e, err
	})
	return out, mapErr(err, "audit")
}
