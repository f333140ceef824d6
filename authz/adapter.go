package authz

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Adapter is a Casbin adapter on pgx: policy lines ("p") live in the
// casbin_rule table, role links ("g") in user_roles, which the inbox
// queries read too — one source of truth for both.
type Adapter struct {
	pool    *pgxpool.Pool
	timeout time.Duration
}

var _ persist.Adapter = (*Adapter)(nil)

// NewAdapter returns an adapter over pool.
func NewAdapter(pool *pgxpool.Pool) *Adapter { return &Adapter{pool: pool, timeout: 10 * time.Second} }

func (a *Adapter) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), a.timeout)
}

// LoadPolicy loads every policy line and role link into the model.
func (a *Adapter) LoadPolicy(m model.Model) error {
	ctx, cancel := a.ctx()
	defer cancel()
	rows, err := a.pool.Query(ctx, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule ORDER BY id`)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	lines, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]string, error) {
		v := make([]string, 7)
		err := r.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6])
		return trimEmpty(v), err
	})
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	rows, err = a.pool.Query(ctx, `SELECT ur.username, ur.role, ur.department FROM user_roles ur
        JOIN users u USING (username) WHERE NOT u.disabled ORDER BY 1, 2, 3`)
	if err != nil {
		return fmt.Errorf("load roles: %w", err)
	}
	links, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]string, error) {
		var user, role, dept string
		err := r.Scan(&user, &role, &dept)
		return []string{"g", Subject(user), role, dept}, err
	})
	if err != nil {
		return fmt.Errorf("load roles: %w", err)
	}
	for _, line := range append(lines, links...) {
		if err := persist.LoadPolicyArray(line, m); err != nil {
			return fmt.Errorf("load policy line %v: %w", line, err)
		}
	}
	return nil
}

func trimEmpty(v []string) []string {
	for len(v) > 0 && v[len(v)-1] == "" {
		v = v[:len(v)-1]
	}
	return v
}

// SavePolicy is not supported: policy changes go through AddPolicy and
// RemovePolicy so that each one is a single audited statement.
func (a *Adapter) SavePolicy(model.Model) error {
	return fmt.Errorf("save policy: not supported; add or remove lines one by one")
}

// AddPolicy stores one policy line or role link.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	ctx, cancel := a.ctx()
	defer cancel()
	if ptype == "g" {
		if len(rule) != 3 {
			return fmt.Errorf("role link needs user, role, department: %v", rule)
		}
		_, err := a.pool.Exec(ctx, `INSERT INTO user_roles (username, role, department) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			username(rule[0]), rule[1], rule[2])
		return err
	}
	v := padded(ptype, rule)
	_, err := a.pool.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT DO NOTHING`, v...)
	return err
}

// RemovePolicy deletes one policy line or role link.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	ctx, cancel := a.ctx()
	defer cancel()
	if ptype == "g" {
		if len(rule) != 3 {
			return fmt.Errorf("role link needs user, role, department: %v", rule)
		}
		_, err := a.pool.Exec(ctx, `DELETE FROM user_roles WHERE username = $1 AND role = $2 AND department = $3`, username(rule[0]), rule[1], rule[2])
		return err
	}
	v := padded(ptype, rule)
	_, err := a.pool.Exec(ctx, `DELETE FROM casbin_rule WHERE ptype = $1 AND v0 = $2 AND v1 = $3 AND v2 = $4 AND v3 = $5 AND v4 = $6 AND v5 = $7`, v...)
	return err
}

// RemoveFilteredPolicy deletes the policy lines matching the given field
// values from fieldIndex on (an empty value matches anything).
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	ctx, cancel := a.ctx()
	defer cancel()
	table, cols := "casbin_rule", []string{"v0", "v1", "v2", "v3", "v4", "v5"}
	conds, args := []string{}, []any{}
	if ptype == "g" {
		table, cols = "user_roles", []string{"username", "role", "department"}
	} else {
		conds, args = append(conds, "ptype = $1"), append(args, ptype)
	}
	for i, v := range fieldValues {
		if v == "" {
			continue
		}
		if ptype == "g" && fieldIndex+i == 0 {
			v = username(v)
		}
		if fieldIndex+i >= len(cols) {
			return fmt.Errorf("remove filtered policy: field %d out of range", fieldIndex+i)
		}
		args = append(args, v)
		conds = append(conds, fmt.Sprintf("%s = $%d", cols[fieldIndex+i], len(args)))
	}
	if len(conds) == 0 {
		return fmt.Errorf("remove filtered policy: refusing to delete everything")
	}
	_, err := a.pool.Exec(ctx, "DELETE FROM "+table+" WHERE "+strings.Join(conds, " AND "), args...)
	return err
}

// Subject is how a user appears in Casbin: prefixed, so that a user named
// like a role never matches that role's name.
func Subject(user string) string { return "u:" + user }

func username(subject string) string { return strings.TrimPrefix(subject, "u:") }

func padded(ptype string, rule []string) []any {
	v := []any{ptype, "", "", "", "", "", ""}
	for i, r := range rule {
		if i < 6 {
			v[i+1] = r
		}
	}
	return v
}
