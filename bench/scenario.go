package bench

import (
	"fmt"
	"strings"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// Step is one human task of a scenario: who works it and what they submit.
type Step = workflows.BenchStep

// Scenario is one process kind as zhidu bench drives it: the bench
// scenario its descriptor declares (workflows.BenchScenario), with what
// the raw baseline needs of the descriptor to start the workflow itself.
type Scenario struct {
	Kind     string
	Workflow string // the registered workflow name
	// Owner is the department that owns a process the starter starts.
	Owner func(zhidu.Actor) zhidu.Department
	workflows.BenchScenario
}

// Kinds are the process kinds zhidu bench can drive: those whose
// descriptor has a bench scenario, in the descriptors' order.
func Kinds() []string {
	var out []string
	for _, d := range workflows.Descriptors() {
		if d.Bench != nil {
			out = append(out, d.Kind)
		}
	}
	return out
}

// ScenarioFor returns the scenario of a process kind.
func ScenarioFor(kind string) (Scenario, error) {
	d, ok := workflows.Lookup(kind)
	if !ok || d.Bench == nil {
		return Scenario{}, fmt.Errorf("no bench scenario for kind %q (kinds with one: %s)", kind, strings.Join(Kinds(), ", "))
	}
	return Scenario{Kind: d.Kind, Workflow: d.Workflow, Owner: d.Owner, BenchScenario: *d.Bench}, nil
}
