package store

import (
	"context"
	"encoding/json"
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

// AuditEntries lists audit entries in order of their IDs.
func (s *Store) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
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
	rows, err := s.Pool.Query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return nil, mapErr(err, "audit")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		var detail []byte
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Object, &e.Decision, &e.Address, &detail, &e.PrevHash, &e.Hash)
		if err == nil && len(detail) > 0 {
			err = json.Unmarshal(detail, &e.Detail)
		}
		return e, err
	})
	return out, mapErr(err, "audit")
}

// AuditVerification is the result of checking the audit chain.
type AuditVerification struct {
	OK      bool   `json:"ok"`
	Entries int    `json:"entries"`
	Head    string `json:"head"` // the last entry's hash: note it elsewhere to anchor the chain
	// BrokenAt is the first entry that does not verify, and why.
	BrokenAt *int64 `json:"broken_at,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

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
			v.OK, v.BrokenAt, v.Problem = false, &id, "the entry does not link to the entry before it (one was removed or inserted)"
		case hash != computed:
			v.OK, v.BrokenAt, v.Problem = false, &id, "the entry's content does not match its hash (it was altered)"
		}
		if v.OK {
			v.Head = hash
		}
	}
	return v, mapErr(rows.Err(), "audit")
}
