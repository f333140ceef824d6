package zhidu

import (
	"slices"
	"strings"
	"time"
)

// Actions decided on objects.
const (
	ActRead     = "read"
	ActWrite    = "write"    // change the object, e.g. raise its level
	ActComplete = "complete" // work a task: claim, complete
	ActCancel   = "cancel"   // cancel a process (or the process of a task)
)

// Actions lists the actions of the access table.
func Actions() []string { return []string{ActRead, ActWrite, ActComplete, ActCancel} }

// Object types.
const (
	ObjectProcess = "process"
	ObjectTask    = "task"
)

// ObjectRef names an object as TYPE:ID ("process:approval-1a2b", "task:t-…").
type ObjectRef struct {
	Type string
	ID   string
}

func (o ObjectRef) String() string { return o.Type + ":" + o.ID }

// ParseObjectRef parses TYPE:ID for the object types that have access
// rules.
func ParseObjectRef(s string) (ObjectRef, error) {
	typ, id, ok := strings.Cut(s, ":")
	if !ok || id == "" || (typ != ObjectProcess && typ != ObjectTask && typ != ObjectCustomer) {
		return ObjectRef{}, Fail(CodeInvalid, BadObjectRef(s))
	}
	return ObjectRef{Type: typ, ID: id}, nil
}

// ObjectFacts is what access decisions need to know about an object: its
// owning department and level, and who takes part in its process. For a
// customer file (ObjectCustomer) only Ref, Department, Level and Grants
// are set.
type ObjectFacts struct {
	Ref        ObjectRef  `json:"ref"`
	ProcessID  string     `json:"process_id"`
	Kind       string     `json:"kind"`
	Department Department `json:"department"`
	Level      Level      `json:"level"`
	StartedBy  string     `json:"started_by"`
	// Running is false once the process has ended.
	Running bool `json:"running"`
	// Named are the users named on any task of the process: assignees,
	// delegates, those who completed one or on whose behalf, candidates by name.
	Named []string `json:"named"`
	// CandidateRoles are the roles any task of the process is offered to.
	CandidateRoles []RoleGrant `json:"candidate_roles"`
	// Designated are the users designated for this object or its process.
	Designated []string `json:"designated"`
	// Barred are kept out of the process and everything in it, whoever
	// they are: the employee a misconduct complaint is about.
	Barred []string `json:"barred,omitempty"`
	// Readers, when set, confine reading by department (ProcessInfo.Readers).
	Readers []Department `json:"readers,omitempty"`
	// Members are the process's named readers (ProcessInfo.Members).
	Members []string `json:"members,omitempty"`
	// Grants are the unrevoked read grants naming the object: its process,
	// its customer, or its department's customer files (Grant.Opens says
	// whether one opens it to a user now).
	Grants []Grant `json:"grants,omitempty"`

	// For a task only: its state, who holds it and who may work it.
	TaskState  TaskState   `json:"task_state,omitempty"`
	Assignee   string      `json:"assignee,omitempty"`
	Delegate   string      `json:"delegate,omitempty"`
	Candidates []Candidate `json:"candidates,omitempty"`
	Excluded   []string    `json:"excluded,omitempty"`
}

// Participant reports whether the actor takes part in the object's
// process: started it, is named on a task, or holds a candidate role.
func (o ObjectFacts) Participant(a Actor) (bool, Message) {
	if o.StartedBy == a.Username {
		return true, ReasonStarted()
	}
	for _, n := range o.Named {
		if n == a.Username {
			return true, ReasonNamed()
		}
	}
	for _, g := range o.CandidateRoles {
		if a.Has(g.Role, g.Department) {
			return true, ReasonCandidateRole(g.Role, g.Department)
		}
	}
	return false, Message{}
}

// Works reports whether the actor is one of those who work the object: for
// a task its assignee, delegate or a candidate; for a process someone named
// on one of its tasks or holding one of its candidate roles.
func (o ObjectFacts) Works(a Actor) bool {
	if o.Ref.Type == ObjectTask {
		return o.Assignee == a.Username || o.Delegate != "" && o.Delegate == a.Username ||
			slices.ContainsFunc(o.Candidates, func(c Candidate) bool { return c.Matches(a) })
	}
	return slices.Contains(o.Named, a.Username) ||
		slices.ContainsFunc(o.CandidateRoles, func(g RoleGrant) bool { return a.Has(g.Role, g.Department) })
}

// Substituting returns the window in which the actor substitutes, at now,
// for someone who works the object and is not kept from it, if any.
func (o ObjectFacts) Substituting(a Actor, now time.Time) (Substitution, bool) {
	for _, w := range a.Substituting {
		if w.Covers(now, o.Department, o.Kind) && !slices.Contains(o.Excluded, w.Absent.Username) &&
			!slices.Contains(o.Barred, w.Absent.Username) && o.Works(w.Absent) {
			return w, true
		}
	}
	return Substitution{}, false
}

// Decision is an access decision with the reasons that led to it: the
// facts and policy lines that allowed it, or the first rule that denied.
// Reasons are the English, ReasonCodes the same as codes (Because adds
// to both).
type Decision struct {
	Allowed     bool      `json:"allowed"`
	Reasons     []string  `json:"reasons"`
	ReasonCodes []Message `json:"reason_codes"`
}

// Because adds reasons to the decision.
func (d *Decision) Because(why ...Message) {
	for _, m := range why {
		d.Reasons = append(d.Reasons, m.String())
		d.ReasonCodes = append(d.ReasonCodes, m)
	}
}
