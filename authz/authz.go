// Package authz decides who may do what: Casbin RBAC with departments as
// domains, its model embedded, its policy and role links in PostgreSQL
// through a pgx adapter.
package authz

import (
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu"
)

//go:embed model.conf
var modelText string

// Object types and actions named in the policy.
const (
	ObjProcess = "process"
	ObjTask    = "task"
	ObjAudit   = "audit"
	ObjAdmin   = "admin"

	ActRead     = "read"
	ActStart    = "start"
	ActCancel   = "cancel"
	ActReassign = "reassign"
)

// StartObject names the object checked when starting a process of a kind.
func StartObject(kind string) string { return ObjProcess + ":" + kind }

// Authz wraps the Casbin enforcer.
type Authz struct {
	mu sync.RWMutex
	e  *casbin.Enforcer
}

// New builds an enforcer whose policy is loaded from PostgreSQL.
func New(pool *pgxpool.Pool) (*Authz, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz model: %w", err)
	}
	e, err := casbin.NewEnforcer(m, NewAdapter(pool))
	if err != nil {
		return nil, fmt.Errorf("authz enforcer: %w", err)
	}
	a := &Authz{e: e}
	e.AddFunction("hasRole", a.hasRoleFunc)
	return a, nil
}

// hasRoleFunc is the model's hasRole(user, role): the user holds role in
// any department.
func (a *Authz) hasRoleFunc(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("hasRole needs 2 arguments")
	}
	user, _ := args[0].(string)
	role, _ := args[1].(string)
	rm := a.e.GetRoleManager()
	for _, d := range zhidu.Departments() {
		ok, err := rm.HasLink(user, role, string(d))
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// Reload reloads policy and role links from PostgreSQL.
func (a *Authz) Reload() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.e.LoadPolicy(); err != nil {
		return fmt.Errorf("reload policy: %w", err)
	}
	return nil
}

// Can reports whether user may act on obj in department dept.
func (a *Authz) Can(user string, dept zhidu.Department, obj, act string) (bool, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	ok, err := a.e.Enforce(user, string(dept), obj, act)
	if err != nil {
		return false, fmt.Errorf("enforce %s %s %s:%s: %w", user, act, dept, obj, err)
	}
	return ok, nil
}

// Scope tells in which departments user may act on obj: all of them, or
// the listed ones. It is what list queries put in their WHERE clause.
func (a *Authz) Scope(user, obj, act string) (all bool, depts []string, err error) {
	if all, err = a.Can(user, "*", obj, act); err != nil || all {
		return all, nil, err
	}
	for _, d := range zhidu.Departments() {
		ok, err := a.Can(user, d, obj, act)
		if err != nil {
			return false, nil, err
		}
		if ok {
			depts = append(depts, string(d))
		}
	}
	return false, depts, nil
}

// AddPolicy adds a policy line (role, dom, obj, act).
func (a *Authz) AddPolicy(rule ...string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.e.AddPolicy(rule)
	return err
}

// RemovePolicy removes a policy line.
func (a *Authz) RemovePolicy(rule ...string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.e.RemovePolicy(rule)
	return err
}

// Policy returns every policy line.
func (a *Authz) Policy() ([][]string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.e.GetPolicy()
}

// DefaultPolicy is installed by migrate when a line is missing. Each line
// is role, domain, object, action.
func DefaultPolicy() [][]string {
	var p [][]string
	for _, r := range []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP,
		zhidu.RoleDeputyGM, zhidu.RoleGM, zhidu.RoleCompliance} {
		p = append(p, []string{string(r), "*", StartObject("approval"), ActStart})
	}
	for _, r := range []zhidu.Role{zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP} {
		p = append(p, []string{string(r), "own", ObjProcess, ActRead}, []string{string(r), "own", ObjTask, ActReassign})
	}
	for _, r := range []zhidu.Role{zhidu.RoleDeptHead, zhidu.RoleVP} {
		p = append(p, []string{string(r), "own", ObjProcess, ActCancel})
	}
	for _, r := range []zhidu.Role{zhidu.RoleGM, zhidu.RoleDeputyGM} {
		p = append(p,
			[]string{string(r), "*", ObjProcess, ActRead},
			[]string{string(r), "*", ObjProcess, ActCancel},
			[]string{string(r), "*", ObjTask, ActReassign},
			[]string{string(r), "*", ObjAudit, ActRead})
	}
	p = append(p,
		[]string{string(zhidu.RoleCompliance), "*", ObjProcess, ActRead},
		[]string{string(zhidu.RoleCompliance), "*", ObjAudit, ActRead},
		[]string{string(zhidu.RoleAdmin), "*", ObjAdmin, "*"})
	return p
}

// InstallDefaultPolicy inserts the default policy lines that are missing.
func InstallDefaultPolicy(ctx context.Context, pool *pgxpool.Pool) error {
	for _, line := range DefaultPolicy() {
		v := padded("p", line)
		if _, err := pool.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT DO NOTHING`, v...); err != nil {
			return fmt.Errorf("install default policy: %w", err)
		}
	}
	return nil
}
