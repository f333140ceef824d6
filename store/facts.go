package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Access decisions need, besides the object's own columns, who takes
// part in its process (participants, candidate roles), who is designated
// for it, whom the process bars, the departments that confine its readers
// and its named readers: sqlFactsTail reads those as arrays, with $1 the
// process's ID and $2 the object's reference ("task:ID" or "process:ID").
// Each detail reader below gets the object, what its page shows and its
// facts in one statement: an inbox action once cost 11 statements.
const sqlFactsTail = `,
    COALESCE((SELECT array_agg(username ORDER BY username) FROM participants WHERE process_id = p.id), '{}'),
    COALESCE((SELECT array_agg(role || '@' || department ORDER BY role, department) FROM process_roles WHERE process_id = p.id), '{}'),
    COALESCE((SELECT array_agg(username ORDER BY username) FROM designations
              WHERE revoked_at IS NULL AND object IN ('process:' || p.id, $2)), '{}'),
    p.barred, p.readers, p.members,
    COALESCE((SELECT json_agg(json_build_object('id', g.id, 'grantee', g.grantee, 'target', g.target,
        'granted_at', g.granted_at, 'expires_at', g.expires_at, 'approved_by', g.approved_by) ORDER BY g.granted_at, g.id)
        FROM access_grants g WHERE g.revoked_at IS NULL AND g.target = 'process:' || p.id), '[]')`

// factsTail receives sqlFactsTail's arrays.
type factsTail struct {
	named, grants, designated, barred, readers, members []string
	access                                              []byte // the read grants, as JSON
}

func (t *factsTail) dest() []any {
	return []any{&t.named, &t.grants, &t.designated, &t.barred, &t.readers, &t.members, &t.access}
}

// facts completes what an object's row says with the tail.
func (t factsTail) facts(f zhidu.ObjectFacts) zhidu.ObjectFacts {
	f.Named, f.CandidateRoles, f.Designated, f.Barred, f.Members = t.named, parseGrants(t.grants), t.designated, t.barred, t.members
	for _, d := range t.readers {
		f.Readers = append(f.Readers, zhidu.Department(d))
	}
	if len(t.access) > 0 {
		_ = json.Unmarshal(t.access, &f.Grants) // json_agg of the columns Grant names: it decodes
		if len(f.Grants) == 0 {
			f.Grants = nil
		}
	}
	return f
}

// ObjectFacts returns what access decisions need to know about an object,
// whoever asks: callers decide visibility with authz before showing any of
// it.
func (s *Store) ObjectFacts(ctx context.Context, ref zhidu.ObjectRef) (zhidu.ObjectFacts, error) {
	switch ref.Type {
	case zhidu.ObjectTask:
		d, err := s.TaskDetail(ctx, ref.ID, time.Now())
		return d.Facts, err
	case zhidu.ObjectCustomer:
		return s.CustomerFacts(ctx, ref.ID)
	}
	_, f, err := s.process(ctx, ref.ID)
	return f, err
}

// sqlProcessDetail reads a process with its facts ($1 its ID, $2 "process:ID").
const sqlProcessDetail = `SELECT ` + sqlProcessColumns + `, p.state = 'running'` + sqlFactsTail + `
FROM processes p WHERE p.id = $1`

// process reads a process row and its access facts in one statement.
func (s *Store) process(ctx context.Context, id string) (Process, zhidu.ObjectFacts, error) {
	ref := zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: id}
	var running bool
	var tail factsTail
	p, err := scanProcess(s.Pool.QueryRow(ctx, sqlProcessDetail, id, ref.String()), append([]any{&running}, tail.dest()...)...)
	if err != nil {
		return Process{}, zhidu.ObjectFacts{Ref: ref}, mapErr(err, ref.String())
	}
	f := processFacts(p, running, tail)
	p.Readers, p.Members = f.Readers, f.Members
	return p, f, nil
}

func processFacts(p Process, running bool, tail factsTail) zhidu.ObjectFacts {
	return tail.facts(zhidu.ObjectFacts{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: p.ID}, ProcessID: p.ID, Kind: p.Kind,
		Department: zhidu.Department(p.Department), Level: p.Level, StartedBy: p.StartedBy, Running: running})
}

// TaskDetail is a task, its comments and its access facts.
type TaskDetail struct {
	Task     Task
	Comments []Comment
	Facts    zhidu.ObjectFacts
}

// sqlTaskDetail reads a task with its comments and facts ($1 its ID,
// $2 "task:ID"). A task has its own department and level, never below its
// process's.
const sqlTaskDetail = `SELECT ` + sqlTaskColumns + `, p.started_by, p.state = 'running',
    COALESCE((SELECT json_agg(json_build_object('id', m.id, 'task_id', m.task_id, 'author', m.author, 'body', m.body,
        'created_at', m.created_at, 'compliance', m.as_compliance) ORDER BY m.id) FROM task_comments m WHERE m.task_id = t.id), '[]')` + sqlFactsTail + `
FROM tasks t JOIN processes p ON p.id = t.process_id WHERE t.id = $1`

// TaskDetail reads a task, its comments and its access facts in one
// statement, whoever asks: callers decide with the facts before showing
// any of it.
func (s *Store) TaskDetail(ctx context.Context, id string, now time.Time) (TaskDetail, error) {
	ref := zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: id}
	var startedBy string
	var running bool
	var comments []byte
	var tail factsTail
	t, err := scanTask(s.Pool.QueryRow(ctx, sqlTaskDetail, id, ref.String()), now, append([]any{&startedBy, &running, &comments}, tail.dest()...)...)
	if err == nil {
		var d TaskDetail
		if err = json.Unmarshal(comments, &d.Comments); err == nil {
			d.Task = t
			d.Facts = tail.facts(zhidu.ObjectFacts{Ref: ref, ProcessID: t.ProcessID, Kind: t.Kind, Department: zhidu.Department(t.Department),
				Level: t.Level, StartedBy: startedBy, Running: running})
			d.Facts = taskFacts(d.Facts, t)
			return d, nil
		}
	}
	return TaskDetail{Facts: zhidu.ObjectFacts{Ref: ref}}, mapErr(err, ref.String())
}

// taskFacts sets the facts that follow from the task row itself.
func taskFacts(f zhidu.ObjectFacts, t Task) zhidu.ObjectFacts {
	f.TaskState, f.Assignee, f.Delegate, f.Candidates, f.Excluded = t.State, "", "", t.Candidates, t.Excluded
	if t.Assignee != nil {
		f.Assignee = *t.Assignee
	}
	if t.Delegate != nil {
		f.Delegate = *t.Delegate
	}
	return f
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

	// Level is the object's current level. Withheld is set when the
	// reader may not read the object: Reason is then empty. Listings only.
	Level    *zhidu.Level `json:"level,omitempty"`
	Withheld bool         `json:"withheld"`
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

// Designations lists designations, active ones only unless all is set, as
// the viewer may see them: the reason of a designation for an object the
// viewer may not read is withheld (see AuditEntries).
func (s *Store) Designations(ctx context.Context, v Viewer, object string, all bool) ([]Designation, error) {
	q := newQuery(`SELECT id, username, object, granted_by, granted_at, reason, revoked_by, revoked_at FROM designations WHERE true`)
	q.whereIf(object != "", "object = ?", object)
	if !all {
		q.where("revoked_at IS NULL")
	}
	sql := q.disclosing(v, "ds", `ds.id, ds.username, ds.object, ds.granted_by, ds.granted_at,
        CASE WHEN w.shown THEN ds.reason ELSE '' END, ds.revoked_by, ds.revoked_at`, q.sql.String())
	rows, err := s.Pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, mapErr(err, "designations")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Designation, error) {
		var d Designation
		var department string
		var shown bool
		err := row.Scan(&d.ID, &d.Username, &d.Object, &d.GrantedBy, &d.GrantedAt, &d.Reason, &d.RevokedBy, &d.RevokedAt,
			&d.Level, &department, &shown)
		d.Withheld = !shown
		return d, err
	})
	if out == nil {
		out = []Designation{}
	}
	return out, mapErr(err, "designations")
}
