package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// This file holds the writes the activities make: each is one
// transaction that updates the projection, appends to the timeline and
// to the audit trail, and is idempotent under retries.

const sqlInsertCandidate = `
INSERT INTO task_candidates (task_id, username, role, department) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING`

// eligible counts the active users cleared for level who may work a task
// offered to the candidates in source (rows c of username, role,
// department): by name, or by a role they hold in the department; minus
// the excluded.
func eligible(source, level, excluded string) string {
	return `SELECT count(DISTINCT u.username) FROM users u JOIN ` + source + `
LEFT JOIN user_roles r ON r.username = u.username AND r.role = c.role AND r.department = c.department
WHERE NOT u.disabled AND u.clearance >= ` + level + ` AND NOT (u.username = ANY(` + excluded + `))
  AND (c.username = u.username OR r.username IS NOT NULL)`
}

// sqlEligible is eligible for a task's candidates as recorded ($1 the task,
// $2 its level, $3 the excluded).
var sqlEligible = eligible("task_candidates c ON c.task_id = $1", "$2", "$3")

// sqlEnsureProcess records the process if the workflow's first step comes
// before the API recorded the start. It must be a statement of its own:
// when the start is being recorded at the same moment it waits for it, and
// only a statement that begins after that wait sees the process row.
const sqlEnsureProcess = `
INSERT INTO processes (id, run_id, kind, title, level, department, started_by, started_at, barred, readers, members)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (id) DO NOTHING`

// sqlCreateTask writes a task in one statement: the task unless the process
// has ended or the (run, step) task exists (t), and only with a new task its
// candidates (three parallel arrays) and its timeline entry. It returns how
// many active users may work the task, counted from the arrays so that a
// retry, which writes nothing, counts the same. AFTER triggers (inbox,
// participants, foreign keys) run at the end of the statement and see every
// row it wrote.
var sqlCreateTask = `WITH t AS (
    INSERT INTO tasks (id, process_id, run_id, step_key, kind, step, title_zh, title_en, department,
        level, priority, form, excluded, due_at, created_at, context)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::smallint, $11::smallint, $12::jsonb, $13::text[],
        $14::timestamptz, $15::timestamptz, $16::jsonb
    WHERE EXISTS (SELECT 1 FROM processes WHERE id = $2 AND state = 'running') -- never behind a cancel
    ON CONFLICT DO NOTHING RETURNING id
), c AS (
    INSERT INTO task_candidates (task_id, username, role, department)
    SELECT t.id, c.username, c.role, c.department FROM t, unnest($17::text[], $18::text[], $19::text[]) AS c (username, role, department)
    ON CONFLICT DO NOTHING
), tl AS (
    INSERT INTO ` + timelineColumns + ` SELECT ` + params(20, timelineTypes) + ` FROM t ON CONFLICT (event_key) DO NOTHING
)
` + eligible("unnest($17::text[], $18::text[], $19::text[]) AS c (username, role, department) ON true", "$10", "$13::text[]")

// CreateTask inserts a task, its candidates and a timeline entry, unless
// the (run, step) task exists already, and returns how many active users
// may work it: sqlEnsureProcess and sqlCreateTask in one batch (one round
// trip, one transaction).
func (s *Store) CreateTask(ctx context.Context, in zhidu.CreateTaskInput) (int, error) {
	p, sp := in.Process, in.Spec
	excluded := nonNil(sp.Excluded)
	form, err := json.Marshal(sp.Form)
	if err != nil {
		return 0, err
	}
	level := zhidu.MaxLevel(sp.Level, p.Level) // a task never sits below its process …
	if sp.Subject {
		level = sp.Level // … but the subject's own (TaskSpec.Subject)
	}
	var taskContext []byte
	if sp.Context != nil {
		taskContext = mustJSON(sp.Context)
	}
	users, roles, depts := make([]string, len(sp.Candidates)), make([]string, len(sp.Candidates)), make([]string, len(sp.Candidates))
	for i, c := range sp.Candidates {
		users[i], roles[i], depts[i] = c.User, string(c.Role), string(c.Department)
	}
	created, err := timelineEntry{processID: p.ID, eventKey: in.TaskID + ":created", actor: "system", action: "task_created",
		taskID: in.TaskID, step: sp.Step, detail: map[string]any{"candidates": sp.Candidates, "title": sp.Title}}.args(in.CreatedAt)
	if err != nil {
		return 0, err
	}
	var n int
	b := &pgx.Batch{}
	b.Queue(sqlEnsureProcess, p.ID, p.RunID, p.Kind, p.Title, p.Level, p.Department, p.StartedBy, in.CreatedAt, nonNil(p.Barred), departments(p.Readers), nonNil(p.Members))
	b.Queue(sqlCreateTask, append([]any{in.TaskID, p.ID, p.RunID, sp.StepKey, p.Kind, sp.Step, sp.Title.Zh, sp.Title.En,
		sp.Department, level, sp.Priority, form, excluded, in.DueAt, in.CreatedAt, taskContext, users, roles, depts}, created...)...).
		QueryRow(func(row pgx.Row) error { return row.Scan(&n) })
	return n, mapErr(s.send(ctx, b), "task "+in.TaskID)
}

// nonNil returns ss, or an empty list for nil (a NOT NULL text[]).
// departments renders department codes for a text[] column; nil stays
// NULL.
func departments(ds []zhidu.Department) []string {
	if ds == nil {
		return nil
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d)
	}
	return out
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func insertCandidates(ctx context.Context, tx pgx.Tx, taskID string, cs []zhidu.Candidate) error {
	for _, c := range cs {
		if _, err := tx.Exec(ctx, sqlInsertCandidate, taskID, c.User, string(c.Role), string(c.Department)); err != nil {
			return err
		}
	}
	return nil
}

const sqlCompleteTask = `
UPDATE tasks SET state = 'completed', outcome = $2, data = $3, comment = $4, completed_by = $5,
    on_behalf_of = NULLIF($6, ''), completed_at = $7
WHERE id = $1 AND state IN ('open', 'claimed') RETURNING id`

// CompleteTask records a task's completion, its timeline entry and audit
// entry, in one statement; a retry after it happened changes nothing.
func (s *Store) CompleteTask(ctx context.Context, r zhidu.CompletionRecord) error {
	data, err := json.Marshal(r.Data)
	if err != nil {
		return err
	}
	_, err = s.write(ctx, guarded{
		change: sqlCompleteTask, args: []any{r.TaskID, r.Outcome, data, r.Comment, r.Actor, r.OnBehalfOf, r.At},
		timeline: &timelineEntry{processID: r.ProcessID, eventKey: r.TaskID + ":completed",
			actor: r.Actor, onBehalfOf: r.OnBehalfOf, action: "task_completed", taskID: r.TaskID, step: r.Step,
			outcome: r.Outcome, detail: map[string]any{"data": r.Data, "comment": r.Comment}},
		timelineAt: r.At,
		audit: &AuditEntry{At: r.At, Actor: r.Actor, Action: "task.complete", Object: "task:" + r.TaskID,
			Decision: "allowed", Address: r.Address, Detail: map[string]any{"outcome": r.Outcome, "on_behalf_of": r.OnBehalfOf, "process": r.ProcessID}},
	})
	return mapErr(err, "task "+r.TaskID)
}

// sqlReleaseTask takes a task ($1) back from its holder ($2): a claim is
// released (the task is open to its candidates again), a delegation to
// them ends.
const sqlReleaseTask = `
UPDATE tasks SET
    state      = CASE WHEN assignee = $2 THEN 'open' ELSE state END,
    claimed_at = CASE WHEN assignee = $2 THEN NULL ELSE claimed_at END,
    delegate   = CASE WHEN assignee = $2 OR delegate = $2 THEN NULL ELSE delegate END,
    assignee   = CASE WHEN assignee = $2 THEN NULL ELSE assignee END
WHERE id = $1 AND state IN ('open', 'claimed')`

// AssignTask records a delegation, a reassignment or a release.
func (s *Store) AssignTask(ctx context.Context, r zhidu.AssignRecord) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// The timeline entry first: its event key says whether this
		// assignment is recorded already (an activity retried after its
		// answer was lost, or a re-sent update the workflow had lost),
		// and then nothing is written twice, the audit entry included.
		fresh, err := recordTimeline(ctx, tx, timelineEntry{processID: r.ProcessID, eventKey: r.EventKey, actor: r.By,
			action: map[string]string{zhidu.AssignDelegate: "task_delegated", zhidu.AssignReassign: "task_reassigned",
				zhidu.AssignRelease: "task_released"}[r.Kind], taskID: r.TaskID, step: r.Step,
			detail: map[string]any{"to": r.To, "owner": r.Owner, "note": r.Note}}, r.At)
		if err != nil || !fresh {
			return err
		}
		switch r.Kind {
		case zhidu.AssignDelegate:
			_, err = tx.Exec(ctx, `UPDATE tasks SET delegate = $2 WHERE id = $1 AND state = 'claimed' AND assignee = $3`, r.TaskID, r.To, r.Owner)
		case zhidu.AssignReassign:
			if _, err = tx.Exec(ctx, sqlInsertCandidate, r.TaskID, r.To, "", ""); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE tasks SET assignee = $2, delegate = NULL, state = 'claimed', claimed_at = $3
                WHERE id = $1 AND state IN ('open', 'claimed')`, r.TaskID, r.To, r.At)
		case zhidu.AssignRelease:
			_, err = tx.Exec(ctx, sqlReleaseTask, r.TaskID, r.Owner)
		default:
			return fmt.Errorf("unknown assignment kind %q", r.Kind)
		}
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.By, Action: "task." + r.Kind, Object: "task:" + r.TaskID,
			Decision: "allowed", Address: r.Address, Detail: map[string]any{"to": r.To, "owner": r.Owner, "event_key": r.EventKey}})
	})
	return mapErr(err, "task "+r.TaskID)
}

// RecordTaskEvent records a reminder or an escalation and returns how many
// active users may now work the task.
func (s *Store) RecordTaskEvent(ctx context.Context, e zhidu.TaskEvent) (int, error) {
	var eligible int
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if e.Event == zhidu.EventEscalated {
			if err := insertCandidates(ctx, tx, e.TaskID, e.AddCandidates); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE tasks SET escalation = GREATEST(escalation, $2) WHERE id = $1`, e.TaskID, e.Rung); err != nil {
				return err
			}
		}
		if err := insertTimeline(ctx, tx, timelineEntry{processID: e.ProcessID, eventKey: e.EventKey, actor: "system",
			action: "task_" + e.Event, taskID: e.TaskID, step: e.Step,
			detail: map[string]any{"rung": e.Rung, "candidates": e.AddCandidates}}, e.At); err != nil {
			return err
		}
		var level int
		var excluded []string
		if err := tx.QueryRow(ctx, `SELECT level, excluded FROM tasks WHERE id = $1`, e.TaskID).Scan(&level, &excluded); err != nil {
			return err
		}
		return tx.QueryRow(ctx, sqlEligible, e.TaskID, level, excluded).Scan(&eligible)
	})
	return eligible, mapErr(err, "task "+e.TaskID)
}

// FinishProcess records the end of a process; a cancelled process also
// cancels its open tasks. One statement; a retry changes nothing.
func (s *Store) FinishProcess(ctx context.Context, r zhidu.FinishRecord) error {
	actor := r.Actor
	if actor == "" {
		actor = "system"
	}
	g := guarded{
		change: `UPDATE processes SET state = $2, result = $3, ended_at = $4 WHERE id = $1 AND state = 'running' RETURNING id`,
		args:   []any{r.ProcessID, r.State, r.Result, r.At},
		timeline: &timelineEntry{processID: r.ProcessID, eventKey: r.ProcessID + ":finished",
			actor: actor, action: "process_" + string(r.State), outcome: r.Result, detail: map[string]any{"reason": r.Reason}},
		timelineAt: r.At,
	}
	if r.State != zhidu.ProcessCompleted {
		g.also = append(g.also, `UPDATE tasks SET state = 'cancelled', completed_at = $4
            WHERE process_id IN (SELECT id FROM hit) AND state IN ('open', 'claimed')`)
	}
	if r.State == zhidu.ProcessCancelled {
		g.audit = &AuditEntry{At: r.At, Actor: actor, Action: "process.cancel", Object: "process:" + r.ProcessID,
			Decision: "allowed", Address: r.Address, Detail: map[string]any{"reason": r.Reason}}
	}
	_, err := s.write(ctx, g)
	return mapErr(err, "process "+r.ProcessID)
}

// SetProcessLevel records a change of a process's level and moves its
// tasks with it.
func (s *Store) SetProcessLevel(ctx context.Context, r zhidu.LevelRecord) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE processes SET level = $2 WHERE id = $1`, r.ProcessID, r.To); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tasks SET level = $2 WHERE process_id = $1 AND (level < $2 OR level = $3)`,
			r.ProcessID, r.To, r.From); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, sqlInsertTimeline, r.ProcessID, r.EventKey, r.At, r.Actor, "", "process_level_changed", "", "", "",
			mustJSON(map[string]any{"from": r.From.String(), "to": r.To.String(), "reason": r.Reason}))
		if err != nil || tag.RowsAffected() == 0 {
			return err // a retry: the audit entry is written already
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: "process.level", Object: "process:" + r.ProcessID,
			Decision: "allowed", Address: r.Address, Detail: map[string]any{"from": r.From.String(), "to": r.To.String(), "reason": r.Reason}})
	})
	return mapErr(err, "process "+r.ProcessID)
}

// ShareProcess adds departments to the readers of a process that confines
// them (a return slip's copies), with its timeline and audit entries; a
// retry adds nothing twice.
func (s *Store) ShareProcess(ctx context.Context, r zhidu.ShareRecord) error {
	depts := departments(r.Departments)
	detail := map[string]any{"departments": depts, "reason": r.Reason}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE processes SET readers = ARRAY(
            SELECT d FROM unnest(COALESCE(readers, ARRAY[department]) || $2::text[]) WITH ORDINALITY AS r(d, n)
            GROUP BY d ORDER BY min(n)) WHERE id = $1`, r.ProcessID, depts)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		tag, err = tx.Exec(ctx, sqlInsertTimeline, r.ProcessID, r.EventKey, r.At, r.Actor, "", "process_shared", "", "", "", mustJSON(detail))
		if err != nil || tag.RowsAffected() == 0 {
			return err // a retry: the audit entry is written already
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: "process.share", Object: "process:" + r.ProcessID,
			Decision: "allowed", Detail: detail})
	})
	return mapErr(err, "process "+r.ProcessID)
}

// SetProcessMembers changes a process's named readers: Add join them (in
// order, each once), then Remove leave; with its timeline and audit
// entries, in one transaction. The event key makes a retry change
// nothing, even after later changes; an unknown process is not found.
func (s *Store) SetProcessMembers(ctx context.Context, r zhidu.MemberRecord) error {
	add, remove := nonNil(r.Add), nonNil(r.Remove)
	detail := map[string]any{"add": add, "remove": remove, "reason": r.Reason}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// The timeline entry first: its event key is what a retry finds.
		tag, err := tx.Exec(ctx, sqlInsertTimeline, r.ProcessID, r.EventKey, r.At, r.Actor, "", "members_changed", "", "", "",
			mustJSON(detail))
		if err != nil || tag.RowsAffected() == 0 {
			return err // a retry: the change and its audit entry are written already
		}
		tag, err = tx.Exec(ctx, `UPDATE processes SET members = ARRAY(
            SELECT m FROM unnest(members || $2::text[]) WITH ORDINALITY AS r(m, n)
            WHERE NOT (m = ANY($3::text[])) GROUP BY m ORDER BY min(n)) WHERE id = $1`, r.ProcessID, add, remove)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows // no such process: the timeline entry goes too
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: "process.members", Object: "process:" + r.ProcessID,
			Decision: "allowed", Detail: detail})
	})
	return mapErr(err, "process "+r.ProcessID)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// IssueVoucher returns the voucher number of a process and key, issuing
// the year's next one (PZ-2026-000123) the first time, with its timeline
// and audit entries. The year's counter row serialises issues, so numbers
// have no gaps; a retry answers the number issued before.
func (s *Store) IssueVoucher(ctx context.Context, r zhidu.VoucherRequest) (string, error) {
	series := cmp.Or(r.Series, zhidu.SeriesVoucher)
	what := map[string]struct{ action, audit string }{
		zhidu.SeriesVoucher: {"voucher_issued", "voucher.issue"},
		zhidu.SeriesOrder:   {"order_issued", "purchase_order.issue"},
	}[series]
	if what.action == "" {
		return "", zhidu.Errorf(zhidu.CodeInvalid, "unknown number series %q", series)
	}
	var number string
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('voucher:' || $1))`, r.ProcessID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT number FROM vouchers WHERE process_id = $1 AND key = $2`, r.ProcessID, r.Key).Scan(&number)
		if err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var seq int
		if err := tx.QueryRow(ctx, `INSERT INTO voucher_counters (series, year, last) VALUES ($1, $2, 1)
            ON CONFLICT (series, year) DO UPDATE SET last = voucher_counters.last + 1 RETURNING last`, series, r.Year).Scan(&seq); err != nil {
			return err
		}
		number = fmt.Sprintf("%s-%d-%06d", series, r.Year, seq)
		if _, err := tx.Exec(ctx, `INSERT INTO vouchers (number, series, year, seq, process_id, key, issued_by, issued_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, number, series, r.Year, seq, r.ProcessID, r.Key, r.Actor, r.At); err != nil {
			return err
		}
		detail := map[string]any{"voucher": number}
		if series == zhidu.SeriesOrder {
			detail = map[string]any{"order": number}
		}
		if _, err := tx.Exec(ctx, sqlInsertTimeline, r.ProcessID, r.Key, r.At, r.Actor, "", what.action, "", "", "",
			mustJSON(detail)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: what.audit, Object: "process:" + r.ProcessID,
			Decision: "allowed", Detail: detail})
	})
	return number, mapErr(err, "process "+r.ProcessID)
}

// ExcludeFromTasks keeps users off open tasks of a process from now on (a
// declared conflict of interest): they join the tasks' exclusions, a
// claim one of them holds is released, and the timeline and the audit
// trail say why. The event key makes a retry change nothing.
func (s *Store) ExcludeFromTasks(ctx context.Context, r zhidu.ExclusionRecord) error {
	g := guarded{
		change: `INSERT INTO timeline (process_id, event_key, at, actor, action, detail)
            VALUES ($1, $2, $3, 'system', 'recused', $4) ON CONFLICT (event_key) DO NOTHING RETURNING process_id AS id`,
		args: []any{r.ProcessID, r.EventKey, r.At, mustJSON(map[string]any{"users": r.Users, "reason": r.Reason, "tasks": r.TaskIDs})},
		also: []string{
			`UPDATE tasks SET excluded = ARRAY(SELECT DISTINCT unnest(excluded || $5::text[]))
                WHERE id = ANY($6::text[]) AND EXISTS (SELECT 1 FROM hit)`,
			`UPDATE tasks SET state = 'open', assignee = NULL, delegate = NULL, claimed_at = NULL
                WHERE id = ANY($6::text[]) AND state = 'claimed' AND (assignee = ANY($5::text[]) OR delegate = ANY($5::text[]))
                AND EXISTS (SELECT 1 FROM hit)`,
		},
		audit: &AuditEntry{At: r.At, Actor: "system", Action: "task.recuse", Object: "process:" + r.ProcessID, Decision: "allowed",
			Detail: map[string]any{"users": r.Users, "reason": r.Reason, "tasks": r.TaskIDs}},
	}
	g.args = append(g.args, r.Users, r.TaskIDs)
	_, err := s.write(ctx, g)
	return mapErr(err, "process "+r.ProcessID)
}

// RecordChildStart records a child process, started by its parent, with
// the input the API would have stored, its process.start audit entry, and
// child_started in the parent's timeline (one transaction; a retry adds
// nothing).
func (s *Store) RecordChildStart(ctx context.Context, r zhidu.ChildStart) error {
	input, err := json.Marshal(r.Input)
	if err != nil {
		return err
	}
	p := r.Process
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlInsertProcess, p.ID, p.RunID, p.Kind, p.Title, p.Level, p.Department, p.StartedBy, r.At,
			input, nonNil(p.Barred), departments(p.Readers), nonNil(p.Members))
		if err != nil || tag.RowsAffected() == 0 {
			return err // a retry: recorded already
		}
		detail := map[string]any{"process": p.ID, "kind": p.Kind}
		if _, err := tx.Exec(ctx, sqlInsertTimeline, r.Parent, r.Parent+":child:"+p.ID, r.At, r.Actor, "", "child_started", "", "", "",
			mustJSON(detail)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: "process.start", Object: "process:" + p.ID,
			Decision: "allowed", Detail: map[string]any{"kind": p.Kind, "level": p.Level.String(), "parent": r.Parent}})
	})
	return mapErr(err, "process "+p.ID)
}

// RecordProcessEvent appends an entry to a process's timeline (once, by
// its event key).
func (s *Store) RecordProcessEvent(ctx context.Context, e zhidu.ProcessEvent) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlInsertTimeline, e.ProcessID, e.EventKey, e.At, e.Actor, "", e.Action, "", "", "", mustJSON(e.Detail))
		if err != nil || tag.RowsAffected() == 0 || e.Audit == "" {
			return err // a retry writes nothing twice
		}
		return appendAudit(ctx, tx, AuditEntry{At: e.At, Actor: e.Actor, Action: e.Audit, Object: "process:" + e.ProcessID,
			Decision: "allowed", Detail: e.Detail})
	})
	return mapErr(err, "process "+e.ProcessID)
}
