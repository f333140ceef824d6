package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Credential resets that no administrator completes alone: a reset of the
// GM's, a deputy GM's or a top-secret-cleared account's token or password
// waits for that account's confirmation or the GM's approval (migration
// 012), and expires.

// The kinds of credential.
const (
	CredentialToken    = "token"
	CredentialPassword = "password"
)

// The states of a credential reset.
const (
	ResetPending   = "pending"
	ResetConfirmed = "confirmed" // by the account itself
	ResetApproved  = "approved"  // by the GM
	ResetRejected  = "rejected"
	ResetExpired   = "expired"
)

// CredentialReset is one request to reset an account's token or password.
type CredentialReset struct {
	ID          string     `json:"id"`
	Username    string     `json:"user"`
	Kind        string     `json:"kind"`
	RequestedBy string     `json:"requested_by"`
	RequestedAt time.Time  `json:"requested_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	State       string     `json:"state"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	DeliveredTo string     `json:"delivered_to,omitempty"`
}

const sqlResetColumns = `id, username, kind, requested_by, requested_at, expires_at, state, decided_by, decided_at, delivered_to`

// sqlExpireResets marks the pending requests past their expiry as expired.
const sqlExpireResets = `UPDATE credential_resets SET state = 'expired' WHERE state = 'pending' AND expires_at <= $1`

func scanReset(row pgx.CollectableRow) (CredentialReset, error) {
	var r CredentialReset
	err := row.Scan(&r.ID, &r.Username, &r.Kind, &r.RequestedBy, &r.RequestedAt, &r.ExpiresAt, &r.State,
		&r.DecidedBy, &r.DecidedAt, &r.DeliveredTo)
	return r, err
}

// RequestCredentialReset records a pending reset of username's credential
// of kind, expiring at expires; at most one per account and kind is
// pending (another is a conflict).
func (s *Store) RequestCredentialReset(ctx context.Context, c AdminChange, username, kind string, now, expires time.Time) (CredentialReset, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	r := CredentialReset{ID: "cr-" + hex.EncodeToString(b), Username: username, Kind: kind, RequestedBy: c.Actor,
		RequestedAt: now, ExpiresAt: expires, State: ResetPending}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlExpireResets, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO credential_resets (id, username, kind, requested_by, requested_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, username, kind, c.Actor, now, expires); err != nil {
			return err
		}
		return c.audit(ctx, tx, "admin.credential.request", "user:"+username,
			map[string]any{"request": r.ID, "kind": kind, "expires_at": expires.UTC().Format(time.RFC3339)})
	})
	if zhidu.ErrorCode(mapErr(err, "")) == zhidu.CodeConflict {
		return r, zhidu.Errorf(zhidu.CodeConflict, "a reset of %s's %s is already waiting for confirmation", username, kind)
	}
	return r, mapErr(err, "user "+username)
}

// CredentialResets lists the requests concerning username (newest first),
// and, when approver is set (the caller is the GM), the pending requests
// for other accounts that the GM may approve.
func (s *Store) CredentialResets(ctx context.Context, username string, approver bool, now time.Time) ([]CredentialReset, error) {
	if _, err := s.Pool.Exec(ctx, sqlExpireResets, now); err != nil {
		return nil, mapErr(err, "credential resets")
	}
	rows, err := s.Pool.Query(ctx, `SELECT `+sqlResetColumns+` FROM credential_resets
        WHERE username = $1 OR ($2 AND state = 'pending') ORDER BY requested_at DESC, id LIMIT 200`, username, approver)
	if err != nil {
		return nil, mapErr(err, "credential resets")
	}
	out, err := pgx.CollectRows(rows, scanReset)
	return out, mapErr(err, "credential resets")
}

// CredentialResetByID reads one request.
func (s *Store) CredentialResetByID(ctx context.Context, id string) (CredentialReset, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+sqlResetColumns+` FROM credential_resets WHERE id = $1`, id)
	if err != nil {
		return CredentialReset{}, mapErr(err, "credential reset "+id)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanReset)
	return r, mapErr(err, "credential reset "+id)
}

// CredentialDecision closes a pending request: State is confirmed (by the
// account), approved (by the GM) or rejected. A confirmed or approved
// request sets the new token's or password's hash.
type CredentialDecision struct {
	ID, By, Address string
	State           string
	DeliveredTo     string
	TokenHash       []byte // token resets
	PasswordHash    []byte // password resets
	At              time.Time
}

// DecideCredentialReset closes a pending, unexpired request and, unless it
// is rejected, sets the new credential — one transaction with its audit
// entry. A request that is no longer pending is a conflict.
func (s *Store) DecideCredentialReset(ctx context.Context, d CredentialDecision) (CredentialReset, error) {
	var r CredentialReset
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlExpireResets, d.At); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE credential_resets SET state = $2, decided_by = $3, decided_at = $4, delivered_to = $5
            WHERE id = $1 AND state = 'pending' RETURNING `+sqlResetColumns, d.ID, d.State, d.By, d.At, d.DeliveredTo)
		if err != nil {
			return err
		}
		r, err = pgx.CollectExactlyOneRow(rows, scanReset)
		if errors.Is(err, pgx.ErrNoRows) {
			var state string
			if err := tx.QueryRow(ctx, `SELECT state FROM credential_resets WHERE id = $1`, d.ID).Scan(&state); err != nil {
				return err
			}
			return zhidu.Errorf(zhidu.CodeConflict, "the request is %s, no longer pending", state)
		}
		if err != nil {
			return err
		}
		switch {
		case d.State == ResetRejected:
		case r.Kind == CredentialToken:
			_, err = tx.Exec(ctx, `UPDATE users SET token_hash = $2 WHERE username = $1`, r.Username, d.TokenHash)
		default:
			_, err = tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE username = $1`, r.Username, string(d.PasswordHash))
		}
		if err != nil {
			return err
		}
		action := map[string]string{ResetConfirmed: "admin.credential.confirm", ResetApproved: "admin.credential.approve",
			ResetRejected: "admin.credential.reject"}[d.State]
		detail := map[string]any{"request": r.ID, "kind": r.Kind, "requested_by": r.RequestedBy}
		if d.DeliveredTo != "" {
			detail["delivered_to"] = d.DeliveredTo
		}
		return AdminChange{Actor: d.By, Address: d.Address}.audit(ctx, tx, action, "user:"+r.Username, detail)
	})
	return r, mapErr(err, "credential reset "+d.ID)
}
