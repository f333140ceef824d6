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
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

//go:embed model.conf
var modelText string

// Policy objects and actions.
const (
	ObjProcess      = "process"
	ObjConfidential = "process:confidential" // who may read confidential (机密) processes and tasks
	ObjTask         = "task"
	ObjAudit        = "audit"
	ObjAdmin        = "admin" // reserved: no policy line may name it (see DefaultPolicy)
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
	// scopes caches ReadScope by role grants; cleared on every reload.
	scopes sync.Map
	// roles indexes the role links for hasRole: subject → roles held in
	// some department. Rebuilt on every load.
	roles map[string]map[string]bool
	// Now is the clock read grants are judged by (Grant.Opens); nil: the
	// wall clock.
	Now func() time.Time
}

// now is the time read grants are judged at.
func (a *Authz) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
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
	if err := a.index(); err != nil {
		return nil, err
	}
	return a, nil
}

// index rebuilds the hasRole index from the loaded role links.
func (a *Authz) index() error {
	links, err := a.e.GetGroupingPolicy()
	if err != nil {
		return fmt.Errorf("role links: %w", err)
	}
	roles := map[string]map[string]bool{}
	for _, l := range links {
		if len(l) < 2 {
			continue
		}
		if roles[l[0]] == nil {
			roles[l[0]] = map[string]bool{}
		}
		roles[l[0]][l[1]] = true
	}
	a.roles = roles
	return nil
}

// hasRoleFunc is the model's hasRole(subject, role): the subject holds
// role in some department — or is that role, when a role is asked about
// as a subject of its own (see member).
func (a *Authz) hasRoleFunc(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("hasRole needs 2 arguments")
	}
	sub, _ := args[0].(string)
	role, _ := args[1].(string)
	return sub == role || a.roles[sub][role], nil
}

// Reload reloads policy and role links from PostgreSQL.
func (a *Authz) Reload() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.e.LoadPolicy(); err != nil {
		return fmt.Errorf("reload policy: %w", err)
	}
	a.scopes.Clear()
	return a.index()
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

// member is Can limited to the roles the actor holds in dept itself: what
// "members of the owning department with a permitting role" means. Each
// such role is asked as a Casbin subject of its own.
func (a *Authz) member(u zhidu.Actor, dept zhidu.Department, obj, act string) (bool, []string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, g := range u.Roles {
		if g.Department != dept {
			continue
		}
		ok, line, err := a.e.EnforceEx(string(g.Role), string(dept), obj, act)
		if err != nil {
			return false, nil, fmt.Errorf("enforce %s@%s %s %s: %w", g.Role, dept, act, obj, err)
		}
		if ok {
			return true, line, nil
		}
	}
	return false, nil, nil
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
// department), object, action. The start lines come from the process
// descriptors' starters (workflows.Descriptors).
func DefaultPolicy() [][]string {
	var p [][]string
	add := func(roles []zhidu.Role, dom, obj, act string) {
		for _, r := range roles {
			p = append(p, []string{string(r), dom, obj, act})
		}
	}
	managers := []zhidu.Role{zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP}
	heads := []zhidu.Role{zhidu.RoleDeptHead, zhidu.RoleVP}
	leadership := []zhidu.Role{zhidu.RoleGM, zhidu.RoleDeputyGM}

	for _, d := range workflows.Descriptors() {
		for _, st := range d.Starters {
			add(st.Roles, st.Department, StartObject(d.Kind), ActStart)
		}
	}
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
	// No line names an administrator role or the admin object: the three
	// administrators' authority is their role, wired into api/admin.go, so
	// that no policy change can give it away, widen it or switch off the
	// security auditor's view (三员分立).
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
