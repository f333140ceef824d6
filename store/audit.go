package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
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
	PrevHash string         `json:"prev_hash,omitempty"`
	Hash     string         `json:"hash,omitempty"`

	// What a reader learns about the entry's object when it is a process
	// or a task, as the object is now (not stored: nothing hashed changes).
	// Level is its current level; Department owns it, left out when
	// withheld. Withheld is set when the reader may not read the object:
	// Detail is left out, the entry's existence is not. Ignored on writes.
	Level      *zhidu.Level `json:"level,omitempty"`
	Department string       `json:"department,omitempty"`
	Withheld   bool         `json:"withheld"`
}

// Audit appends an entry to the audit trail (one statement: its own
// transaction).
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return mapErr(appendAudit(ctx, s.Pool, e), "audit entry")
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Actor, Object, Action, Decision string
	Since, Until                    time.Time
	AfterID                         int64
	Limit                           int
	// Scope splits the trail between its two auditors; "" is the whole trail.
	Scope AuditScope
}

// AuditScope names one auditor's part of the audit trail.
type AuditScope string

// The audit scopes. Administration is what the security auditor (安全审计员)
// reads: every admin.* action (done or refused, by anyone) and everything
// an administrator did (sign-ins included). Business is the rest, which
// compliance (营管办) reads.
const (
	AuditAdministration AuditScope = "administration"
	AuditBusiness       AuditScope = "business"
)

// sqlAdminEntry is the condition of an administration entry.
const sqlAdminEntry = `(action LIKE 'admin.%' OR actor IN (SELECT username FROM user_roles WHERE role = ANY(?)))`

func adminRoleNames() []string {
	var out []string
	for _, r := range zhidu.AdminRoles() {
		out = append(out, string(r))
	}
	return out
}

// AuditEntries lists audit entries in order of their IDs, as the viewer
// may see them: the details of an entry about a process or task the viewer
// may not read (the read rule of its page, at the object's current level)
// are withheld.
func (s *Store) AuditEntries(ctx context.Context, v Viewer, f AuditFilter) ([]AuditEntry, error) {
	q := newQuery(`SELECT id, at, actor, action, object, decision, address, detail, prev_hash, hash FROM audit WHERE true`)
	q.whereIf(f.Actor != "", "actor = ?", f.Actor)
	q.whereIf(f.Object != "", "object = ?", f.Object)
	q.whereIf(f.Action != "", "action = ?", f.Action)
	q.whereIf(f.Decision != "", "decision = ?", f.Decision)
	q.whereIf(!f.Since.IsZero(), "at >= ?", f.Since)
	q.whereIf(!f.Until.IsZero(), "at < ?", f.Until)
	q.whereIf(f.AfterID > 0, "id > ?", f.AfterID)
	q.whereIf(f.Scope == AuditAdministration, sqlAdminEntry, adminRoleNames())
	q.whereIf(f.Scope == AuditBusiness, "NOT "+sqlAdminEntry, adminRoleNames())
	q.add(" ORDER BY id LIMIT ?", clampLimit(f.Limit))
	sql := q.disclosing(v, "e", `e.id, e.at, e.actor, e.action, e.object, e.decision, e.address,
        CASE WHEN w.shown THEN e.detail END, e.prev_hash, e.hash`, q.sql.String())
	rows, err := s.Pool.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, mapErr(err, "audit")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		var detail []byte
		var shown bool
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Object, &e.Decision, &e.Address, &detail, &e.PrevHash, &e.Hash,
			&e.Level, &e.Department, &shown)
		if err == nil && len(detail) > 0 {
			err = json.Unmarshal(detail, &e.Detail)
		}
		e.Withheld = !shown
		return e, err
	})
	return out, mapErr(err, "audit")
}

// disclosing wraps inner, a query of rows (audit entries, designations)
// whose object column names what they are about, so that each row comes
// with that object's current level and department and whether the viewer
// may read it (w.shown; the department only when shown). columns are
// inner's, qualified with alias r, and may use w.shown to withhold.
// Joining to the object as it is now, rather than storing its level on the
// row, makes a raised level withhold older rows too and leaves the audit
// chain's hashed content alone; inner is filtered and limited first, so
// the read rule runs once per row of the page. The read rule is the one of
// the object's page (readableProcess, readableTask, readableCustomer:
// authz.Decide in SQL);
// objects that are neither (users, policy) or do not exist hide nothing.
func (q *query) disclosing(v Viewer, r, columns, inner string) string {
	shown := "CASE WHEN op.id IS NOT NULL THEN " + q.readableProcess(v, "op") +
		" WHEN ot.id IS NOT NULL THEN " + q.readableTask(v, "ot") +
		" WHEN oc.id IS NOT NULL THEN " + q.readableCustomer(v, "oc") + " ELSE true END"
	// OFFSET 0 keeps the rule from being inlined into each use of w.shown.
	return fmt.Sprintf(`SELECT %[2]s, COALESCE(op.level, ot.level, oc.level), CASE WHEN w.shown THEN COALESCE(op.department, ot.department, oc.department, '') ELSE '' END, w.shown
FROM (%[3]s) %[1]s
LEFT JOIN processes op ON starts_with(%[1]s.object, 'process:') AND op.id = substr(%[1]s.object, 9)
LEFT JOIN tasks ot ON starts_with(%[1]s.object, 'task:') AND ot.id = substr(%[1]s.object, 6)
LEFT JOIN customers oc ON starts_with(%[1]s.object, 'customer:') AND oc.id = substr(%[1]s.object, 10)
CROSS JOIN LATERAL (SELECT %[4]s AS shown OFFSET 0) w
ORDER BY %[1]s.id`, r, columns, inner, shown)
}

// AuditVerification is the result of checking the audit chain.
type AuditVerification struct {
	OK      bool   `json:"ok"`
	Entries int    `json:"entries"`
	Head    string `json:"head"` // the last entry's hash: note it elsewhere to anchor the chain
	// BrokenAt is the first entry that does not verify, and why.
	BrokenAt    *int64         `json:"broken_at,omitempty"`
	Problem     string         `json:"problem,omitempty"`
	ProblemCode *zhidu.Message `json:"problem_code,omitempty"` // Problem as a code
}

func (v *AuditVerification) problem(m zhidu.Message) { v.Problem, v.ProblemCode = m.String(), &m }

// VerifyAudit recomputes every entry's hash in order and checks that each
// entry links to the one before it.
func (s *Store) VerifyAudit(ctx context.Context) (AuditVerification, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, prev_hash, hash, audit_hash(a) FROM audit a ORDER BY id`)
	if err != nil {
		return AuditVerification{}, mapErr(err, "audit")
	}
	defer rows.Close()
	v := AuditVerification{OK: true}
	for rows.Next() {
		var id int64
		var prev, hash, computed string
		if err := rows.Scan(&id, &prev, &hash, &computed); err != nil {
			return v, mapErr(err, "audit")
		}
		v.Entries++
		switch {
		case !v.OK:
		case prev != v.Head:
			v.OK, v.BrokenAt = false, &id
			v.problem(zhidu.AuditUnlinked())
		case hash != computed:
			v.OK, v.BrokenAt = false, &id
			v.problem(zhidu.AuditAltered())
		}
		if v.OK {
			v.Head = hash
		}
	}
	return v, mapErr(rows.Err(), "audit")
}
