package workflows

import (
	"encoding/json"

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
	// RawResults are what the raw baseline's no-op of an activity returns,
	// by activity name, instead of its zero result: what zhidu's database
	// holds and the process reads (the suppliers a buyer may quote). Each
	// value has the type of the activity's first result.
	RawResults map[string]any
	// Steps are the human steps in the order the process reaches them.
	Steps []BenchStep
	// Optional steps may follow Steps, depending on a deployment's
	// configuration (a sampled spot check); they are worked if they appear.
	Optional []BenchStep
}

// BenchStep is one human task of a bench scenario: who works it and what
// they submit.
type BenchStep struct {
	Step    string // the task's step name (TaskSpec.Step)
	User    string // the demo user who works it
	Outcome string
	Data    map[string]any
}

// Users returns every user the scenario acts as, the starter first.
func (s BenchScenario) Users() []string {
	out := []string{s.Starter}
	for _, st := range append(append([]BenchStep(nil), s.Steps...), s.Optional...) {
		out = append(out, st.User)
	}
	return out
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
