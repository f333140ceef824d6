package store

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/zhidu/zhidu"
)

// The probation's writes (process 4 of DOMAIN.md, 试用期; migration 022):
// the probation flag (probation_flags), the separation of an employee who did not
// reach the target, and the handover of their customer files; and its
// reads: the employee's own status and the report per department.

// SetProbation sets or clears a user's probation flag (probation_flags),
// with an entry in the probation's timeline and the audit trail
// (user.probation) when it changes; a probation clears only its own flag,
// and setting the flag it has writes nothing, so a retry is harmless. An
// unknown user is not found.
func (s *Store) SetProbation(ctx context.Context, f zhidu.ProbationFlag) error {
	action := map[bool]string{true: "probation_flag_set", false: "probation_flag_cleared"}[f.OnProbation]
	change, args := `INSERT INTO probation_flags (username, process_id, since) VALUES ($1, $2, $3)
        ON CONFLICT (username) DO NOTHING RETURNING username AS id`, []any{f.Employee, f.ProcessID, f.At}
	if !f.OnProbation {
		change, args = `DELETE FROM probation_flags WHERE username = $1 AND process_id = $2 RETURNING username AS id`, args[:2]
	}
	n, err := s.write(ctx, guarded{
		change: change,
		args:   args,
		timeline: &timelineEntry{processID: f.ProcessID, eventKey: f.ProcessID + ":" + action, actor: f.Actor, action: action,
			detail: map[string]any{"employee": f.Employee}},
		timelineAt: f.At,
		audit: &AuditEntry{At: f.At, Actor: f.Actor, Action: "user.probation", Object: "user:" + f.Employee, Decision: "allowed",
			Detail: map[string]any{"on_probation": f.OnProbation, "process": f.ProcessID}},
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // no such user
		return zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("user "+f.Employee))
	}
	if err != nil {
		return mapErr(err, "user "+f.Employee)
	}
	if n == 0 {
		var exists bool
		if err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)`, f.Employee).Scan(&exists); err != nil {
			return mapErr(err, "user "+f.Employee)
		}
		if !exists {
			return zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("user "+f.Employee))
		}
	}
	return nil
}

// OnProbation reports whether a user is on probation.
func (s *Store) OnProbation(ctx context.Context, username string) (bool, error) {
	var on bool
	err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM probation_flags WHERE username = $1)`, username).Scan(&on)
	return on, mapErr(err, "user "+username)
}

// sqlHandOverTargets lists the open tasks an employee ($1) holds
// (claimed, or delegated to them) or is named for as a candidate, by
// process: what their separation hands over.
const sqlHandOverTargets = `
SELECT t.process_id, array_agg(t.id ORDER BY t.id) FILTER (WHERE t.assignee = $1 OR t.delegate = $1)
FROM tasks t
WHERE t.state IN ('open', 'claimed')
  AND (t.assignee = $1 OR t.delegate = $1
       OR EXISTS (SELECT 1 FROM task_candidates c WHERE c.task_id = t.id AND c.username = $1))
GROUP BY t.process_id ORDER BY t.process_id`

// HandOverPlan returns what the separation of employee hands to
// colleague: the colleague's facts and, per process, the open tasks the
// employee holds or is named for. The processes themselves decide, step
// by step, whether the colleague may take each (HandOverRequest).
func (s *Store) HandOverPlan(ctx context.Context, r zhidu.HandOverPlanRequest) (zhidu.HandOverPlan, error) {
	u, err := s.User(ctx, r.Colleague)
	if err != nil {
		return zhidu.HandOverPlan{}, err
	}
	rows, err := s.Pool.Query(ctx, sqlHandOverTargets, r.Employee)
	if err != nil {
		return zhidu.HandOverPlan{}, mapErr(err, "tasks")
	}
	targets, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (zhidu.HandOverTarget, error) {
		var t zhidu.HandOverTarget
		return t, row.Scan(&t.ProcessID, &t.Held)
	})
	if targets == nil {
		targets = []zhidu.HandOverTarget{}
	}
	return zhidu.HandOverPlan{Colleague: u.Actor(), Processes: targets}, mapErr(err, "tasks")
}

// SeparateEmployee carries out a probation's separation
// (未完成销售任务者自动离职) in one transaction: the employee's account is
// disabled and their web sessions deleted (a token of a disabled account
// is refused, and every API replica forgets its cached users when
// PostgreSQL announces the change), the probation flag is cleared, and
// the handover of their customer files to the colleague is recorded
// (customer_handovers) — with the probation's timeline entry (separated)
// and the audit entry (user.separate). Their open tasks are handed over
// afterwards by the processes they belong to (HandOverPlan). The event
// key makes a retry change nothing. A colleague who is not an active user
// other than the employee is invalid.
func (s *Store) SeparateEmployee(ctx context.Context, r zhidu.SeparationRecord) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlInsertTimeline, r.ProcessID, r.EventKey, r.At, r.Actor, "", "separated", "", "", "",
			mustJSON(map[string]any{"employee": r.Employee, "colleague": r.Colleague, "reason": r.Reason}))
		if err != nil || tag.RowsAffected() == 0 {
			return err // a retry: everything is written already
		}
		var active bool
		err = tx.QueryRow(ctx, `SELECT NOT disabled FROM users WHERE username = $1`, r.Colleague).Scan(&active)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && (!active || r.Colleague == r.Employee) {
			return zhidu.Errorf(zhidu.CodeInvalid, "the colleague %s is not an active user other than %s", r.Colleague, r.Employee)
		}
		if err != nil {
			return err
		}
		tag, err = tx.Exec(ctx, `UPDATE users SET disabled = true WHERE username = $1`, r.Employee)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("user "+r.Employee))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM probation_flags WHERE username = $1`, r.Employee); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM web_sessions WHERE username = $1`, r.Employee); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO customer_handovers (process_id, employee, colleague, at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (process_id) DO NOTHING`, r.ProcessID, r.Employee, r.Colleague, r.At); err != nil {
			return err
		}
		if _, err := applyCustomerHandovers(ctx, tx, r.Employee, r.ProcessID, r.At); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: "user.separate", Object: "user:" + r.Employee,
			Decision: "allowed", Detail: map[string]any{"process": r.ProcessID, "colleague": r.Colleague, "reason": r.Reason,
				"customer_handover": "recorded"}})
	})
	return mapErr(err, "separation of "+r.Employee)
}

// Colleagues returns the active users of a department but one, by
// username: whom an employee's work may be handed over to.
func (s *Store) Colleagues(ctx context.Context, dept zhidu.Department, except string) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT username FROM users WHERE department = $1 AND username <> $2 AND NOT disabled
        ORDER BY username`, string(dept), except)
	if err != nil {
		return nil, mapErr(err, "users")
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if names == nil {
		names = []string{}
	}
	return names, mapErr(err, "users")
}

// CustomerHandover is a recorded handover of an employee's customer files
// (客户交接), applied by the customer files once they exist.
type CustomerHandover struct {
	ProcessID string     `json:"process_id"`
	Employee  string     `json:"employee"`
	Colleague string     `json:"colleague"`
	At        time.Time  `json:"at"`
	AppliedAt *time.Time `json:"applied_at,omitempty"`
}

// PendingHandovers lists the handovers not applied yet, oldest first.
func (s *Store) PendingHandovers(ctx context.Context) ([]CustomerHandover, error) {
	rows, err := s.Pool.Query(ctx, `SELECT process_id, employee, colleague, at, applied_at FROM customer_handovers
        WHERE applied_at IS NULL ORDER BY at, process_id`)
	if err != nil {
		return nil, mapErr(err, "customer handovers")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CustomerHandover])
	return out, mapErr(err, "customer handovers")
}

// ProbationStatus is what an employee may know of their own probation:
// where it stands, never the file's content (the mentor's and the head's
// evaluations, the test score, the sales log).
type ProbationStatus struct {
	ProcessID string    `json:"process_id"`
	State     string    `json:"state"`
	Result    string    `json:"result,omitempty"`
	Stage     string    `json:"stage"`
	Sales     int       `json:"sales"`
	Target    int       `json:"target"`
	StartDate string    `json:"start_date"`
	EndsAt    time.Time `json:"ends_at"`
	Extended  bool      `json:"extended"`
}

// OwnProbation returns the employee's probation: the running one, else
// the latest; not found when they have had none.
func (s *Store) OwnProbation(ctx context.Context, employee string) (ProbationStatus, error) {
	var st ProbationStatus
	var ends string
	err := s.Pool.QueryRow(ctx, `SELECT p.id, p.state, p.result, COALESCE(e.fields->>'stage', 'probation'),
            COALESCE((e.fields->>'sales_count')::numeric::int, 0), COALESCE((p.input->>'target')::numeric::int, 0),
            COALESCE(p.input->>'start_date', ''), COALESCE(e.fields->>'ends_at', p.input->>'ends_at', ''),
            COALESCE((e.fields->>'extended')::boolean, false)
        FROM processes p LEFT JOIN register_entries e ON e.process_id = p.id
        WHERE p.kind = 'probation' AND p.input->>'employee' = $1
        ORDER BY p.state = 'running' DESC, p.started_at DESC, p.id DESC LIMIT 1`, employee).
		Scan(&st.ProcessID, &st.State, &st.Result, &st.Stage, &st.Sales, &st.Target, &st.StartDate, &ends, &st.Extended)
	if err != nil {
		return st, mapErr(err, "probation of "+employee)
	}
	if ends != "" {
		if st.EndsAt, err = time.Parse(time.RFC3339Nano, ends); err != nil {
			return st, mapErr(err, "probation of "+employee)
		}
	}
	return st, nil
}

// ProbationFigures are one department's probations in a report's window:
// Started in it; Converted, Separated and Cancelled ended in it, Extended
// of those ended in it; Open at its end. The rates are of the probations
// decided in the window (converted or separated), 0 when none was.
type ProbationFigures struct {
	Department     string  `json:"department"`
	Started        int     `json:"started"`
	Converted      int     `json:"converted"`
	Separated      int     `json:"separated"`
	Cancelled      int     `json:"cancelled"`
	Extended       int     `json:"extended"`
	Open           int     `json:"open"`
	ConversionRate float64 `json:"conversion_rate"`
	SeparationRate float64 `json:"separation_rate"`
	ExtensionRate  float64 `json:"extension_rate"`
}

func (f *ProbationFigures) rates() {
	if decided := f.Converted + f.Separated; decided > 0 {
		rate := func(n int) float64 { return math.Round(float64(n)/float64(decided)*10000) / 10000 }
		f.ConversionRate, f.SeparationRate, f.ExtensionRate = rate(f.Converted), rate(f.Separated), rate(f.Extended)
	}
}

// ProbationReport is the conversion report (DOMAIN.md: conversion
// figures every two months) per department of the employees, and over
// all of them.
type ProbationReport struct {
	From        time.Time          `json:"from"`
	To          time.Time          `json:"to"`
	Departments []ProbationFigures `json:"departments"`
	Total       ProbationFigures   `json:"total"`
}

// ProbationReport counts the probations the viewer may read (the read
// rule in the WHERE clause) that overlap [from, to), per department of
// their employees.
func (s *Store) ProbationReport(ctx context.Context, v Viewer, from, to time.Time) (ProbationReport, error) {
	q := newQuery("")
	q.add(`SELECT COALESCE(p.input->>'department', p.department),
    count(*) FILTER (WHERE p.started_at >= ?),
    count(*) FILTER (WHERE w.ended AND p.result = 'converted'),
    count(*) FILTER (WHERE w.ended AND p.result = 'separated'),
    count(*) FILTER (WHERE w.ended AND p.result = 'cancelled'),
    count(*) FILTER (WHERE w.ended AND p.result IN ('converted', 'separated') AND COALESCE((e.fields->>'extended')::boolean, false)),
    count(*) FILTER (WHERE p.ended_at IS NULL OR p.ended_at >= ?)
FROM processes p LEFT JOIN register_entries e ON e.process_id = p.id
CROSS JOIN LATERAL (SELECT p.ended_at IS NOT NULL AND p.ended_at < ?) w (ended)
WHERE p.kind = 'probation'`, from, to, to)
	q.where("p.started_at < ? AND (p.ended_at IS NULL OR p.ended_at >= ?)", to, from)
	q.sql.WriteString(" AND " + q.readableProcess(v, "p"))
	q.add(" GROUP BY 1 ORDER BY 1")
	rows, err := s.Pool.Query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return ProbationReport{}, mapErr(err, "probation report")
	}
	r := ProbationReport{From: from, To: to, Total: ProbationFigures{Department: "*"}}
	r.Departments, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (ProbationFigures, error) {
		var f ProbationFigures
		err := row.Scan(&f.Department, &f.Started, &f.Converted, &f.Separated, &f.Cancelled, &f.Extended, &f.Open)
		f.rates()
		return f, err
	})
	if err != nil {
		return r, mapErr(err, "probation report")
	}
	if r.Departments == nil {
		r.Departments = []ProbationFigures{}
	}
	t := &r.Total
	for _, f := range r.Departments {
		t.Started += f.Started
		t.Converted += f.Converted
		t.Separated += f.Separated
		t.Cancelled += f.Cancelled
		t.Extended += f.Extended
		t.Open += f.Open
	}
	t.rates()
	return r, nil
}
