package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/zhidu/zhidu"
)

// Session is a signed-in web inbox session. Only the hash of its ID is
// stored; the ID itself lives in the browser's cookie.
type Session struct {
	ID        string
	Username  string
	CSRF      string // the per-session token every form carries
	CreatedAt time.Time
	ExpiresAt time.Time
}

// HashPassword returns the bcrypt hash of a password.
func HashPassword(password string) ([]byte, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, zhidu.Invalid(zhidu.InvalidField("password"), map[string]zhidu.Message{"password": zhidu.Plain(err.Error())})
	}
	return h, nil
}

// SetPasswordHash stores a bcrypt hash made by HashPassword as the user's
// password (unaudited: for seeding; administrators use SetPasswordAudited).
func (s *Store) SetPasswordHash(ctx context.Context, username string, hash []byte) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE username = $1`, username, string(hash))
	if err != nil {
		return mapErr(err, "user "+username)
	}
	if tag.RowsAffected() == 0 {
		return zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("user "+username))
	}
	return nil
}

// SetPassword sets a user's password.
func (s *Store) SetPassword(ctx context.Context, username, password string) error {
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.SetPasswordHash(ctx, username, h)
}

var (
	dummyOnce sync.Once
	dummyHash []byte
)

// CheckPassword returns the active user with this username and password.
// Every failure (unknown user, no password set, wrong password, disabled
// account) is the same unauthenticated error and costs the same bcrypt
// comparison, so the answer does not tell which usernames exist.
func (s *Store) CheckPassword(ctx context.Context, username, password string) (User, error) {
	var hash *string
	var disabled bool
	err := s.Pool.QueryRow(ctx, `SELECT password_hash, disabled FROM users WHERE username = $1`, username).Scan(&hash, &disabled)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return User{}, mapErr(err, "user")
	}
	wrong := zhidu.Errorf(zhidu.CodeUnauthenticated, "wrong username or password")
	if hash == nil {
		dummyOnce.Do(func() { dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost) })
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, wrong
	}
	if err := bcrypt.CompareHashAndPassword([]byte(*hash), []byte(password)); err != nil || disabled {
		return User{}, wrong
	}
	return s.User(ctx, username)
}

// RandomToken returns 256 random bits, URL-safe: session IDs, CSRF tokens.
func RandomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession signs a user in for ttl and removes expired sessions on
// the way, so the table never grows without bound.
func (s *Store) CreateSession(ctx context.Context, username string, ttl time.Duration, now time.Time) (Session, error) {
	se := Session{ID: RandomToken(), Username: username, CSRF: RandomToken(), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if _, err := s.Pool.Exec(ctx, `DELETE FROM web_sessions WHERE expires_at < $1`, now); err != nil {
		return Session{}, mapErr(err, "sessions")
	}
	_, err := s.Pool.Exec(ctx, `INSERT INTO web_sessions (id_hash, username, csrf_token, created_at, expires_at)
        VALUES ($1, $2, $3, $4, $5)`, HashToken(se.ID), username, se.CSRF, se.CreatedAt, se.ExpiresAt)
	return se, mapErr(err, "session")
}

// Session returns the unexpired session with this ID whose user is still
// active, or not found.
func (s *Store) Session(ctx context.Context, id string, now time.Time) (Session, error) {
	se := Session{ID: id}
	err := s.Pool.QueryRow(ctx, `SELECT s.username, s.csrf_token, s.created_at, s.expires_at
        FROM web_sessions s JOIN users u USING (username)
        WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, HashToken(id), now).
		Scan(&se.Username, &se.CSRF, &se.CreatedAt, &se.ExpiresAt)
	return se, mapErr(err, "session")
}

// DeleteSession signs a session out; deleting a missing one is no error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, HashToken(id))
	return mapErr(err, "session")
}
