package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Writes cost PostgreSQL CPU mostly per statement and per round trip, not
// per row: an approval's ~110 statements in separate round trips spent
// more in protocol, executor start-up and commits than in the work itself.
// So each write here is one round trip: either a batch (one pipeline, one
// Sync: PostgreSQL runs it as one implicit transaction, all or nothing) or
// one statement whose CTEs append the timeline and audit entries only when
// its change happened.

// execer is what appendAudit and insertTimeline write through: a
// transaction or the pool.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// send runs a batch in one round trip, as one transaction. Conditions must
// be in the SQL: an error returned by a queued query's callback does not
// stop the statements after it.
func (s *Store) send(ctx context.Context, b *pgx.Batch) error {
	return s.Pool.SendBatch(ctx, b).Close()
}

const (
	timelineColumns = `timeline (process_id, event_key, at, actor, on_behalf_of, action, task_id, step, outcome, detail)`
	auditColumns    = `audit (at, actor, action, object, decision, address, detail)`
)

type timelineEntry struct {
	processID, eventKey, actor, onBehalfOf, action, taskID, step, outcome string
	detail                                                                any
}

// args returns the entry's values in timelineColumns order.
func (e timelineEntry) args(at time.Time) ([]any, error) {
	detail := []byte("{}")
	if e.detail != nil {
		var err error
		if detail, err = json.Marshal(e.detail); err != nil {
			return nil, err
		}
	}
	return []any{e.processID, e.eventKey, at, e.actor, e.onBehalfOf, e.action, e.taskID, e.step, e.outcome, detail}, nil
}

// args returns the entry's values in auditColumns order; a zero At means now.
func (e AuditEntry) args() ([]any, error) {
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return nil, err
	}
	var at *time.Time
	if !e.At.IsZero() {
		at = &e.At
	}
	return []any{at, e.Actor, e.Action, e.Object, e.Decision, e.Address, detail}, nil
}

// params renders parameters $first.. cast to types: outside VALUES,
// PostgreSQL would take them for text.
func params(first int, types []string) string {
	ps := make([]string, len(types))
	for i, t := range types {
		ps[i] = fmt.Sprintf("$%d::%s", first+i, t)
	}
	return strings.Join(ps, ", ")
}

var (
	timelineTypes = []string{"text", "text", "timestamptz", "text", "text", "text", "text", "text", "text", "jsonb"}
	auditTypes    = []string{"timestamptz", "text", "text", "text", "text", "text", "jsonb"}
)

const sqlInsertTimeline = `INSERT INTO ` + timelineColumns + ` VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (event_key) DO NOTHING`

const sqlInsertAudit = `INSERT INTO ` + auditColumns + ` VALUES (COALESCE($1, now()), $2, $3, $4, $5, $6, $7)`

func insertTimeline(ctx context.Context, db execer, e timelineEntry, at time.Time) error {
	_, err := recordTimeline(ctx, db, e, at)
	return err
}

// recordTimeline inserts a timeline entry and reports whether it is new:
// false when its event key is recorded already (a retried activity whose
// first transaction committed), so the caller writes nothing else either.
func recordTimeline(ctx context.Context, db execer, e timelineEntry, at time.Time) (bool, error) {
	args, err := e.args(at)
	if err != nil {
		return false, err
	}
	tag, err := db.Exec(ctx, sqlInsertTimeline, args...)
	return err == nil && tag.RowsAffected() == 1, err
}

func appendAudit(ctx context.Context, db execer, e AuditEntry) error {
	args, err := e.args()
	if err == nil {
		_, err = db.Exec(ctx, sqlInsertAudit, args...)
	}
	return err
}

// guarded is a change that, only when it happens, leaves a timeline entry
// and an audit entry.
type guarded struct {
	// change is one INSERT, UPDATE or DELETE with a RETURNING clause: it
	// happened if it returns a row. Its parameters are $1.. in args.
	change string
	args   []any
	// also are further changes made with it (data-modifying CTE bodies
	// that select from hit; same parameters).
	also []string
	// timeline and audit, when set, are written for each returned row.
	timeline   *timelineEntry
	timelineAt time.Time
	audit      *AuditEntry
}

// write runs a guarded change as one statement and reports how many rows
// it changed (0: nothing happened, and nothing was appended).
func (s *Store) write(ctx context.Context, g guarded) (int, error) {
	sql, args, err := g.statement()
	if err != nil {
		return 0, err
	}
	var n int
	err = s.Pool.QueryRow(ctx, sql, args...).Scan(&n)
	return n, err
}

func (g guarded) statement() (string, []any, error) {
	var sql strings.Builder
	args := append([]any{}, g.args...)
	sql.WriteString("WITH hit AS (" + g.change + ")")
	for i, a := range g.also {
		fmt.Fprintf(&sql, ", also%d AS (%s)", i, a)
	}
	// from selects the values once per hit.
	from := func(values []any, types []string) string {
		first := len(args) + 1
		args = append(args, values...)
		return "SELECT " + params(first, types) + " FROM hit"
	}
	if g.timeline != nil {
		values, err := g.timeline.args(g.timelineAt)
		if err != nil {
			return "", nil, err
		}
		sql.WriteString(", tl AS (INSERT INTO " + timelineColumns + " " + from(values, timelineTypes) +
			" ON CONFLICT (event_key) DO NOTHING)")
	}
	if g.audit != nil {
		e := *g.audit
		if e.At.IsZero() {
			e.At = time.Now()
		}
		values, err := e.args()
		if err != nil {
			return "", nil, err
		}
		sql.WriteString(", au AS (INSERT INTO " + auditColumns + " " + from(values, auditTypes) + ")")
	}
	sql.WriteString(" SELECT count(*)::int FROM hit")
	return sql.String(), args, nil
}
