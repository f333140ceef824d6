package workflows

import (
	"encoding/json"
	"fmt"

	"github.com/zhidu/zhidu"
)

// BenchScenario is how `zhidu bench --kind KIND` drives a process: the
// happy path as the demo organisation works it (demo usernames, the
// workflows package does not know the demo data). The bench starts the
// process through the API with Start's body, then each step's user finds
// the step's task in their inbox, claims it and completes it with the
// step's outcome and data; its raw baseline starts the same workflow with
// Input's input and sends the same completions as Temporal updates.
type BenchScenario struct {
	// Starter is the demo user who starts every process.
	Starter string
	// Start returns the start body (POST /processes/{kind}) of the i-th
	// process; i keeps titles apart.
	Start func(i int) map[string]any
	// Input is the workflow input the API builds from a body Start
	// returned, for the raw baseline, which starts the workflow without the
	// API. info holds the facts the API fills before it reads the body (ID,
	// kind, starter, owning department); config is the kind's
	// configuration, as Defaults returns it or as configured.
	Input func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error)
	// Config, if set, adjusts the kind's configuration for bench runs (no
	// waits between people): the embedded stack's API and the raw baseline
	// both run with what it returns.
	Config func(config any) any
	// Deployment says how to configure a running deployment for the same
	// run (zhidu bench --url measures it with its own configuration).
	Deployment string
	// Steps are the human steps in the order the process reaches them.
	Steps []BenchStep
	// Optional steps may follow Steps, depending on a deployment's
	// configuration (a sampled spot check); they are worked if they appear.
	Optional []BenchStep
	// Answers are what the raw baseline's no-op activities return, by
	// activity name, where the zero result would stop the process (the
	// suppliers a purchase's sourcing offers); each must be of the
	// activity's result type.
	Answers map[string]any
	// Subject, when set, is the person each process is about, who can be
	// in one such process at a time (a probation's employee): the bench
	// makes a user of its own for each process before the run (through the
	// administration API, as the system administrator sysadmin; the raw
	// baseline from the same facts), named by what Start puts in the
	// body's Field with the run's nonce appended, and puts that name
	// there. Steps whose User is BenchSubjectUser are that user's.
	Subject *BenchSubject
	// Source, when set, is an object every start body names (the
	// top-secret source of a copy): the bench starts it once before the
	// run through the API and puts "process:ID" in the body's Field; the
	// raw baseline, which looks nothing up, keeps what Start put there.
	Source *BenchSource
}

// BenchSource is the process a scenario's Source starts: as User, a
// process of Kind with Body.
type BenchSource struct {
	Field, User, Kind string
	Body              map[string]any
}

// BenchSubject is the kind of user a scenario's Subject makes.
type BenchSubject struct {
	Field      string // the start body's field that names the user
	Department zhidu.Department
	Roles      []zhidu.RoleGrant
	Clearance  zhidu.Level
}

// BenchSubjectUser, as a step's User, stands for the process's subject.
const BenchSubjectUser = "{subject}"

// Tasks counts the human steps of Steps (not the calls).
func (s BenchScenario) Tasks() int {
	n := 0
	for _, st := range s.Steps {
		if st.Call == "" {
			n++
		}
	}
	return n
}

// BenchStep is one human task of a bench scenario: who works it and what
// they submit.
type BenchStep struct {
	Step    string // the task's step name (TaskSpec.Step)
	User    string // the demo user who works it, or BenchSubjectUser
	Outcome string
	Data    map[string]any
	// Call, when set, makes the step a request instead of a task (a sale
	// recorded as it happens): the user POSTs Data to this API path, in
	// which {subject} is the subject's username, and the raw baseline
	// sends the workflow the update named Update with Arg's argument: what
	// the API sends for that request, of the type the workflow decodes (the
	// actor's signature covers it as decoded). Step names it in reports
	// and errors.
	Call   string
	Update string
	Arg    func(data map[string]any, actor zhidu.Actor) (any, error)
}

// benchArg makes a call step's update argument of type T: the step's data
// with the actor's facts as "actor".
func benchArg[T any](data map[string]any, actor zhidu.Actor) (any, error) {
	body := map[string]any{"actor": actor}
	for k, v := range data {
		body[k] = v
	}
	return benchBody[T](body)
}

// Users returns every demo user the scenario acts as, the starter first
// (and the system administrator, who makes the subjects).
func (s BenchScenario) Users() []string {
	out := []string{s.Starter}
	if s.Subject != nil {
		out = append(out, BenchAdmin)
	}
	if s.Source != nil {
		out = append(out, s.Source.User)
	}
	for _, st := range append(append([]BenchStep(nil), s.Steps...), s.Optional...) {
		if st.User != BenchSubjectUser {
			out = append(out, st.User)
		}
	}
	return out
}

// BenchAdmin is the demo user who makes a scenario's subjects.
const BenchAdmin = "sysadmin"

// SubjectName is the username of the i-th process's subject in the run
// nonce names; "" when the scenario has none.
func (s BenchScenario) SubjectName(i int, nonce string) string {
	if s.Subject == nil {
		return ""
	}
	return fmt.Sprint(s.Start(i)[s.Subject.Field]) + "-" + nonce
}

// StartBody is Start's body of the i-th process with its subject's
// username in place.
func (s BenchScenario) StartBody(i int, nonce string) map[string]any {
	body := s.Start(i)
	if s.Subject != nil {
		body[s.Subject.Field] = s.SubjectName(i, nonce)
	}
	return body
}

// SubjectActor returns the facts of the i-th process's subject.
func (s BenchScenario) SubjectActor(i int, nonce string) zhidu.Actor {
	return zhidu.Actor{Username: s.SubjectName(i, nonce), Department: s.Subject.Department, Roles: s.Subject.Roles,
		Clearance: s.Subject.Clearance}
}

// benchBody decodes a start body into the struct a scenario's Input reads.
func benchBody[T any](body map[string]any) (T, error) {
	var v T
	b, err := json.Marshal(body)
	if err != nil {
		return v, err
	}
	err = json.Unmarshal(b, &v)
	return v, err
}
