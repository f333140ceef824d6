package rollout

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu/devserver"
)

// The process under test: one workflow type, "rollout-approval", in the
// code of two releases. Release 1 records the draft, waits for the
// approver's decision (a human step), records the approval. Release 2 also
// notifies the approver before waiting — a new step in code an old
// execution has already passed — guarded by workflow.GetVersion, as every
// change to a zhidu workflow must be.
const (
	workflowName = "rollout-approval"
	decision     = "decide"
	changeID     = "notify-approver"
)

// result is what the process returns: each step with the release that ran it.
type result struct {
	Steps   []string
	Version workflow.Version // what GetVersion answered (release 2 only)
}

func approvalV1(ctx workflow.Context) (result, error) {
	ctx = withActivityOptions(ctx)
	var r result
	if err := step(ctx, &r, "drafted"); err != nil {
		return r, err
	}
	if err := workflow.SetQueryHandler(ctx, "steps", func() ([]string, error) { return r.Steps, nil }); err != nil {
		return r, err
	}
	workflow.GetSignalChannel(ctx, decision).Receive(ctx, nil)
	return r, step(ctx, &r, "approved")
}

func approvalV2(ctx workflow.Context) (result, error) {
	ctx = withActivityOptions(ctx)
	r := result{Version: workflow.DefaultVersion}
	if err := step(ctx, &r, "drafted"); err != nil {
		return r, err
	}
	r.Version = workflow.GetVersion(ctx, changeID, workflow.DefaultVersion, 1)
	if r.Version == 1 {
		if err := step(ctx, &r, "notified"); err != nil {
			return r, err
		}
	}
	if err := workflow.SetQueryHandler(ctx, "steps", func() ([]string, error) { return r.Steps, nil }); err != nil {
		return r, err
	}
	workflow.GetSignalChannel(ctx, decision).Receive(ctx, nil)
	return r, step(ctx, &r, "approved")
}

// approvalV2Unguarded is release 2 written without GetVersion: the new step
// runs unconditionally, which breaks every execution already past it.
func approvalV2Unguarded(ctx workflow.Context) (result, error) {
	ctx = withActivityOptions(ctx)
	var r result
	for _, s := range []string{"drafted", "notified"} {
		if err := step(ctx, &r, s); err != nil {
			return r, err
		}
	}
	workflow.GetSignalChannel(ctx, decision).Receive(ctx, nil)
	return r, step(ctx, &r, "approved")
}

func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
}

func step(ctx workflow.Context, r *result, name string) error {
	var done string
	if err := workflow.ExecuteActivity(ctx, "record", name).Get(ctx, &done); err != nil {
		return err
	}
	r.Steps = append(r.Steps, done)
	return nil
}

// release is one version of the worker code: its workflow and its record
// activity, which says which release ran each step.
type release struct {
	name     string
	workflow func(workflow.Context) (result, error)
}

func (rel release) register(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(rel.workflow, workflow.RegisterOptions{Name: workflowName})
	if w, ok := r.(worker.ActivityRegistry); ok { // a worker; a replayer runs no activities
		w.RegisterActivityWithOptions(func(ctx context.Context, name string) (string, error) {
			return name + "@" + rel.name, nil
		}, activity.RegisterOptions{Name: "record"})
	}
}

var (
	release1          = release{"release-1", approvalV1}
	release2          = release{"release-2", approvalV2}
	release2Unguarded = release{"release-2-unguarded", approvalV2Unguarded}
)

// quiet discards the SDK's log: the replays meant to fail log their
// panics, and the test asserts them.
func quiet() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.DiscardHandler))
}

func startWorker(t *testing.T, c client.Client, queue string, rel release) worker.Worker {
	t.Helper()
	w := worker.New(c, queue, worker.Options{StickyScheduleToStartTimeout: time.Second})
	rel.register(w)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	return w
}

// waitSteps waits until the execution has recorded want (and so waits for
// its human step).
func waitSteps(t *testing.T, c client.Client, id string, want []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var got []string
	var err error
	for time.Now().Before(deadline) {
		var v converter.EncodedValue
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		v, err = c.QueryWorkflow(ctx, id, "", "steps")
		cancel()
		if err == nil {
			if err = v.Get(&got); err == nil && slices.Equal(got, want) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: steps %v (%v), want %v", id, got, err, want)
}

func history(t *testing.T, c client.Client, id string) *historypb.History {
	t.Helper()
	h := &historypb.History{}
	it := c.GetWorkflowHistory(context.Background(), id, "", false, 0)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	return h
}

func replay(rel release, h *historypb.History) error {
	r := worker.NewWorkflowReplayer()
	rel.register(r)
	return r.ReplayWorkflowHistory(quiet(), h)
}

// TestRolloutWithProcessesInFlight runs a process half-way on release 1's
// worker — to its human step — stops that worker, starts release 2's on
// the same task queue and finishes the process there. The old execution
// keeps the path it took (GetVersion answers DefaultVersion: no
// notification step is inserted into its past), a process started after
// the rollout takes the new one (version 1). Its history, recorded before
// the change, replays under release 2 and fails to replay under release 2
// written without GetVersion: what the replay fixtures in
// workflows/testdata/histories catch for zhidu's own workflows.
func TestRolloutWithProcessesInFlight(t *testing.T) {
	srv, err := devserver.Start(devserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	queue := fmt.Sprintf("rollout-%d", time.Now().UnixNano())
	start := func(id string) client.WorkflowRun {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflowName)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}

	// Release 1 runs the process to its human step.
	w1 := startWorker(t, c, queue, release1)
	old := start("old-" + queue)
	waitSteps(t, c, old.GetID(), []string{"drafted@release-1"})
	w1.Stop()
	before := history(t, c, old.GetID()) // the fixture one records before changing the code

	// Release 2 alone from here on.
	w2 := startWorker(t, c, queue, release2)
	defer w2.Stop()
	waitSteps(t, c, old.GetID(), []string{"drafted@release-1"}) // release 2 replays the old history
	if err := c.SignalWorkflow(ctx, old.GetID(), "", decision, nil); err != nil {
		t.Fatal(err)
	}
	var got result
	if err := old.Get(ctx, &got); err != nil {
		t.Fatalf("the process started on release 1 did not finish on release 2: %v", err)
	}
	if want := []string{"drafted@release-1", "approved@release-2"}; !slices.Equal(got.Steps, want) || got.Version != workflow.DefaultVersion {
		t.Fatalf("old process: %+v, want steps %v at DefaultVersion", got, want)
	}

	fresh := start("new-" + queue)
	waitSteps(t, c, fresh.GetID(), []string{"drafted@release-2", "notified@release-2"})
	if err := c.SignalWorkflow(ctx, fresh.GetID(), "", decision, nil); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if want := []string{"drafted@release-2", "notified@release-2", "approved@release-2"}; !slices.Equal(got.Steps, want) || got.Version != 1 {
		t.Fatalf("new process: %+v, want steps %v at version 1", got, want)
	}

	// Replay: the half-way and the finished history of the old process,
	// and the new process's, under release 2.
	for name, h := range map[string]*historypb.History{"old, half-way": before, "old, finished": history(t, c, old.GetID()),
		"new": history(t, c, fresh.GetID())} {
		if err := replay(release2, h); err != nil {
			t.Errorf("%s history does not replay under release 2: %v", name, err)
		}
	}
	// Release 2 without GetVersion cannot continue the old process.
	err = replay(release2Unguarded, before)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "nondeterminis") {
		t.Errorf("release 2 without GetVersion replayed the old history: %v", err)
	}
	// And release 1 cannot replay a history release 2 made (a rollback past
	// a change is not safe either).
	if err := replay(release1, history(t, c, fresh.GetID())); err == nil {
		t.Error("release 1 replayed a history with release 2's notification step")
	}
}
