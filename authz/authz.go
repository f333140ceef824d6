// Package authz decides who may see and do what: Casbin RBAC with
// departments as domains (model embedded, policy and role links in
// PostgreSQL through a pgx adapter), combined with secrecy levels,
// need-to-know and designations (decide.go).
package authz

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu"
)

//go:embed model.conf
var modelText string

// memberMatcher holds only for policy lines granted through a role the
// user holds in the request's department itself: what "members of the
// owning department with a permitting role" means for secret objects.
const memberMatcher = `g(r.sub, p.sub, r.dom) && (p.dom == "*" || p.dom == "own" || p.dom == r.dom) && (p.obj == "*" || r.obj == p.obj) && (p.act == "*" || r.act == p.act)`

// Policy objects and actions.
const (
	ObjProcess      = "process"
	ObjConfidential = "process:confidential" // who may read confidential (机密) processes and tasks
	ObjTask         = "task"
	ObjAudit        = "audit"
	ObjAdmin        = "admin"
	ObjDesignation  = "designation"

	ActRead     = zhidu.ActRead
	ActWrite    = zhidu.ActWrite
	ActStart    = "start"
	ActCancel   = zhidu.ActCancel
	ActReassign = "reassign"
	ActGrant    = "grant"
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
// some department.
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

// Can reports whether some role of user permits act on obj in department
// dept ("*": in every department).
func (a *Authz) Can(user string, dept zhidu.Department, obj, act string) (bool, error) {
	ok, _, err := a.explain(user, dept, obj, act)
	return ok, err
}

// explain is Can with the policy line that matched.
func (a *Authz) explain(user string, dept zhidu.Department, obj, act string) (bool, []string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	ok, line, err := a.e.EnforceEx(Subject(user), string(dept), obj, act)
	if err != nil {
		return false, nil, fmt.Errorf("enforce %s %s %s:%s: %w", user, act, dept, obj, err)
	}
	return ok, line, nil
}

// member is Can limited to roles the user holds in dept itself.
func (a *Authz) member(user string, dept zhidu.Department, obj, act string) (bool, []string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	ok, line, err := a.e.EnforceExWithMatcher(memberMatcher, Subject(user), string(dept), obj, act)
	if err != nil {
		return false, nil, fmt.Errorf("enforce %s %s %s:%s: %w", user, act, dept, obj, err)
	}
	return ok, line, nil
}

// Scope tells in which departments some role of user permits act on obj:
// all of them, or the listed ones.
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
func (a *Authz) AddPolicy(rule ...string) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.e.AddPolicy(rule)
}

// RemovePolicy removes a policy line.
func (a *Authz) RemovePolicy(rule ...string) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.e.RemovePolicy(rule)
}

// Policy returns every policy line.
func (a *Authz) Policy() ([][]string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.e.GetPolicy()
}

// line renders a matched policy line for people.
func line(l []string) string { return "p, " + strings.Join(l, ", ") }

// DefaultPolicy is installed by migrate when a line is missing. Each line
// is role, domain ("own": the role's own department; "*": every
// department), object, action.
func DefaultPolicy() [][]string {
	var p [][]string
	add := func(roles []zhidu.Role, dom, obj, act string) {
		for _, r := range roles {
			p = append(p, []string{string(r), dom, obj, act})
		}
	}
	everyone := []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP,
		zhidu.RoleDeputyGM, zhidu.RoleGM, zhidu.RoleCompliance}
	managers := []zhidu.Role{zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP}
	heads := []zhidu.Role{zhidu.RoleDeptHead, zhidu.RoleVP}
	leadership := []zhidu.Role{zhidu.RoleGM, zhidu.RoleDeputyGM}

	add(everyone, "*", StartObject("approval"), ActStart)
	add(managers, "own", ObjProcess, ActRead)
	add(managers, "own", ObjTask, ActReassign)
	add(heads, "own", ObjConfidential, ActRead)
	add(heads, "own", ObjProcess, ActWrite)
	add(heads, "own", ObjProcess, ActCancel)
	for _, obj := range [][2]string{{ObjProcess, ActRead}, {ObjConfidential, ActRead}, {ObjProcess, ActWrite},
		{ObjProcess, ActCancel}, {ObjTask, ActReassign}, {ObjAudit, ActRead}, {ObjDesignation, ActGrant}} {
		add(leadership, "*", obj[0], obj[1])
	}
	add([]zhidu.Role{zhidu.RoleCompliance}, "*", ObjProcess, ActRead)
	add([]zhidu.Role{zhidu.RoleCompliance}, "*", ObjAudit, ActRead)
	add([]zhidu.Role{zhidu.RoleAdmin}, "*", ObjAdmin, "*")
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
