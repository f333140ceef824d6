package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// The writes of the administration API: each is one transaction with its
// audit entry. Triggers announce role and policy changes on the policy
// channel, so every replica's enforcer reloads.

// AdminChange describes who makes an administrative change, from where.
type AdminChange struct {
	Actor   string
	Address string
}

func (c AdminChange) audit(ctx context.Context, tx pgx.Tx, action, object string, detail map[string]any) error {
	return appendAudit(ctx, tx, AuditEntry{Actor: c.Actor, Action: action, Object: object, Decision: "allowed",
		Address: c.Address, Detail: detail})
}

// CreateUser creates a user with a bearer token.
func (s *Store) CreateUser(ctx context.Context, c AdminChange, u User, token string) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO users (username, name, name_en, department, clearance, token_hash)
            VALUES ($1, $2, $3, $4, $5, $6)`, u.Username, u.Name, u.NameEn, u.Department, u.Clearance, HashToken(token)); err != nil {
			return err
		}
		for _, g := range u.Roles {
			if _, err := tx.Exec(ctx, `INSERT INTO user_roles (username, role, department) VALUES ($1, $2, $3)`,
				u.Username, g.Role, g.Department); err != nil {
				return err
			}
		}
		return c.audit(ctx, tx, "admin.user.create", "user:"+u.Username,
			map[string]any{"department": u.Department, "clearance": u.Clearance.String(), "roles": u.Roles})
	})
	return mapErr(err, "user "+u.Username)
}

// UserUpdate holds the fields to change; nil leaves a field as it is.
type UserUpdate struct {
	Name      *string
	NameEn    *string
	Clearance *zhidu.Level
	Disabled  *bool
}

// UpdateUser changes a user's name, clearance or disabled flag.
func (s *Store) UpdateUser(ctx context.Context, c AdminChange, username string, up UserUpdate) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var before User
		if err := tx.QueryRow(ctx, `SELECT clearance, disabled FROM users WHERE username = $1 FOR UPDATE`, username).
			Scan(&before.Clearance, &before.Disabled); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET name = COALESCE($2, name), name_en = COALESCE($3, name_en),
            clearance = COALESCE($4, clearance), disabled = COALESCE($5, disabled) WHERE username = $1`,
			username, up.Name, up.NameEn, up.Clearance, up.Disabled); err != nil {
			return err
		}
		detail := map[string]any{}
		if up.Clearance != nil {
			detail["clearance"] = map[string]string{"from": before.Clearance.String(), "to": up.Clearance.String()}
		}
		if up.Disabled != nil {
			detail["disabled"] = map[string]bool{"from": before.Disabled, "to": *up.Disabled}
		}
		if up.Name != nil || up.NameEn != nil {
			detail["name"] = "changed"
		}
		return c.audit(ctx, tx, "admin.user.update", "user:"+username, detail)
	})
	return mapErr(err, "user "+username)
}

// SetRoles replaces a user's role grants.
func (s *Store) SetRoles(ctx context.Context, c AdminChange, username string, roles []zhidu.RoleGrant) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT true FROM users WHERE username = $1 FOR UPDATE`, username).Scan(&exists); err != nil {
			return err
		}
		before, err := rolesOf(ctx, tx, username)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE username = $1`, username); err != nil {
			return err
		}
		for _, g := range roles {
			if _, err := tx.Exec(ctx, `INSERT INTO user_roles (username, role, department) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				username, g.Role, g.Department); err != nil {
				return err
			}
		}
		return c.audit(ctx, tx, "admin.user.roles", "user:"+username, map[string]any{"from": before, "to": roles})
	})
	return mapErr(err, "user "+username)
}

func rolesOf(ctx context.Context, tx pgx.Tx, username string) ([]zhidu.RoleGrant, error) {
	rows, err := tx.Query(ctx, `SELECT role, department FROM user_roles WHERE username = $1 ORDER BY department, role`, username)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[zhidu.RoleGrant])
}

// RotateToken gives a user a new bearer token; the old one stops working.
func (s *Store) RotateToken(ctx context.Context, c AdminChange, username, token string) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET token_hash = $2 WHERE username = $1`, username, HashToken(token))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return c.audit(ctx, tx, "admin.user.token", "user:"+username, nil)
	})
	return mapErr(err, "user "+username)
}

// PolicyLine is one Casbin policy line: role, domain, object, action.
type PolicyLine struct {
	Role   string `json:"role"`
	Domain string `json:"domain"`
	Object string `json:"object"`
	Action string `json:"action"`
}

// Policy lists the policy lines.
func (s *Store) Policy(ctx context.Context) ([]PolicyLine, error) {
	rows, err := s.Pool.Query(ctx, `SELECT v0, v1, v2, v3 FROM casbin_rule WHERE ptype = 'p' ORDER BY v2, v3, v0, v1`)
	if err != nil {
		return nil, mapErr(err, "policy")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[PolicyLine])
	return out, mapErr(err, "policy")
}

// AddPolicyLine adds a policy line; an existing one is a conflict.
func (s *Store) AddPolicyLine(ctx context.Context, c AdminChange, l PolicyLine) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2, v3) VALUES ('p', $1, $2, $3, $4)`,
			l.Role, l.Domain, l.Object, l.Action); err != nil {
			return err
		}
		return c.audit(ctx, tx, "admin.policy.add", "policy", map[string]any{"line": l})
	})
	return mapErr(err, fmt.Sprintf("policy line %v", l))
}

// RemovePolicyLine removes a policy line.
func (s *Store) RemovePolicyLine(ctx context.Context, c AdminChange, l PolicyLine) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM casbin_rule WHERE ptype = 'p' AND v0 = $1 AND v1 = $2 AND v2 = $3 AND v3 = $4
            AND v4 = '' AND v5 = ''`, l.Role, l.Domain, l.Object, l.Action)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return c.audit(ctx, tx, "admin.policy.remove", "policy", map[string]any{"line": l})
	})
	return mapErr(err, fmt.Sprintf("policy line %v", l))
}

// SetPasswordAudited sets a user's web sign-in password, with its audit entry.
func (s *Store) SetPasswordAudited(ctx context.Context, c AdminChange, username, password string) error {
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE username = $1`, username, string(h))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return c.audit(ctx, tx, "admin.user.password", "user:"+username, nil)
	})
	return mapErr(err, "user "+username)
}
