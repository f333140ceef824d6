package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Idempotency keys (migration 030): the first answer to a mutating API
// call sent with an Idempotency-Key, kept for the retention the API is
// configured with so that a retry gets it again (api/idempotency.go).

// IdempotentCall is one call under an Idempotency-Key. KeyHash stands for
// the key (the table never holds the key itself); RequestHash says what
// was asked (method, path, canonical body).
type IdempotentCall struct {
	// Claim is the random ID of the request making the call: a claim
	// repeated by the same request (its answer lost) is its own again,
	// and only the request holding the row finishes or releases it.
	Claim       []byte
	Username    string
	KeyHash     []byte
	Method      string
	Path        string
	RequestHash []byte
}

// IdempotentAnswer is a row of idempotency_keys as a claim found it: the
// call it was first made for and, once done, the answer (Body as the API
// sealed it).
type IdempotentAnswer struct {
	Method      string
	Path        string
	RequestHash []byte
	Done        bool
	Status      int
	ContentType string
	Location    string
	Body        []byte
	CreatedAt   time.Time
	// Resumed, on a claim, says the row taken over was this same call
	// left pending by another request (a server stopped in the middle
	// of it): its effect may already be in place.
	Resumed bool
}

// The claim inserts a pending row, or takes over one that has expired
// (older than $7) or whose call was abandoned while pending (older than
// $8: a server stopped in the middle of it), or finds it its own (the
// same request's claim, whose answer was lost). RETURNING answers only
// when this request now holds the row, and says whether the row it took
// over was the same call abandoned by another request (old: the row as
// the statement's snapshot has it; of simultaneous takeovers the row lock
// of ON CONFLICT lets one win).
const sqlClaimIdempotencyKey = `WITH old AS (SELECT state, request_hash, method, path, claim FROM idempotency_keys
        WHERE username = $1 AND key_hash = $2)
    INSERT INTO idempotency_keys (username, key_hash, method, path, request_hash, claim, state, created_at)
    VALUES ($1, $2, $3, $4, $5, $9, 'pending', $6)
    ON CONFLICT (username, key_hash) DO UPDATE SET method = EXCLUDED.method, path = EXCLUDED.path,
        request_hash = EXCLUDED.request_hash, claim = EXCLUDED.claim, state = 'pending', status = NULL, content_type = '',
        location = '', body = NULL, created_at = EXCLUDED.created_at
    WHERE idempotency_keys.created_at < $7 OR (idempotency_keys.state = 'pending' AND idempotency_keys.created_at < $8)
        OR (idempotency_keys.state = 'pending' AND idempotency_keys.claim = EXCLUDED.claim)
    RETURNING coalesce((SELECT state = 'pending' AND claim <> $9 AND method = $3 AND path = $4 AND request_hash = $5 FROM old), false)`

const sqlIdempotencyKey = `SELECT method, path, request_hash, state = 'done', coalesce(status, 0), content_type, location,
        coalesce(body, ''::bytea), created_at
    FROM idempotency_keys WHERE username = $1 AND key_hash = $2`

// ClaimIdempotencyKey records call as pending at now unless its key is
// held: then it returns the row that holds it (claimed false). A row
// created before expired, or pending since before stale, is taken over. A
// row that vanished between the two statements (its call failed and let
// the key go) is claimed on a second try. A claim's answer has only
// Resumed set.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, call IdempotentCall, now, expired, stale time.Time) (claimed bool, held IdempotentAnswer, err error) {
	for range 3 {
		var resumed bool
		err = s.Pool.QueryRow(ctx, sqlClaimIdempotencyKey, call.Username, call.KeyHash, call.Method, call.Path, call.RequestHash,
			now, expired, stale, call.Claim).Scan(&resumed)
		if err == nil {
			return true, IdempotentAnswer{Resumed: resumed}, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return false, held, mapErr(err, "idempotency key")
		}
		err = s.Pool.QueryRow(ctx, sqlIdempotencyKey, call.Username, call.KeyHash).Scan(&held.Method, &held.Path,
			&held.RequestHash, &held.Done, &held.Status, &held.ContentType, &held.Location, &held.Body, &held.CreatedAt)
		if err == nil {
			return false, held, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return false, held, mapErr(err, "idempotency key")
		}
	}
	return false, held, mapErr(err, "idempotency key")
}

// IdempotencyKey returns the row of a key, for a caller waiting on a
// pending one; found is false once it is gone.
func (s *Store) IdempotencyKey(ctx context.Context, username string, keyHash []byte) (held IdempotentAnswer, found bool, err error) {
	err = s.Pool.QueryRow(ctx, sqlIdempotencyKey, username, keyHash).Scan(&held.Method, &held.Path,
		&held.RequestHash, &held.Done, &held.Status, &held.ContentType, &held.Location, &held.Body, &held.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return held, false, nil
	}
	if err != nil {
		return held, false, mapErr(err, "idempotency key")
	}
	return held, true, nil
}

// FinishIdempotencyKey keeps the answer of a call its request claimed;
// done again (a retry after a lost answer) it changes nothing.
func (s *Store) FinishIdempotencyKey(ctx context.Context, call IdempotentCall, a IdempotentAnswer) error {
	_, err := s.Pool.Exec(ctx, `UPDATE idempotency_keys SET state = 'done', status = $4, content_type = $5, location = $6, body = $7
        WHERE username = $1 AND key_hash = $2 AND claim = $3 AND state = 'pending'`,
		call.Username, call.KeyHash, call.Claim, a.Status, a.ContentType, a.Location, a.Body)
	return mapErr(err, "idempotency key")
}

// ReleaseIdempotencyKey lets a key its request claimed go (its call failed
// and changed nothing, or may be tried again).
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, call IdempotentCall) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE username = $1 AND key_hash = $2 AND claim = $3 AND state = 'pending'`,
		call.Username, call.KeyHash, call.Claim)
	return mapErr(err, "idempotency key")
}

// PurgeIdempotencyKeys deletes the rows created before before (past the
// retention) and says how many.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, before)
	if err != nil {
		return 0, mapErr(err, "idempotency keys")
	}
	return tag.RowsAffected(), nil
}
