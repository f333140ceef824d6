package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/workflows"
)

// demoActors are the demo users' facts, as zhidu bench reads them from the
// credentials of the organisation it seeds.
func demoActors() map[string]zhidu.Actor {
	out := map[string]zhidu.Actor{}
	for _, u := range demo.Users() {
		out[u.Username] = u.Actor()
	}
	return out
}

// TestScenarios runs every kind's bench scenario through its real workflow
// in the test environment, the way the raw baseline runs it: the input the
// scenario builds, the no-op activities, and each step's completion as the
// step's demo user. A scenario whose user is not a candidate, whose
// outcome or data the step refuses, or whose steps come in another order
// fails here, not in a benchmark.
func TestScenarios(t *testing.T) {
	kinds := Kinds()
	var started []string // every process but those only zhidu starts has one
	for _, d := range workflows.Descriptors() {
		if !d.Internal {
			started = append(started, d.Kind)
		}
	}
	if !slices.Equal(kinds, started) {
		t.Errorf("bench kinds %v: every process a person starts (%v) has a bench scenario", kinds, started)
	}
	actors := demoActors()
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			sc, err := ScenarioFor(kind)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Kind != kind || sc.Workflow == "" || len(sc.Steps) == 0 || sc.Starter == "" {
				t.Fatalf("%s scenario = %+v", kind, sc)
			}
			if fmt.Sprint(sc.Start(1)) == fmt.Sprint(sc.Start(2)) {
				t.Errorf("%s: every process should have its own title", kind)
			}
			d, _ := workflows.Lookup(kind)
			config := d.Defaults()
			if sc.Config != nil {
				config = sc.Config(config)
			}
			r := &Raw{Scenario: sc, Actors: actors, Config: config}
			if err := r.Check(); err != nil {
				t.Fatal(err)
			}
			var suite testsuite.WorkflowTestSuite
			suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))))
			env := suite.NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(d.Func, workflow.RegisterOptions{Name: sc.Workflow})
			if err := r.registerNoops(env); err != nil {
				t.Fatal(err)
			}
			id := "bench-test-" + kind
			input, err := r.input(id, 1)
			if err != nil {
				t.Fatal(err)
			}
			tasks := make(chan createdTask, 16)
			r.created.Store(id, tasks)

			// Every minute of test time, the next created task is worked.
			var done []string
			steps := slices.Clone(sc.Steps)
			for k := range 3 * (len(sc.Steps) + len(sc.Optional)) {
				env.RegisterDelayedCallback(func() {
					var task createdTask
					select {
					case task = <-tasks:
					default:
						return
					}
					var st Step
					switch i := slices.IndexFunc(sc.Optional, func(s Step) bool { return s.Step == task.step }); {
					case len(steps) > 0 && steps[0].Step == task.step:
						st, steps = steps[0], steps[1:]
					case i >= 0:
						st = sc.Optional[i]
					default:
						t.Errorf("task %s created, want %v", task.step, steps)
						return
					}
					env.UpdateWorkflow(workflows.UpdateCompleteTask, "", &testsuite.TestUpdateCallback{
						OnAccept: func() {},
						OnReject: func(err error) { t.Errorf("%s as %s refused: %v", st.Step, st.User, err) },
						OnComplete: func(_ any, err error) {
							if err != nil {
								t.Errorf("%s as %s: %v", st.Step, st.User, err)
							}
							done = append(done, st.Step)
						},
					}, r.request(task.id, st))
				}, time.Duration(k+1)*time.Minute)
			}
			env.ExecuteWorkflow(sc.Workflow, input)
			if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
				t.Fatalf("workflow completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
			}
			if len(steps) > 0 {
				t.Errorf("steps never reached: %v (done: %v)", steps, done)
			}
			if len(done) != len(sc.Steps) {
				t.Errorf("steps worked: %v, want the %d of the scenario", done, len(sc.Steps))
			}
		})
	}
	if _, err := ScenarioFor("nope"); err == nil {
		t.Error("an unknown kind must be refused")
	}
}

// activityNames records the names a registry is handed.
type activityNames map[string]any

func (a activityNames) RegisterActivityWithOptions(fn any, o activity.RegisterOptions) {
	a[o.Name] = fn
}

// TestRawResults: a scenario's raw result is what the no-op of its activity
// returns; one of another type than the activity's, or for no activity, is
// refused before a run.
func TestRawResults(t *testing.T) {
	sc, err := ScenarioFor(workflows.KindPurchase)
	if err != nil {
		t.Fatal(err)
	}
	reg := activityNames{}
	if err := (&Raw{Scenario: sc}).registerNoops(reg); err != nil {
		t.Fatal(err)
	}
	load, ok := reg[workflows.ActivityLoadSuppliers].(func(context.Context, []string) ([]zhidu.Supplier, error))
	if !ok {
		t.Fatalf("the no-op of %s is a %T", workflows.ActivityLoadSuppliers, reg[workflows.ActivityLoadSuppliers])
	}
	if got, err := load(context.Background(), nil); err != nil || len(got) != 1 || got[0].ID != "sup-huadong" {
		t.Errorf("%s no-op = %v, %v", workflows.ActivityLoadSuppliers, got, err)
	}
	for _, results := range []map[string]any{
		{workflows.ActivityLoadSuppliers: []string{"sup-huadong"}},
		{"NoSuchActivity": 1},
	} {
		bad := sc
		bad.RawResults = results
		if err := (&Raw{Scenario: bad}).registerNoops(activityNames{}); err == nil {
			t.Errorf("raw results %v accepted", results)
		}
	}
}
