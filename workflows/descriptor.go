package workflows

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/zhidu/zhidu"
)

// Descriptor is one process as every layer sees it: what the worker
// registers, who may start it and in which department, what its start form
// asks, how its steps and kind are labelled, and its configuration
// defaults. Each process declares its own next to its workflow; Descriptors
// lists them.
type Descriptor struct {
	// Kind names the process in URLs, IDs, the projection and the policy
	// (authz.StartObject(Kind)).
	Kind string
	// Workflow is the stable registered name; Func the workflow function.
	Workflow string
	Func     any
	Label    zhidu.Text
	// Description says on the start page what the process does; Submit
	// labels its start button.
	Description, Submit zhidu.Text
	// Steps are the step names (TaskSpec.Step) with their labels.
	Steps []Step
	// StartForm describes the start body of POST /processes/{kind}: the
	// fields a client asks for (dotted names nest: "complainant.name").
	// It has no outcomes. Body and Prepare are what the API checks; the
	// OpenAPI test holds the documented start schema to this form.
	StartForm zhidu.Form
	// Starters may start the process; the default policy's start lines are
	// made from them.
	Starters []Starter
	// Owner is the department that owns a process the starter starts; the
	// start permission is checked in it.
	Owner func(starter zhidu.Actor) zhidu.Department
	// Defaults returns the process's configuration (SLAs, thresholds) as it
	// is unless configured otherwise: a struct value (NewConfig makes a
	// settable copy).
	Defaults func() any
	// Settings are the values of the configuration that operators set by
	// flag and environment variable.
	Settings []Setting
	// Body returns a fresh pointer to the start body, which the API
	// decodes the request into (strictly: unknown fields, text checks).
	Body func() any
	// Prepare validates a decoded start body (Body's pointer) — field
	// errors as zhidu.Invalid, the rules across fields included —, fills
	// the process facts in s.Process (title, level, barred) and returns
	// the workflow input with the kind's configuration.
	Prepare func(ctx context.Context, body any, s StartContext) (input any, err error)
	// Record renders a start's workflow input as the JSON object stored
	// with the process (its input, compared when an Idempotency-Key is
	// reused).
	Record func(input any) map[string]any
	// PublicReply says the process keeps a public reply to its customer,
	// served by GET /processes/{id}/reply.
	PublicReply bool
	// Register describes the process's register (登记表), served by GET
	// /api/v1/registers/{kind} and written by RecordRegister; nil: the
	// process keeps none.
	Register *zhidu.Register
	// Bench is how `zhidu bench --kind KIND` drives the process and its raw
	// baseline (bench.go); every process has one, but an internal one.
	Bench *BenchScenario
	// Alias, when set, is a start route of the process's own,
	// POST /api/v1/<Alias>, beside POST /processes/<kind> (the leak
	// report's /leaks).
	Alias string
	// Internal says only zhidu itself starts the process (the approval
	// matrix's change, started by its proposal): it has no start route,
	// start page or start policy lines, and no start hooks, starters or
	// bench scenario; GET /process-kinds lists it, never startable.
	Internal bool
	// Takes names the updates the process takes beyond every process's
	// (CompleteTask, AssignTask, SetLevel, CancelProcess), which the API
	// sends to it for routes of their own: a purchase takes SupplierFacts,
	// a probation RecordSale, RequestLeave and ChangeMentor. The API finds
	// the kinds by update (Taking), never by name.
	Takes []string
	// Subject is the field of the stored input naming the person the
	// process is about (a probation's "employee"), by which the API finds
	// a person's running process; "" for none.
	Subject string
	// Customer lists where the stored input (Record) names the process's
	// customer, as dotted paths ("customer", "complainant.name"): each
	// value is matched against the company blacklist of customers (a
	// file's ID, name or phone number) where RefusesBlacklisted says.
	Customer []string
	// RefusesBlacklisted says what a customer on the blacklist may not
	// have of the process: its start (step "", data the stored input) or
	// the completion of a step with data (a complaint's remedy with
	// compensation). The API checks it before it starts the process or
	// sends the completion, and answers 409 customer.blacklisted naming
	// the entry; nil: nothing is refused.
	RefusesBlacklisted func(step string, data map[string]any) bool
	// Labels are the web's labels of words the process's steps use that
	// the web's catalogue lacks: outcomes ("outcome.grant"), step data
	// fields ("field.days"), choice values ("value.x"). Every process
	// shares these names, so a word labelled already is labelled the same.
	Labels map[string]zhidu.Text
}

// StartContext is what a start's Prepare works with besides the body.
type StartContext struct {
	// Starter is who starts the process (their clearance included).
	Starter zhidu.Actor
	// Process holds the process facts the API filled (ID, kind, owning
	// department, starter); Prepare adds the title, level and barred.
	Process *zhidu.ProcessInfo
	// Config is the kind's configuration: a pointer of NewConfig's type.
	Config any
	// Users finds the users a start body names.
	Users Users
	// Data finds the company's other records a start body names or its
	// routing reads: the approval matrix, projects.
	Data Sources
	// Objects looks up the objects a start body names and whether the
	// starter may read them (a file-access target, a copy's source).
	Objects Objects
	// Now is the time of the start, by the API's clock.
	Now time.Time
	// Configs are every kind's configuration (as Config is the kind's):
	// for a process that starts others as its children.
	Configs map[string]any
}

// Users looks up users for a start's checks (the API passes its store).
type Users interface {
	// User returns the user's facts, or an error of code zhidu.CodeNotFound.
	User(ctx context.Context, username string) (zhidu.Actor, error)
}

// Sources finds company records for a start's checks and routing (the
// API passes its store).
type Sources interface {
	Matrices
	Projects
	// Running returns the running processes of a kind whose stored input
	// has field equal to value (a probation's employee).
	Running(ctx context.Context, kind, field, value string) ([]string, error)
	// Holders returns the users holding a role in a department.
	Holders(ctx context.Context, role zhidu.Role, dept zhidu.Department) ([]string, error)
}

// Objects finds the objects a start body names, for its checks (the API
// passes its store and read rule).
type Objects interface {
	// Object returns what a start needs to know about an object named as
	// TYPE:ID — a process, a customer file, or a department's customer
	// files (department:D) — and whether the starter may read it now; an
	// error of code zhidu.CodeNotFound when there is none.
	Object(ctx context.Context, starter zhidu.Actor, ref string) (ObjectInfo, error)
}

// ObjectInfo is what Objects says about an object.
type ObjectInfo struct {
	Ref        string           `json:"ref"`
	Kind       string           `json:"kind,omitempty"`
	Level      zhidu.Level      `json:"level"`
	Department zhidu.Department `json:"department,omitempty"`
	// Readable says whether the starter may read it now; Barred that it
	// keeps the starter out whatever they are (a misconduct complaint
	// about them).
	Readable bool `json:"-"`
	Barred   bool `json:"-"`
	// Designated are the users designated for it (top secret).
	Designated []string `json:"designated,omitempty"`
}

// Setting is one value of a process's configuration that operators set by
// flag and environment variable: cmd binds Flag and Env (Usage is the help
// text) to the configuration's field named by Field, a path of Go field
// names ("Due", "Investigation.Reminder").
type Setting struct {
	Flag, Env, Field, Usage string
}

// Value returns a pointer to the setting's field in cfg, a pointer to the
// configuration struct (as NewConfig returns).
func (s Setting) Value(cfg any) (any, error) {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("setting %s: configuration %T is not a pointer to a struct", s.Flag, cfg)
	}
	v = v.Elem()
	for _, name := range strings.Split(s.Field, ".") {
		if v.Kind() != reflect.Struct {
			return nil, fmt.Errorf("setting %s: %s of %T is not a struct field", s.Flag, s.Field, cfg)
		}
		if v = v.FieldByName(name); !v.IsValid() {
			return nil, fmt.Errorf("setting %s: %T has no field %s", s.Flag, cfg, s.Field)
		}
	}
	return v.Addr().Interface(), nil
}

// NewConfig returns a pointer to a fresh copy of the process's defaults:
// the configuration as it is held and set in place (api.Config.Processes).
func (d Descriptor) NewConfig() any {
	v := reflect.ValueOf(d.Defaults())
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p.Interface()
}

// Configs returns every process's default configuration keyed by kind,
// each as NewConfig makes it.
func Configs() map[string]any {
	out := map[string]any{}
	for _, d := range Descriptors() {
		out[d.Kind] = d.NewConfig()
	}
	return out
}

// Step is one step of a process as people see it.
type Step struct {
	Name  string
	Label zhidu.Text
}

// Domains of a Starter besides a department code.
const (
	AnyDepartment = "*"   // in every department
	OwnDepartment = "own" // in the department where the starter holds the role
)

// Starter lets these roles start a process in a department (a code,
// AnyDepartment or OwnDepartment).
type Starter struct {
	Roles      []zhidu.Role
	Department string
}

// Descriptors lists every process, in the order they are offered. Adding a
// process is one line here.
func Descriptors() []Descriptor {
	return append([]Descriptor{approvalDescriptor(), complaintDescriptor(), returnDescriptor(), supplierReturnDescriptor(),
		purchaseDescriptor(), probationDescriptor(), fileAccessDescriptor(), secretCopyDescriptor(), leakDescriptor(),
		matrixChangeDescriptor(), customerDowngradeDescriptor(), customerCrossingDescriptor(), customerHandoverDescriptor(),
		orderChangeDescriptor(), blacklistNoticeDescriptor()},
		exampleProcesses()...) // the worked example of docs/ADDING_A_PROCESS.md, built with -tags example only
}

// Taking returns the descriptors of the processes that take the update.
func Taking(update string) []Descriptor {
	var out []Descriptor
	for _, d := range Descriptors() {
		if slices.Contains(d.Takes, update) {
			out = append(out, d)
		}
	}
	return out
}

// Lookup finds the descriptor of a kind.
func Lookup(kind string) (Descriptor, bool) {
	ds := Descriptors()
	i := slices.IndexFunc(ds, func(d Descriptor) bool { return d.Kind == kind })
	if i < 0 {
		return Descriptor{}, false
	}
	return ds[i], true
}

// StepLabel is the label of one of the process's steps.
func (d Descriptor) StepLabel(name string) (zhidu.Text, bool) {
	i := slices.IndexFunc(d.Steps, func(s Step) bool { return s.Name == name })
	if i < 0 {
		return zhidu.Text{}, false
	}
	return d.Steps[i].Label, true
}

// chosenLevel is a start's level: internal unless the body names one,
// which may not be above the starter's clearance (a field error in errs).
func chosenLevel(l *zhidu.Level, starter zhidu.Actor, errs map[string]zhidu.Message) zhidu.Level {
	level := zhidu.Internal
	if l != nil {
		level = *l
	}
	if level > starter.Clearance {
		errs["level"] = zhidu.AboveClearance()
	}
	return level
}

// levelChoices is the choice list of a start form's level field.
func levelChoices() []string {
	out := []string{}
	for _, l := range zhidu.Levels() {
		out = append(out, l.String())
	}
	return out
}

// everyone holds some business role; administrators hold none of these.
var everyone = []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP,
	zhidu.RoleDeputyGM, zhidu.RoleGM, zhidu.RoleCompliance}

// leadershipRoles is the GM's office.
var leadershipRoles = []zhidu.Role{zhidu.RoleGM, zhidu.RoleDeputyGM}

// Customers returns the values a stored input (Record) gives at the
// descriptor's Customer paths, the empty ones left out.
func (d Descriptor) Customers(record map[string]any) []string {
	var out []string
	for _, path := range d.Customer {
		var v any = record
		for _, k := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}
