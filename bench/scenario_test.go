package bench

import (
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

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
			if fmt.Sprint(sc.StartBody(1, "n")) == fmt.Sprint(sc.StartBody(2, "n")) {
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

			// Every minute of test time, the next step is taken: its call
			// sent, or its task worked once created (tasks of steps beside
			// the main line may be created in any order).
			var done []string
			steps := slices.Clone(sc.Steps)
			pending := map[string]createdTask{}
			callback := func(st Step) *testsuite.TestUpdateCallback {
				return &testsuite.TestUpdateCallback{
					OnAccept: func() {},
					OnReject: func(err error) { t.Errorf("%s as %s refused: %v", st.Step, st.User, err) },
					OnComplete: func(_ any, err error) {
						if err != nil {
							t.Errorf("%s as %s: %v", st.Step, st.User, err)
						}
						done = append(done, st.Step)
					},
				}
			}
			for k := range 3 * (len(sc.Steps) + len(sc.Optional)) {
				env.RegisterDelayedCallback(func() {
					for drained := false; !drained; {
						select {
						case task := <-tasks:
							pending[task.step] = task
						default:
							drained = true
						}
					}
					if len(steps) > 0 && steps[0].Call != "" {
						st := steps[0]
						steps = steps[1:]
						arg, err := st.Arg(st.Data, r.actor(st.User, 1))
						if err != nil {
							t.Fatal(err)
						}
						env.UpdateWorkflow(st.Update, "", callback(st), arg)
						return
					}
					var st Step
					var task createdTask
					if len(steps) > 0 {
						if c, ok := pending[steps[0].Step]; ok {
							st, task, steps = steps[0], c, steps[1:]
						}
					}
					for _, o := range sc.Optional {
						if c, ok := pending[o.Step]; ok && st.Step == "" {
							st, task = o, c
						}
					}
					if st.Step == "" {
						return
					}
					delete(pending, st.Step)
					env.UpdateWorkflow(workflows.UpdateCompleteTask, "", callback(st), r.request(task.id, st, 1))
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
	if _, err := ScenarioFor("no_such_kind"); err == nil {
		t.Error("an unknown kind must be refused")
	}
}
