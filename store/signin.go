package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Failed password sign-ins and lockouts (table signin_failures): the
// counts live in PostgreSQL, so a restart forgets none and every replica
// refuses a locked account. The web inbox asks SigninLock before checking
// a password and reports the outcome with SigninFailed or
// SigninSucceeded; an administrator lifts a lock with Unlock.

// Lockout is the lock on an account.
type Lockout struct {
	Failures int        `json:"failures"`
	LockedAt time.Time  `json:"locked_at"`
	Until    *time.Time `json:"until"` // nil: until an administrator unlocks
}

// SigninLock returns the lock on username at now, if one holds.
func (s *Store) SigninLock(ctx context.Context, username string, now time.Time) (Lockout, bool, error) {
	var l Lockout
	err := s.Pool.QueryRow(ctx, `SELECT failures, locked_at, locked_until FROM signin_failures
        WHERE username = $1 AND locked_at IS NOT NULL AND (locked_until IS NULL OR locked_until > $2)`, username, now).
		Scan(&l.Failures, &l.LockedAt, &l.Until)
	if errors.Is(err, pgx.ErrNoRows) {
		return Lockout{}, false, nil
	}
	if err != nil {
		return Lockout{}, false, mapErr(err, "sign-in lock of "+username)
	}
	return l, true, nil
}

// SigninFailure is one failed password sign-in, and the lockout policy:
// the LockAfter-th failure in a row (0: none) locks the account for
// LockFor (0: until an administrator unlocks it).
type SigninFailure struct {
	Username, Address string
	At                time.Time
	LockAfter         int
	LockFor           time.Duration
}

// SigninFailed counts a failed password sign-in and reports whether the
// account is locked now; the failure that locks it also writes the
// session.lockout audit entry, in the same transaction. A lock that has
// expired starts the count again. An unknown username counts nothing.
func (s *Store) SigninFailed(ctx context.Context, f SigninFailure) (Lockout, bool, error) {
	var out Lockout
	var locked bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var failures *int
		var lockedAt, until *time.Time
		// The user's row serialises the failures of one account (NO KEY
		// UPDATE: other writes referencing the user are not held up).
		err := tx.QueryRow(ctx, `SELECT f.failures, f.locked_at, f.locked_until FROM users u
            LEFT JOIN signin_failures f USING (username) WHERE u.username = $1 FOR NO KEY UPDATE OF u`, f.Username).
			Scan(&failures, &lockedAt, &until)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		n := 0
		if failures != nil {
			n = *failures
		}
		if lockedAt != nil {
			if until == nil || until.After(f.At) {
				out, locked = Lockout{Failures: n, LockedAt: *lockedAt, Until: until}, true
				return nil // already locked: SigninLock refused before any password was checked
			}
			n, lockedAt, until = 0, nil, nil // the lock expired: count afresh
		}
		n++
		if f.LockAfter > 0 && n >= f.LockAfter {
			at := f.At
			lockedAt, until = &at, nil
			if f.LockFor > 0 {
				u := f.At.Add(f.LockFor)
				until = &u
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO signin_failures (username, failures, last_failure_at, locked_at, locked_until)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO UPDATE SET failures = $2, last_failure_at = $3,
            locked_at = $4, locked_until = $5`, f.Username, n, f.At, lockedAt, until); err != nil {
			return err
		}
		if lockedAt == nil {
			return nil
		}
		out, locked = Lockout{Failures: n, LockedAt: *lockedAt, Until: until}, true
		detail := map[string]any{"failures": n, "until": "unlocked by an administrator"}
		if until != nil {
			detail["until"] = until.UTC().Format(time.RFC3339)
		}
		return appendAudit(ctx, tx, AuditEntry{Actor: f.Username, Action: "session.lockout", Object: "user:" + f.Username,
			Decision: "denied", Address: f.Address, Detail: detail})
	})
	return out, locked, mapErr(err, "sign-in failure of "+f.Username)
}

// SigninSucceeded forgets an account's failed sign-ins after a good one.
func (s *Store) SigninSucceeded(ctx context.Context, username string) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM signin_failures WHERE username = $1 AND locked_at IS NULL`, username)
	return mapErr(err, "sign-in of "+username)
}

// Unlock lifts an account's sign-in lock and forgets its failed sign-ins,
// with its audit entry (admin.user.unlock, saying whether it was locked).
func (s *Store) Unlock(ctx context.Context, c AdminChange, username string, now time.Time) (bool, error) {
	var wasLocked bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT true FROM users WHERE username = $1 FOR NO KEY UPDATE`, username).Scan(&exists); err != nil {
			return err
		}
		var failures int
		err := tx.QueryRow(ctx, `DELETE FROM signin_failures WHERE username = $1
            RETURNING failures, locked_at IS NOT NULL AND (locked_until IS NULL OR locked_until > $2)`, username, now).
			Scan(&failures, &wasLocked)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return c.audit(ctx, tx, "admin.user.unlock", "user:"+username, map[string]any{"was_locked": wasLocked, "failures": failures})
	})
	return wasLocked, mapErr(err, "user "+username)
}
