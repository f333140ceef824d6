package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Process is a process as its page shows it.
type Process struct {
	ID         string             `json:"id"`
	Kind       string             `json:"kind"`
	Title      string             `json:"title"`
	State      zhidu.ProcessState `json:"state"`
	Level      zhidu.Level        `json:"level"`
	Department string             `json:"department"`
	StartedBy  string             `json:"started_by"`
	StartedAt  time.Time          `json:"started_at"`
	EndedAt    *time.Time         `json:"ended_at"`
	Result     string             `json:"result"`
	Input      map[string]any     `json:"input"`
	// Barred are kept out of the process (ProcessInfo.Barred); not shown.
	Barred []string `json:"-"`
	// Readers confine who reads the process by department
	// (ProcessInfo.Readers); absent when it is not confined.
	Readers []zhidu.Department `json:"readers,omitempty"`
	// Members are the process's named readers (ProcessInfo.Members);
	// absent when it has none.
	Members []string `json:"members,omitempty"`
	// Tasks and Timeline are loaded for a single process; lists leave them null.
	Tasks    []Task          `json:"tasks"`
	Timeline []TimelineEntry `json:"timeline"`
	// CopyOf, for a top-secret copy, is its source; Copies are the copies
	// made of the process or its tasks (single process only).
	CopyOf *CopyLink  `json:"copy_of,omitempty"`
	Copies []CopyLink `json:"copies,omitempty"`
}

// TimelineEntry is one event in a process's history: who did what when.
type TimelineEntry struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	Actor      string         `json:"actor"`
	OnBehalfOf string         `json:"on_behalf_of,omitempty"`
	Action     string         `json:"action"`
	TaskID     string         `json:"task_id,omitempty"`
	Step       string         `json:"step,omitempty"`
	Outcome    string         `json:"outcome,omitempty"`
	Detail     map[string]any `json:"detail,omitempty"`
}

// sqlInsertProcess records a start. Completing the bare row the
// workflow's first step wrote (sqlEnsureProcess, from the same
// ProcessInfo) keeps its readers and members, which the process may have
// changed since (ShareProcess, SetProcessMembers).
const sqlInsertProcess = `
INSERT INTO processes (id, run_id, kind, title, level, department, started_by, started_at, input, barred, readers, members)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (id) DO UPDATE SET run_id = EXCLUDED.run_id, input = EXCLUDED.input, barred = EXCLUDED.barred,
    readers = COALESCE(processes.readers, EXCLUDED.readers)
    WHERE processes.input = '{}'::jsonb
RETURNING true`

// PutProcess records a started process and, when this call recorded the
// start, its audit entry (one statement). It reports whether it did: a new
// row, or the bare row the workflow's first activity wrote, now completed
// with the input; false when it found the start recorded already.
func (s *Store) PutProcess(ctx context.Context, p Process, runID string, audit AuditEntry) (bool, error) {
	input, err := json.Marshal(p.Input)
	if err != nil {
		return false, err
	}
	n, err := s.write(ctx, guarded{change: sqlInsertProcess,
		args:  []any{p.ID, runID, p.Kind, p.Title, p.Level, p.Department, p.StartedBy, p.StartedAt, input, nonNil(p.Barred), departments(p.Readers), nonNil(p.Members)},
		audit: &audit})
	return n > 0, mapErr(err, "process "+p.ID)
}

const sqlProcessColumns = `p.id, p.kind, p.title, p.state, p.level, p.department, p.started_by, p.started_at, p.ended_at, p.result, p.input`

func scanProcess(row pgx.Row, extra ...any) (Process, error) {
	var p Process
	var input []byte
	dest := []any{&p.ID, &p.Kind, &p.Title, &p.State, &p.Level, &p.Department, &p.StartedBy, &p.StartedAt, &p.EndedAt, &p.Result, &input}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return Process{}, err
	}
	return p, json.Unmarshal(input, &p.Input)
}

// ProcessFilter selects processes. Zero fields match everything.
type ProcessFilter struct {
	Kind          string
	States        []zhidu.ProcessState
	Department    string
	StartedBy     string
	StartedAfter  *time.Time
	StartedBefore *time.Time
	Q             string
	Sort          string
	Cursor        string
	Limit         int
}

var processSorts = map[string]sortKey{
	"started_at": {expr: "p.started_at", cast: "timestamptz"},
}

// Processes lists the processes the viewer may read.
func (s *Store) Processes(ctx context.Context, v Viewer, f ProcessFilter) (Page[Process], error) {
	k, desc, err := parseSort(f.Sort, "-started_at", processSorts)
	if err != nil {
		return Page[Process]{}, err
	}
	build := func(selectList string) *query {
		q := newQuery("SELECT " + selectList + " FROM processes p WHERE true")
		q.sql.WriteString(" AND " + q.readableProcess(v, "p"))
		q.whereIf(f.Kind != "", "p.kind = ?", f.Kind)
		if len(f.States) > 0 {
			ss := make([]string, len(f.States))
			for i, st := range f.States {
				ss[i] = string(st)
			}
			q.where("p.state = ANY(?)", ss)
		}
		q.whereIf(f.Department != "", "p.department = ?", f.Department)
		q.whereIf(f.StartedBy != "", "p.started_by = ?", f.StartedBy)
		q.whereIf(f.StartedAfter != nil, "p.started_at >= ?", f.StartedAfter)
		q.whereIf(f.StartedBefore != nil, "p.started_at < ?", f.StartedBefore)
		if f.Q != "" {
			q.sql.WriteString(" AND " + q.arg("%"+escapeLike(f.Q)+"%", "(p.title ILIKE ? OR p.id ILIKE ?)"))
		}
		return q
	}
	q := build(sqlProcessColumns + ", (" + k.expr + ")::text")
	if err := q.keyset(k, desc, "p.id", f.Cursor); err != nil {
		return Page[Process]{}, err
	}
	limit := clampLimit(f.Limit)
	q.add(" LIMIT ?", limit+1)
	return fetchPage(ctx, s, "processes", build("count(*)"), q, false, limit, scanProcess,
		func(p Process) string { return p.ID })
}

// Process reads a process, the tasks of it the viewer may read, its
// timeline and its access facts in one round trip. The process is read
// whoever asks: the caller decides with the facts before showing it.
func (s *Store) Process(ctx context.Context, v Viewer, id string, now time.Time) (Process, zhidu.ObjectFacts, error) {
	ref := zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: id}
	var p Process
	var running bool
	var tail factsTail
	tq := newQuery("SELECT " + sqlTaskColumns + " FROM tasks t WHERE true")
	tq.where("t.process_id = ?", id)
	tq.sql.WriteString(" AND " + tq.readableTask(v, "t") + " ORDER BY t.created_at, t.id")
	b := &pgx.Batch{}
	b.Queue(sqlProcessDetail, id, ref.String()).QueryRow(func(row pgx.Row) (err error) {
		p, err = scanProcess(row, append([]any{&running}, tail.dest()...)...)
		return err
	})
	b.Queue(tq.sql.String(), tq.args...).Query(func(rows pgx.Rows) (err error) {
		p.Tasks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Task, error) { return scanTask(r, now) })
		return err
	})
	b.Queue(sqlTimeline, id).Query(func(rows pgx.Rows) (err error) {
		p.Timeline, err = collectTimeline(rows)
		return err
	})
	b.Queue(sqlLineage, id).Query(func(rows pgx.Rows) error { return p.scanLineage(rows) })
	if err := s.send(ctx, b); err != nil {
		return Process{}, zhidu.ObjectFacts{Ref: ref}, mapErr(err, ref.String())
	}
	if p.Tasks == nil {
		p.Tasks = []Task{}
	}
	f := processFacts(p, running, tail)
	p.Readers, p.Members = f.Readers, f.Members
	return p, f, nil
}

// ProcessInternal returns a process without visibility checks, for the
// code paths that have already authorised the caller.
func (s *Store) ProcessInternal(ctx context.Context, id string) (Process, error) {
	p, err := scanProcess(s.Pool.QueryRow(ctx, "SELECT "+sqlProcessColumns+" FROM processes p WHERE p.id = $1", id))
	return p, mapErr(err, "process "+id)
}

const sqlTimeline = `SELECT id, at, actor, on_behalf_of, action, task_id, step, outcome, detail
FROM timeline WHERE process_id = $1 ORDER BY at, id`

func collectTimeline(rows pgx.Rows) ([]TimelineEntry, error) {
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TimelineEntry, error) {
		var e TimelineEntry
		var detail []byte
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.OnBehalfOf, &e.Action, &e.TaskID, &e.Step, &e.Outcome, &detail)
		if err == nil {
			err = json.Unmarshal(detail, &e.Detail)
		}
		return e, err
	})
	if out == nil {
		out = []TimelineEntry{}
	}
	return out, err
}

// RunningWith returns the running processes of a kind whose stored input
// has field equal to value (a probation's employee), oldest first.
func (s *Store) RunningWith(ctx context.Context, kind, field, value string) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id FROM processes WHERE kind = $1 AND state = 'running' AND input->>$2 = $3
        ORDER BY started_at, id`, kind, field, value)
	if err != nil {
		return nil, mapErr(err, "processes")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, mapErr(err, "processes")
}

// Holders returns the active users holding a role in a department, by
// username.
func (s *Store) Holders(ctx context.Context, role zhidu.Role, dept zhidu.Department) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT r.username FROM user_roles r JOIN users u USING (username)
        WHERE r.role = $1 AND r.department = $2 AND NOT u.disabled ORDER BY r.username`, string(role), string(dept))
	if err != nil {
		return nil, mapErr(err, "users")
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return names, mapErr(err, "users")
}
