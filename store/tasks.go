package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Task is a human task as the inbox shows it.
type Task struct {
	ID          string            `json:"id"`
	ProcessID   string            `json:"process_id"`
	Kind        string            `json:"kind"`
	Step        string            `json:"step"`
	Title       zhidu.Text        `json:"title"`
	Department  string            `json:"department"`
	State       zhidu.TaskState   `json:"state"`
	Assignee    *string           `json:"assignee"`
	Delegate    *string           `json:"delegate"`
	Candidates  []zhidu.Candidate `json:"candidates"`
	Level       zhidu.Level       `json:"level"`
	Priority    int               `json:"priority"`
	DueAt       *time.Time        `json:"due_at"`
	Overdue     bool              `json:"overdue"`
	Escalation  int               `json:"escalation"`
	CreatedAt   time.Time         `json:"created_at"`
	ClaimedAt   *time.Time        `json:"claimed_at"`
	CompletedAt *time.Time        `json:"completed_at"`
	Outcome     *string           `json:"outcome"`
	Data        map[string]any    `json:"data,omitempty"`
	Comment     *string           `json:"comment"`
	CompletedBy *string           `json:"completed_by"`
	OnBehalfOf  *string           `json:"on_behalf_of"`
	Form        zhidu.Form        `json:"form"`
	Context     map[string]any    `json:"context,omitempty"`
	Excluded    []string          `json:"-"`
}

// Page is one page of a list with the exact total of matching rows.
type Page[T any] struct {
	Items      []T    `json:"items"`
	Total      int    `json:"total"`
	NextCursor string `json:"next_cursor,omitempty"`
}

const sqlTaskColumns = `t.id, t.process_id, t.kind, t.step, t.title_zh, t.title_en, t.department, t.state,
    t.assignee, t.delegate,
    COALESCE((SELECT json_agg(json_build_object('user', c.username, 'role', c.role, 'department', c.department)
              ORDER BY c.username, c.role, c.department) FROM task_candidates c WHERE c.task_id = t.id), '[]'),
    t.level, t.priority, t.due_at, t.escalation, t.created_at, t.claimed_at, t.completed_at,
    t.outcome, t.data, t.comment, t.completed_by, t.on_behalf_of, t.form, t.excluded, t.context`

func scanTask(row pgx.Row, now time.Time, extra ...any) (Task, error) {
	var t Task
	var candidates, data, form, taskContext []byte
	dest := []any{&t.ID, &t.ProcessID, &t.Kind, &t.Step, &t.Title.Zh, &t.Title.En, &t.Department, &t.State,
		&t.Assignee, &t.Delegate, &candidates, &t.Level, &t.Priority, &t.DueAt, &t.Escalation, &t.CreatedAt,
		&t.ClaimedAt, &t.CompletedAt, &t.Outcome, &data, &t.Comment, &t.CompletedBy, &t.OnBehalfOf, &form, &t.Excluded, &taskContext}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return Task{}, err
	}
	if err := json.Unmarshal(candidates, &t.Candidates); err != nil {
		return Task{}, err
	}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &t.Data); err != nil {
			return Task{}, err
		}
	}
	if err := json.Unmarshal(form, &t.Form); err != nil {
		return Task{}, err
	}
	if len(taskContext) > 0 {
		if err := json.Unmarshal(taskContext, &t.Context); err != nil {
			return Task{}, err
		}
	}
	t.Overdue = t.DueAt != nil && t.DueAt.Before(now) && (t.State == zhidu.TaskOpen || t.State == zhidu.TaskClaimed)
	return t, nil
}

// Inbox scopes.
const (
	ScopeMine      = "mine"      // assigned or delegated to me
	ScopeClaimable = "claimable" // open, and I am a candidate
	ScopeCompleted = "completed" // completed by me or on my behalf
)

// TaskFilter selects inbox rows. Zero fields match everything.
type TaskFilter struct {
	Scope      string
	States     []zhidu.TaskState
	Kind       string
	Department string
	Overdue    *bool
	DueBefore  *time.Time
	DueAfter   *time.Time
	Priority   int
	Process    string // one process's tasks (its ID)
	Q          string
	Sort       string
	Cursor     string
	Limit      int
}

var taskSorts = map[string]sortKey{
	"created_at": {expr: "t.created_at", cast: "timestamptz"},
	"due_at":     {expr: "COALESCE(t.due_at, 'infinity')", cast: "timestamptz"},
	"priority":   {expr: "t.priority", cast: "smallint"},
}

// entrySorts are the same sort keys over the grouped inbox rows.
var entrySorts = map[string]sortKey{
	"created_at": {expr: "e.created_at", cast: "timestamptz"},
	"due_at":     {expr: "COALESCE(e.due_at, 'infinity')", cast: "timestamptz"},
	"priority":   {expr: "e.priority", cast: "smallint"},
}

// arg renders a fragment whose every "?" stands for the same value.
func (q *query) arg(v any, fragment string) string {
	q.args = append(q.args, v)
	return strings.ReplaceAll(fragment, "?", fmt.Sprintf("$%d", len(q.args)))
}

// Tasks lists the viewer's inbox: their tasks and those they may claim.
func (s *Store) Tasks(ctx context.Context, v Viewer, f TaskFilter, now time.Time) (Page[Task], error) {
	count, q, windowed, limit, err := tasksQueries(v, f, now)
	if err != nil {
		return Page[Task]{}, err
	}
	return fetchPage(ctx, s, "tasks", count, q, windowed, limit,
		func(row pgx.Row, extra ...any) (Task, error) { return scanTask(row, now, extra...) },
		func(t Task) string { return t.ID })
}

// tasksQueries builds the count and page queries of an inbox page. Active
// tasks (the usual inbox) are found through the inbox table, and their page
// is windowed (see fetchPage): one pass over the viewer's narrow inbox rows
// counts and pages them. Finished ones (scope completed, or a state filter
// naming them) come from the tasks table.
func tasksQueries(v Viewer, f TaskFilter, now time.Time) (count, page *query, windowed bool, limit int, err error) {
	count, page, windowed, limit, err = tasksCountAndPage(v, f, now)
	if windowed && f.Cursor == "" {
		count = nil // an empty first page has nothing to count
	}
	return count, page, windowed, limit, err
}

// tasksCountAndPage is tasksQueries with the count query always built.
func tasksCountAndPage(v Viewer, f TaskFilter, now time.Time) (count, page *query, windowed bool, limit int, err error) {
	states := f.States
	if len(states) == 0 && f.Scope != ScopeCompleted {
		states = []zhidu.TaskState{zhidu.TaskOpen, zhidu.TaskClaimed}
	}
	active := f.Scope != ScopeCompleted && len(states) > 0
	ss := make([]string, len(states))
	for i, st := range states {
		ss[i] = string(st)
		active = active && (st == zhidu.TaskOpen || st == zhidu.TaskClaimed)
	}
	var scope string
	switch f.Scope {
	case "":
		scope = "(e.mine OR (e.cand AND NOT e.excl))"
	case ScopeMine:
		scope = "e.mine"
	case ScopeClaimable:
		scope = "(e.cand AND NOT e.excl)"
	case ScopeCompleted:
	default:
		return nil, nil, false, 0, zhidu.Invalid(zhidu.BadScope(), map[string]zhidu.Message{"scope": zhidu.OneOf([]string{ScopeMine, ScopeClaimable, ScopeCompleted})})
	}
	sorts, idCol := entrySorts, "e.task_id"
	if !active {
		sorts, idCol = taskSorts, "t.id"
	}
	k, desc, err := parseSort(f.Sort, "-created_at", sorts)
	if err != nil {
		return nil, nil, false, 0, err
	}
	// filters adds the filters on columns that both the inbox rows and the
	// tasks (alias a) carry.
	filters := func(q *query, a string) {
		if len(ss) > 0 {
			q.where(a+".state = ANY(?)", ss)
		}
		q.whereIf(f.Kind != "", a+".kind = ?", f.Kind)
		q.whereIf(f.Department != "", a+".department = ?", f.Department)
		if f.Overdue != nil {
			cond := a + ".due_at < ? AND " + a + ".state IN ('open', 'claimed')"
			if !*f.Overdue {
				cond = "NOT (" + a + ".due_at IS NOT NULL AND " + a + ".due_at < ? AND " + a + ".state IN ('open', 'claimed'))"
			}
			q.where(cond, now)
		}
		q.whereIf(f.DueBefore != nil, a+".due_at < ?", f.DueBefore)
		q.whereIf(f.DueAfter != nil, a+".due_at >= ?", f.DueAfter)
		q.whereIf(f.Priority > 0, a+".priority = ?", f.Priority)
		q.whereIf(f.Process != "", a+".process_id = ?", f.Process)
	}
	search := func(q *query, id string) string {
		like := "%" + escapeLike(f.Q) + "%"
		cond := q.arg(like, "(t.title_zh ILIKE ? OR t.title_en ILIKE ? OR t.process_id ILIKE ?)")
		if id == "" {
			return cond
		}
		return "EXISTS (SELECT 1 FROM tasks t WHERE t.id = " + id + " AND " + cond + ")"
	}
	build := func(selectList string) *query {
		var q *query
		if active {
			q = newQuery("SELECT " + selectList + ` FROM (SELECT i.task_id, bool_or(i.entry = 'm') AS mine,
                bool_or(i.entry = 'c') AS cand, bool_or(i.entry = 'x') AS excl, min(i.created_at) AS created_at,
                min(i.due_at) AS due_at, min(i.priority) AS priority FROM inbox i WHERE true`)
			q.where("i.key = ANY(?)", v.inboxKeys())
			q.sql.WriteString(" AND " + q.inboxReadable(v, "i", "i.task_id"))
			filters(q, "i")
			q.sql.WriteString(" GROUP BY i.task_id) e WHERE " + scope)
			if f.Q != "" {
				q.sql.WriteString(" AND " + search(q, "e.task_id"))
			}
			return q
		}
		q = newQuery("SELECT " + selectList + " FROM tasks t WHERE true")
		u := q.param(v.Username)
		switch f.Scope {
		case ScopeCompleted:
			q.sql.WriteString(" AND t.state = 'completed' AND (t.completed_by = " + u + " OR t.on_behalf_of = " + u + ")")
		case ScopeClaimable:
			q.sql.WriteString(" AND false") // only open tasks are claimable, and those are active
		default:
			q.sql.WriteString(" AND (t.assignee = " + u + " OR t.delegate = " + u + ")")
		}
		q.sql.WriteString(" AND " + q.inboxReadable(v, "t", "t.id"))
		filters(q, "t")
		if f.Q != "" {
			q.sql.WriteString(" AND " + search(q, ""))
		}
		return q
	}
	count = build("count(*)")
	limit = clampLimit(f.Limit)
	if active {
		// Count and page the narrow inbox rows in one pass, then fetch
		// only that page's tasks.
		page = build("e.*")
		inner := page.sql.String()
		page.sql.Reset()
		page.sql.WriteString("SELECT * FROM (SELECT e.*, count(*) OVER () AS total FROM (" + inner + ") e) e WHERE true")
		if err := page.keyset(k, desc, idCol, f.Cursor); err != nil {
			return nil, nil, false, 0, err
		}
		page.add(" LIMIT ?", limit+1)
		dir := "ASC"
		if desc {
			dir = "DESC"
		}
		inner = page.sql.String()
		page.sql.Reset()
		page.sql.WriteString("SELECT " + sqlTaskColumns + ", e.total, (" + k.expr + ")::text FROM (" + inner +
			") e JOIN tasks t ON t.id = e.task_id ORDER BY " + k.expr + " " + dir + ", e.task_id " + dir)
		return count, page, true, limit, nil
	}
	page = build(sqlTaskColumns + ", (" + k.expr + ")::text")
	if err := page.keyset(k, desc, idCol, f.Cursor); err != nil {
		return nil, nil, false, 0, err
	}
	page.add(" LIMIT ?", limit+1)
	return count, page, false, limit, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

const sqlClaim = `UPDATE tasks SET state = 'claimed', assignee = $2, claimed_at = $3 WHERE id = $1 AND state = 'open' RETURNING id`

// Claim makes the viewer the assignee of the task read in d if it is still
// open, and returns d as the claim changed it. The caller has decided that
// they may work it (authz). Of simultaneous claims exactly one wins; the
// others get a conflict. One statement writes the claim, its timeline
// entry and its audit entry.
func (s *Store) Claim(ctx context.Context, v Viewer, d TaskDetail, now time.Time) (TaskDetail, error) {
	return s.ClaimFor(ctx, v, "", d, now)
}

// ClaimFor is Claim by a substitute for an absent user (forUser, when not
// empty; the caller has decided the window holds): the absent user becomes
// the assignee, and the timeline and the audit trail say the substitute
// claimed it for them.
func (s *Store) ClaimFor(ctx context.Context, v Viewer, forUser string, d TaskDetail, now time.Time) (TaskDetail, error) {
	t := d.Task
	assignee := v.Username
	var detail map[string]any
	if forUser != "" {
		assignee, detail = forUser, map[string]any{"for": forUser}
	}
	n, err := s.write(ctx, guarded{change: sqlClaim, args: []any{t.ID, assignee, now},
		timeline: &timelineEntry{processID: t.ProcessID, eventKey: fmt.Sprintf("%s:claimed:%d", t.ID, now.UnixNano()),
			actor: v.Username, onBehalfOf: forUser, action: "task_claimed", taskID: t.ID, step: t.Step},
		timelineAt: now,
		audit: &AuditEntry{At: now, Actor: v.Username, Action: "task.claim", Object: "task:" + t.ID, Decision: "allowed", Address: v.Address,
			Detail: detail},
	})
	if err != nil {
		return TaskDetail{}, mapErr(err, "task "+t.ID)
	}
	if n == 0 {
		return TaskDetail{}, zhidu.Fail(zhidu.CodeConflict, zhidu.ClaimNotOpen())
	}
	// The row is what was read, with what the UPDATE set (and the
	// participants trigger added): no need to read it again.
	claimed := now.Truncate(time.Microsecond) // as stored
	t.State, t.Assignee, t.ClaimedAt = zhidu.TaskClaimed, &assignee, &claimed
	d.Task, d.Facts = t, taskFacts(d.Facts, t)
	d.Facts.Named = withNames(d.Facts.Named, assignee)
	return d, nil
}

// Completed returns d as CompleteTask leaves it once it has recorded r (the
// row sqlCompleteTask writes, the participants its trigger adds), so that a
// completion answers without reading the task again.
func (d TaskDetail) Completed(r zhidu.CompletionRecord) TaskDetail {
	t := d.Task
	at := r.At.Truncate(time.Microsecond) // as stored
	t.State, t.Outcome, t.Data, t.Comment, t.CompletedBy, t.CompletedAt = zhidu.TaskCompleted, &r.Outcome, r.Data, &r.Comment, &r.Actor, &at
	t.OnBehalfOf, t.Overdue = nil, false
	if r.OnBehalfOf != "" {
		t.OnBehalfOf = &r.OnBehalfOf
	}
	d.Task, d.Facts = t, taskFacts(d.Facts, t)
	d.Facts.Named = withNames(d.Facts.Named, r.Actor, r.OnBehalfOf)
	return d
}

// withNames returns named with the non-empty names added, as the
// participants triggers add them; named is not changed.
func withNames(named []string, names ...string) []string {
	out := slices.Clone(named)
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Unclaim returns a task the viewer holds, as read in t, to the open pool.
func (s *Store) Unclaim(ctx context.Context, v Viewer, t Task, now time.Time) error {
	n, err := s.write(ctx, guarded{
		change: `UPDATE tasks SET state = 'open', assignee = NULL, delegate = NULL, claimed_at = NULL
            WHERE id = $1 AND state = 'claimed' AND assignee = $2 RETURNING id`,
		args: []any{t.ID, v.Username},
		timeline: &timelineEntry{processID: t.ProcessID, eventKey: fmt.Sprintf("%s:unclaimed:%d", t.ID, now.UnixNano()),
			actor: v.Username, action: "task_unclaimed", taskID: t.ID, step: t.Step},
		timelineAt: now,
		audit:      &AuditEntry{At: now, Actor: v.Username, Action: "task.unclaim", Object: "task:" + t.ID, Decision: "allowed", Address: v.Address},
	})
	if err == nil && n == 0 {
		return zhidu.Fail(zhidu.CodeConflict, zhidu.NotClaimedByYou())
	}
	return mapErr(err, "task "+t.ID)
}

// Comment is a note on a task.
type Comment struct {
	ID        int64     `json:"id"`
	TaskID    string    `json:"task_id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	// Compliance marks a comment by compliance (营管办) made as such, not as
	// a participant of the process.
	Compliance bool `json:"compliance,omitempty"`
}

// AddComment adds a comment to task t, as read by a caller who has decided
// that the viewer may comment on it. The task must still be open or
// claimed when the comment is written (conflict otherwise).
func (s *Store) AddComment(ctx context.Context, v Viewer, t Task, body string, asCompliance bool, now time.Time) (Comment, error) {
	id := t.ID
	c := Comment{TaskID: id, Author: v.Username, Body: body, CreatedAt: now, Compliance: asCompliance}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO task_comments (task_id, author, body, created_at, as_compliance)
            SELECT id, $2, $3, $4, $5 FROM tasks WHERE id = $1 AND state IN ('open', 'claimed') RETURNING id`,
			id, v.Username, body, now, asCompliance).Scan(&c.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return zhidu.Fail(zhidu.CodeConflict, zhidu.FinishedNoComments())
		}
		if err != nil {
			return err
		}
		detail := map[string]any{"body": body}
		audit := map[string]any{"comment": c.ID}
		if asCompliance {
			detail["compliance"], audit["compliance"] = true, true
		}
		if err := insertTimeline(ctx, tx, timelineEntry{processID: t.ProcessID, eventKey: fmt.Sprintf("%s:comment:%d", id, c.ID),
			actor: v.Username, action: "task_commented", taskID: id, step: t.Step, detail: detail}, now); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, Actor: v.Username, Action: "task.comment", Object: "task:" + id,
			Decision: "allowed", Address: v.Address, Detail: audit})
	})
	var e *zhidu.Error
	if errors.As(err, &e) {
		return c, e
	}
	return c, mapErr(err, "comment")
}
