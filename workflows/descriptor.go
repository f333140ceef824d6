package workflows

import (
	"slices"

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
	// It has no outcomes.
	StartForm zhidu.Form
	// Starters may start the process; the default policy's start lines are
	// made from them.
	Starters []Starter
	// Owner is the department that owns a process the starter starts; the
	// start permission is checked in it.
	Owner func(starter zhidu.Actor) zhidu.Department
	// Defaults returns the process's configuration (SLAs, thresholds) as it
	// is unless configured otherwise.
	Defaults func() any
	// Record renders a start's workflow input as the JSON object stored
	// with the process (its input, compared when an Idempotency-Key is
	// reused).
	Record func(input any) map[string]any
	// Check adds the start rules that span fields (a product is required
	// for a product-quality complaint …) to the field errors of the start
	// body; nil when the form says it all.
	Check func(body map[string]any, starter zhidu.Actor) map[string]string

	// Bench is how `zhidu bench --kind KIND` drives the process and its raw
	// baseline (bench.go); every process has one.
	Bench *BenchScenario
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
	return []Descriptor{approvalDescriptor(), complaintDescriptor()}
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
