package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// User is a person who may sign in.
type User struct {
	Username   string            `json:"username"`
	Name       string            `json:"name"`
	NameEn     string            `json:"name_en"`
	Department zhidu.Department  `json:"department"`
	Clearance  zhidu.Level       `json:"clearance"`
	Roles      []zhidu.RoleGrant `json:"roles"`
	Disabled   bool              `json:"disabled"`
	// Designations are the objects the user is designated for; never shown.
	Designations []string `json:"-"`
	// Substituting are the out-of-office windows in which the user is the
	// substitute, not yet over (see zhidu.Substitution); never shown here.
	Substituting []zhidu.Substitution `json:"-"`
}

// Actor returns the facts the workflows need about the user.
func (u User) Actor() zhidu.Actor {
	return zhidu.Actor{Username: u.Username, Name: u.Name, Department: u.Department, Roles: u.Roles, Clearance: u.Clearance,
		Substituting: u.Substituting}
}

// NewAPIToken returns a new bearer token ("zd_" and 192 random bits).
func NewAPIToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "zd_" + hex.EncodeToString(b)
}

// HashToken is how bearer tokens are stored: never in clear.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

const sqlUpsertUser = `
INSERT INTO users (username, name, name_en, department, clearance, disabled)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (username) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en,
    department = EXCLUDED.department, clearance = EXCLUDED.clearance, disabled = EXCLUDED.disabled`

// PutUser creates or replaces a user and their role grants.
func (s *Store) PutUser(ctx context.Context, u User) error {
	return mapErr(pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlUpsertUser, u.Username, u.Name, u.NameEn, u.Department, u.Clearance, u.Disabled); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE username = $1`, u.Username); err != nil {
			return err
		}
		for _, g := range u.Roles {
			if _, err := tx.Exec(ctx, `INSERT INTO user_roles (username, role, department) VALUES ($1, $2, $3)`,
				u.Username, g.Role, g.Department); err != nil {
				return err
			}
		}
		return nil
	}), "user "+u.Username)
}

// SetToken stores the hash of a user's bearer token.
func (s *Store) SetToken(ctx context.Context, username, token string) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE users SET token_hash = $2 WHERE username = $1`, username, HashToken(token))
	if err != nil {
		return mapErr(err, "user "+username)
	}
	if tag.RowsAffected() == 0 {
		return zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("user "+username))
	}
	return nil
}

const sqlUserColumns = `u.username, u.name, u.name_en, u.department, u.clearance, u.disabled,
    COALESCE((SELECT array_agg(r.role || '@' || r.department ORDER BY r.department, r.role)
              FROM user_roles r WHERE r.username = u.username), '{}'),
    COALESCE((SELECT array_agg(d.object ORDER BY d.object) FROM designations d
              WHERE d.username = u.username AND d.revoked_at IS NULL), '{}'),
    ` + sqlSubstitutingOf

func scanUser(row pgx.Row) (User, error) {
	var u User
	var grants []string
	var windows []byte
	if err := row.Scan(&u.Username, &u.Name, &u.NameEn, &u.Department, &u.Clearance, &u.Disabled, &grants, &u.Designations, &windows); err != nil {
		return User{}, err
	}
	u.Roles = parseGrants(grants)
	var err error
	u.Substituting, err = scanWindows(windows)
	return u, err
}

func parseGrants(grants []string) []zhidu.RoleGrant {
	out := make([]zhidu.RoleGrant, 0, len(grants))
	for _, g := range grants {
		for i := len(g) - 1; i >= 0; i-- {
			if g[i] == '@' {
				out = append(out, zhidu.RoleGrant{Role: zhidu.Role(g[:i]), Department: zhidu.Department(g[i+1:])})
				break
			}
		}
	}
	return out
}

// UserByToken finds the active user holding a bearer token.
func (s *Store) UserByToken(ctx context.Context, token string) (User, error) {
	u, err := scanUser(s.Pool.QueryRow(ctx, `SELECT `+sqlUserColumns+` FROM users u
        WHERE u.token_hash = $1 AND NOT u.disabled`, HashToken(token)))
	return u, mapErr(err, "user")
}

// User finds a user by username.
func (s *Store) User(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.Pool.QueryRow(ctx, `SELECT `+sqlUserColumns+` FROM users u WHERE u.username = $1`, username))
	return u, mapErr(err, fmt.Sprintf("user %s", username))
}

// Users lists every user, ordered by username.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+sqlUserColumns+` FROM users u ORDER BY u.username`)
	if err != nil {
		return nil, mapErr(err, "users")
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, mapErr(err, "users")
		}
		out = append(out, u)
	}
	return out, mapErr(rows.Err(), "users")
}

// CountUsers returns how many users exist (0 means a fresh database).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, mapErr(err, "users")
}
