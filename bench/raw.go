package bench

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/activities"
	"github.com/zhidu/zhidu/workflows"
)

// Raw drives the same workflows straight through the Temporal SDK: the
// kind's real workflow function on a task queue of its own, with a no-op
// under every activity name zhidu's worker registers, and each human step
// completed by sending the CompleteTask update with a valid actor. No
// HTTP, no authorisation, no PostgreSQL: what the same Temporal server does
// for the same workflow shape, the ceiling zhidu is compared with.
type Raw struct {
	Client    client.Client
	TaskQueue string
	Scenario  Scenario
	// Actors are the users' facts the updates carry (the workflow's
	// validators check them).
	Actors map[string]zhidu.Actor
	// Config is the kind's configuration, passed in the workflow input as
	// zhidu's API passes its own.
	Config  any
	Nonce   string
	Timeout time.Duration

	// created tells a waiting process that its next task was created.
	created sync.Map // process ID → chan createdTask
}

type createdTask struct{ id, step string }

// StartWorker registers the real workflows and the no-op activities on the
// raw task queue and starts polling it; stop the returned worker after.
func (r *Raw) StartWorker(opts worker.Options) (worker.Worker, error) {
	w := worker.New(r.Client, r.TaskQueue, opts)
	workflows.Register(w)
	if err := r.registerNoops(w); err != nil {
		return nil, err
	}
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start raw worker: %w", err)
	}
	return w, nil
}

// activityRegistry is where no-op activities go: a worker, or a test
// environment.
type activityRegistry interface {
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// registerNoops registers a no-op under every activity name zhidu's worker
// registers (activities.Activities.Register, whatever processes it
// serves), each with the real activity's signature, so its arguments are
// decoded as the real one's are: any process's workflow runs raw.
func (r *Raw) registerNoops(reg activityRegistry) error {
	n := &noops{r: r, reg: reg}
	(&activities.Activities{}).Register(n)
	return n.err
}

// noops is a worker.ActivityRegistry that registers, for each activity it
// is handed, a no-op of the same type. The human-task step's CreateTask
// says one person may work the task and tells the process waiting for it;
// RecordTaskEvent says one person may still work it; every other activity
// returns the scenario's answer (BenchScenario.Answers) or its zero
// results.
type noops struct {
	r   *Raw
	reg activityRegistry
	err error
}

func (n *noops) RegisterActivityWithOptions(fn any, o activity.RegisterOptions) {
	t := reflect.TypeOf(fn)
	var noop any
	switch o.Name {
	case workflows.ActivityCreateTask:
		noop = n.createTask
	case workflows.ActivityRecordTaskEvent:
		noop = recordTaskEvent
	default:
		answer, answered := n.r.Scenario.Answers[o.Name]
		if answered && (t.NumOut() != 2 || reflect.TypeOf(answer) != t.Out(0)) && n.err == nil {
			n.err = fmt.Errorf("raw: the answer of %s is a %T, the activity returns %s", o.Name, answer, t)
		}
		noop = reflect.MakeFunc(t, func([]reflect.Value) []reflect.Value {
			out := make([]reflect.Value, t.NumOut())
			for i := range out {
				out[i] = reflect.Zero(t.Out(i))
			}
			if answered && n.err == nil {
				out[0] = reflect.ValueOf(answer)
			}
			return out
		}).Interface()
	}
	if got := reflect.TypeOf(noop); got != t && n.err == nil {
		n.err = fmt.Errorf("raw: the no-op %s is a %s, the activity a %s", o.Name, got, t)
	}
	n.reg.RegisterActivityWithOptions(noop, o)
}

func (n *noops) RegisterActivity(a any) {
	if n.err == nil {
		n.err = fmt.Errorf("raw: activity %T registered without a name", a)
	}
}

func (n *noops) RegisterDynamicActivity(a any, _ activity.DynamicRegisterOptions) {
	if n.err == nil {
		n.err = fmt.Errorf("raw: dynamic activity %T has no no-op", a)
	}
}

func (n *noops) createTask(_ context.Context, in zhidu.CreateTaskInput) (zhidu.CreateTaskResult, error) {
	if ch, ok := n.r.created.Load(in.Process.ID); ok {
		select {
		case ch.(chan createdTask) <- createdTask{id: in.TaskID, step: in.Spec.Step}:
		default: // a retry of a task already announced
		}
	}
	return zhidu.CreateTaskResult{Eligible: 1}, nil
}

func recordTaskEvent(context.Context, zhidu.TaskEvent) (int, error) { return 1, nil }

// Check verifies that every user the scenario needs is known.
func (r *Raw) Check() error {
	for _, u := range r.Scenario.Users() {
		if _, ok := r.Actors[u]; !ok {
			return fmt.Errorf("no facts for user %s, whom the %s scenario needs", u, r.Scenario.Kind)
		}
	}
	return nil
}

// input builds the workflow input the API would build for the i-th
// process's start body.
func (r *Raw) input(id string, i int) (any, error) {
	sc := r.Scenario
	starter := r.Actors[sc.Starter]
	info := zhidu.ProcessInfo{ID: id, Kind: sc.Kind, StartedBy: starter.Username, Department: sc.Owner(starter)}
	in, err := sc.Input(sc.StartBody(i, r.Nonce), info, r.Config)
	if err != nil {
		return nil, fmt.Errorf("raw %s input: %w", sc.Kind, err)
	}
	return in, nil
}

// one runs the i-th process: start, then one CompleteTask update per step
// as soon as its task exists, then wait for the result.
func (r *Raw) one(ctx context.Context, i int, rec *Recorder) error {
	sc := r.Scenario
	id := fmt.Sprintf("bench-raw-%s-%s-%d", sc.Kind, r.Nonce, i)
	input, err := r.input(id, i)
	if err != nil {
		return err
	}
	tasks := make(chan createdTask, 16)
	r.created.Store(id, tasks)
	defer r.created.Delete(id)

	began := time.Now()
	var run client.WorkflowRun
	if _, err := rec.Time(OpStart, func() (err error) {
		run, err = r.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: id, TaskQueue: r.TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		}, sc.Workflow, input)
		return err
	}); err != nil {
		return fmt.Errorf("start %s: %w", id, err)
	}
	// Steps beside the main line may create their tasks in any order:
	// those created before their step comes wait in pending.
	pending := map[string]createdTask{}
	for _, st := range sc.Steps {
		if st.Call != "" {
			if err := r.call(ctx, rec, id, i, st); err != nil {
				return err
			}
			continue
		}
		t, ok := pending[st.Step]
		for !ok {
			select {
			case c := <-tasks:
				if c.step == st.Step {
					t, ok = c, true
				} else {
					pending[c.step] = c
				}
			case <-time.After(r.Timeout):
				return fmt.Errorf("%s: no task %s %w after %s", id, st.Step, errTimeout, r.Timeout)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		delete(pending, st.Step)
		if err := r.complete(ctx, rec, id, t.id, st, i); err != nil {
			return err
		}
	}
	// Wait for the result, working optional steps (a spot check) if the
	// configuration samples one. The result is asked for again every
	// second: a long poll that starts as the workflow closes may miss it
	// and wait for the server's 20 s long-poll timeout.
	since := time.Now()
	deadline := since.Add(r.Timeout)
	for {
		for _, t := range pending {
			tasks <- t // announced before: look at them again below
		}
		clear(pending)
		select {
		case t := <-tasks:
			for _, st := range sc.Optional {
				if st.Step == t.step {
					if err := r.complete(ctx, rec, id, t.id, st, i); err != nil {
						return err
					}
				}
			}
			continue
		default:
		}
		short, cancel := context.WithTimeout(ctx, time.Second)
		err := run.Get(short, nil)
		// The server may answer the poll's deadline a moment before the
		// context sees it: a deadline either way is a poll that expired.
		var serverDeadline *serviceerror.DeadlineExceeded
		expired := errors.Is(short.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
			errors.As(err, &serverDeadline)
		cancel()
		switch {
		case err == nil:
			rec.Add(OpEnd, time.Since(since))
			rec.Add(OpProcess, time.Since(began))
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case !expired:
			return fmt.Errorf("%s: %w", id, err)
		case time.Now().After(deadline):
			return fmt.Errorf("%s: did not finish: %w after %s", id, errTimeout, r.Timeout)
		}
	}
}

// complete sends the CompleteTask update as the step's user, who has
// claimed it (the API would have set Assignee from the inbox row).
func (r *Raw) complete(ctx context.Context, rec *Recorder, id, taskID string, st Step, i int) error {
	req := r.request(taskID, st, i)
	if _, err := rec.Time(OpComplete, func() error {
		h, err := r.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: workflows.UpdateCompleteTask, Args: []any{req},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		var res zhidu.CompleteTaskResult
		return h.Get(ctx, &res)
	}); err != nil {
		return fmt.Errorf("%s: complete %s: %w", id, st.Step, err)
	}
	rec.Count("tasks", 1)
	return nil
}

// request is the CompleteTask update of a step's task in the i-th process.
func (r *Raw) request(taskID string, st Step, i int) zhidu.CompleteTaskRequest {
	actor := r.actor(st.User, i)
	return zhidu.CompleteTaskRequest{TaskID: taskID, Actor: actor, Assignee: actor.Username, Outcome: st.Outcome, Data: st.Data}
}

// actor returns the facts of a step's user in the i-th process: a demo
// user's, or the process's subject's.
func (r *Raw) actor(user string, i int) zhidu.Actor {
	if user == workflows.BenchSubjectUser {
		return r.Scenario.SubjectActor(i, r.Nonce)
	}
	return r.Actors[user]
}

// call sends a call step's update, as the API would for its request.
func (r *Raw) call(ctx context.Context, rec *Recorder, id string, i int, st Step) error {
	arg, err := st.Arg(st.Data, r.actor(st.User, i))
	if err != nil {
		return fmt.Errorf("%s: %s: %w", id, st.Step, err)
	}
	if _, err := rec.Time(OpCall, func() error {
		h, err := r.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: st.Update, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	}); err != nil {
		return fmt.Errorf("%s: %s: %w", id, st.Step, err)
	}
	rec.Count("calls", 1)
	return nil
}
