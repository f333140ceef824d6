package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Read grants (查阅审批, migration 024): written by a file-access
// workflow when the GM line approves it, taken back when it expires, is
// returned or revoked. Each write is its grant row, a timeline entry of
// the granting process and an audit entry in one transaction; the timeline
// entry's event key makes a retry write nothing twice.

// WriteGrant records an approved grant with its timeline and audit
// entries.
func (s *Store) WriteGrant(ctx context.Context, r zhidu.GrantRecord) error {
	detail := map[string]any{"grantee": r.Grantee, "target": r.Target, "granted_at": r.GrantedAt, "expires_at": r.ExpiresAt,
		"approved_by": r.ApprovedBy}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlInsertTimeline, r.ID, r.ID+":grant", r.GrantedAt, r.ApprovedBy, "", "grant_written", "", "", "",
			mustJSON(detail))
		if err != nil || tag.RowsAffected() == 0 {
			return err // a retry: the grant and its audit entry are written already
		}
		if _, err := tx.Exec(ctx, `INSERT INTO access_grants (id, grantee, target, reason, granted_at, expires_at, approved_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.Grantee, r.Target, r.Reason, r.GrantedAt, r.ExpiresAt, r.ApprovedBy); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.GrantedAt, Actor: r.ApprovedBy, Action: "grant.write", Object: r.Target,
			Decision: "allowed", Detail: map[string]any{"grant": r.ID, "grantee": r.Grantee, "expires_at": r.ExpiresAt}})
	})
	return mapErr(err, "grant "+r.ID)
}

// RevokeGrant takes a grant back (expired, returned, revoked, cancelled)
// with its timeline and audit entries; a grant taken back already stays
// as it was (the first ending counts), and a retry writes nothing twice.
func (s *Store) RevokeGrant(ctx context.Context, r zhidu.GrantRevocation) error {
	reason := r.Ending
	if r.Reason != "" {
		reason += ": " + r.Reason
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var grantee, target string
		err := tx.QueryRow(ctx, `UPDATE access_grants SET revoked_at = $2, revoked_by = $3, revoke_reason = $4
            WHERE id = $1 AND revoked_at IS NULL RETURNING grantee, target`, r.ID, r.At, r.By, reason).Scan(&grantee, &target)
		if err == pgx.ErrNoRows {
			return nil // taken back before: nothing changes
		}
		if err != nil {
			return err
		}
		detail := map[string]any{"grantee": grantee, "target": target, "ending": r.Ending, "reason": r.Reason}
		if _, err := tx.Exec(ctx, sqlInsertTimeline, r.ID, r.ID+":grant-"+r.Ending, r.At, r.By, "", "grant_"+r.Ending, "", "", "",
			mustJSON(detail)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.By, Action: "grant." + r.Ending,
			Object: target, Decision: "allowed", Detail: map[string]any{"grant": r.ID, "grantee": grantee, "ending": r.Ending, "reason": r.Reason}})
	})
	return mapErr(err, "grant "+r.ID)
}

// GrantRow is a read grant as listed: the grant, why, and how it ended.
type GrantRow struct {
	zhidu.Grant
	Reason    string     `json:"reason"`
	RevokedAt *time.Time `json:"revoked_at"`
	RevokedBy *string    `json:"revoked_by"`
	// Ending says how it ended (expired, returned, revoked, cancelled),
	// RevokeReason why; Active whether it opens its target now.
	Ending       string `json:"ending,omitempty"`
	RevokeReason string `json:"revoke_reason,omitempty"`
	Active       bool   `json:"active"`
}

// GrantFilter narrows a grant list; the zero filter lists every grant.
type GrantFilter struct {
	Grantee string
	Target  string
	Active  *bool
	Now     time.Time // what Active is judged at
}

const sqlGrantColumns = `id, grantee, target, reason, granted_at, expires_at, approved_by, revoked_at, revoked_by, COALESCE(revoke_reason, '')`

// Grants lists grants, newest first (at most MaxLimit).
func (s *Store) Grants(ctx context.Context, f GrantFilter) ([]GrantRow, error) {
	q := newQuery("SELECT " + sqlGrantColumns + " FROM access_grants WHERE true")
	if f.Grantee != "" {
		q.where("grantee = ?", f.Grantee)
	}
	if f.Target != "" {
		q.where("target = ?", f.Target)
	}
	if f.Active != nil {
		open := "(revoked_at IS NULL AND granted_at <= " + q.param(f.Now) + "::timestamptz AND expires_at > " + q.param(f.Now) + "::timestamptz)"
		if !*f.Active {
			open = "NOT " + open
		}
		q.sql.WriteString(" AND " + open)
	}
	q.add(" ORDER BY granted_at DESC, id LIMIT ?", MaxLimit)
	rows, err := s.Pool.Query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return nil, mapErr(err, "grants")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (GrantRow, error) { return scanGrant(r, f.Now) })
	if out == nil {
		out = []GrantRow{}
	}
	return out, mapErr(err, "grants")
}

// GrantByID reads one grant, whoever asks: callers decide who sees it.
func (s *Store) GrantByID(ctx context.Context, id string, now time.Time) (GrantRow, error) {
	g, err := scanGrant(s.Pool.QueryRow(ctx, "SELECT "+sqlGrantColumns+" FROM access_grants WHERE id = $1", id), now)
	return g, mapErr(err, "grant "+id)
}

// GrantsFor lists the open grants of a user (what-can shows them).
func (s *Store) GrantsFor(ctx context.Context, user string, now time.Time) ([]GrantRow, error) {
	active := true
	return s.Grants(ctx, GrantFilter{Grantee: user, Active: &active, Now: now})
}

func scanGrant(row pgx.Row, now time.Time) (GrantRow, error) {
	var g GrantRow
	err := row.Scan(&g.ID, &g.Grantee, &g.Target, &g.Reason, &g.GrantedAt, &g.ExpiresAt, &g.ApprovedBy, &g.RevokedAt, &g.RevokedBy, &g.RevokeReason)
	if g.RevokeReason != "" {
		g.Ending, g.RevokeReason, _ = strings.Cut(g.RevokeReason, ": ")
	} else if g.RevokedAt == nil && !now.Before(g.ExpiresAt) {
		g.Ending = zhidu.GrantExpired // expired by its stored expiry, not yet taken back
	}
	g.Active = g.RevokedAt == nil && g.Opens(g.Grantee, now)
	return g, err
}
