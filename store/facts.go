package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// sqlProcessFacts and sqlTaskFacts read everything an access decision
// needs in one statement each: an inbox action checks a task's facts
// twice (before acting and for the permissions it answers with), and four
// statements a check cost an approval 28 of its ~110 statements.
const (
	sqlFactsTail = `,
    COALESCE((SELECT array_agg(username ORDER BY username) FROM participants WHERE process_id = p.id), '{}'),
    COALESCE((SELECT array_agg(role || '@' || department ORDER BY role, department) FROM process_roles WHERE process_id = p.id), '{}'),
    COALESCE((SELECT array_agg(username ORDER BY username) FROM designations
              WHERE revoked_at IS NULL AND object IN ('process:' || p.id, $2)), '{}')`
	sqlProcessFacts = `
SELECT p.id, p.kind, p.department, p.level, p.started_by, p.state = 'running'` + sqlFactsTail + `
FROM processes p WHERE p.id = $1`
	// A task has its own department and level, never below its process's.
	sqlTaskFacts = `
SELECT t.state, t.assignee, t.delegate, t.excluded,
    COALESCE((SELECT json_agg(json_build_object('user', c.username, 'role', c.role, 'department', c.department))
              FROM task_candidates c WHERE c.task_id = t.id), '[]'),
    p.id, p.kind, t.department, t.level, p.started_by, p.state = 'running'` + sqlFactsTail + `
FROM tasks t JOIN processes p ON p.id = t.process_id WHERE t.id = $1`
)

// ObjectFacts returns what access decisions need to know about an object,
// whoever asks: callers decide visibility with authz before showing any of
// it.
func (s *Store) ObjectFacts(ctx context.Context, ref zhidu.ObjectRef) (zhidu.ObjectFacts, error) {
	f := zhidu.ObjectFacts{Ref: ref}
	var grants []string
	facts := []any{&f.ProcessID, &f.Kind, &f.Department, &f.Level, &f.StartedBy, &f.Running, &f.Named, &grants, &f.Designated}
	var err error
	if ref.Type == zhidu.ObjectTask {
		var candidates []byte
		var assignee, delegate *string
		err = s.Pool.QueryRow(ctx, sqlTaskFacts, ref.ID, ref.String()).
			Scan(append([]any{&f.TaskState, &assignee, &delegate, &f.Excluded, &candidates}, facts...)...)
		if err == nil {
			if assignee != nil {
				f.Assignee = *assignee
			}
			if delegate != nil {
				f.Delegate = *delegate
			}
			err = json.Unmarshal(candidates, &f.Candidates)
		}
	} else {
		err = s.Pool.QueryRow(ctx, sqlProcessFacts, ref.ID, ref.String()).Scan(facts...)
	}
	if err != nil {
		return f, mapErr(err, ref.String())
	}
	f.CandidateRoles = parseGrants(grants)
	return f, nil
}

// Designation admits one user to one top-secret object.
type Designation struct {
	ID        int64      `json:"id"`
	Username  string     `json:"user"`
	Object    string     `json:"object"`
	GrantedBy string     `json:"granted_by"`
	GrantedAt time.Time  `json:"granted_at"`
	Reason    string     `json:"reason"`
	RevokedBy *string    `json:"revoked_by"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Designate records a designation and its audit entry; designating the
// same user for the same object twice is a conflict.
func (s *Store) Designate(ctx context.Context, d Designation, address string) (Designation, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO designations (username, object, granted_by, granted_at, reason)
            VALUES ($1, $2, $3, $4, $5) RETURNING id`, d.Username, d.Object, d.GrantedBy, d.GrantedAt, d.Reason).Scan(&d.ID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: d.GrantedAt, Actor: d.GrantedBy, Action: "designation.grant", Object: d.Object,
			Decision: "allowed", Address: address, Detail: map[string]any{"user": d.Username, "reason": d.Reason, "designation": d.ID}})
	})
	if err != nil {
		err = mapErr(err, "designation of "+d.Username+" for "+d.Object)
	}
	return d, err
}

// Revoke ends a user's active designation for an object.
func (s *Store) Revoke(ctx context.Context, username, object, by, address string, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE designations SET revoked_by = $3, revoked_at = $4
            WHERE username = $1 AND object = $2 AND revoked_at IS NULL RETURNING id`, username, object, by, at).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return zhidu.Errorf(zhidu.CodeNotFound, "no active designation of %s for %s", username, object)
		}
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: at, Actor: by, Action: "designation.revoke", Object: object,
			Decision: "allowed", Address: address, Detail: map[string]any{"user": username, "designation": id}})
	})
	return mapErr(err, "designation")
}

// Designations lists designations, active ones only unless all is set.
func (s *Store) Designations(ctx context.Context, object string, all bool) ([]Designation, error) {
	q := newQuery(`SELECT id, username, object, granted_by, granted_at, reason, revoked_by, revoked_at FROM designations WHERE true`)
	q.whereIf(object != "", "object = ?", object)
	if !all {
		q.where("revoked_at IS NULL")
	}
	q.add(" ORDER BY id")
	rows, err := s.Pool.Query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return nil, mapErr(err, "designations")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Designation])
	if out == nil {
		out = []Designation{}
	}
	return out, mapErr(err, "designations")
}
