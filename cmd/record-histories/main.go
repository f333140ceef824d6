// Command record-histories records event histories of zhidu's workflows
// as replay fixtures under workflows/testdata/histories.
//
// Run it BEFORE changing a workflow, from the module root:
//
//	go run ./cmd/record-histories [-out workflows/testdata/histories]
//
// It starts an in-memory Temporal server, runs a worker with the real
// workflows and stub activities (no database), drives each scenario
// through the client as the API would, and writes every finished history
// as JSON. Commit the fixtures with the change: the replay test in
// package workflows keeps replaying them, so a change that would break
// processes already running (a missing workflow.GetVersion) fails there.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/devserver"
	"github.com/zhidu/zhidu/workflows"
)

func main() {
	out := flag.String("out", filepath.Join("workflows", "testdata", "histories"), "directory the histories are written to")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "record-histories:", err)
		os.Exit(1)
	}
}

// The demo people who act in the scenarios.
var (
	csAgent = actor("cs.agent", zhidu.DeptCS, zhidu.Internal, zhidu.RoleStaff, zhidu.DeptCS)
	csHead  = actor("cs.head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleDeptHead, zhidu.DeptCS)
	csSuper = actor("cs.super", zhidu.DeptCS, zhidu.Secret, zhidu.RoleSupervisor, zhidu.DeptCS)
	vpOps   = actor("vp.ops", zhidu.DeptGMO, zhidu.Confidential, zhidu.RoleVP, zhidu.DeptCS)
	deputy  = actor("deputy", zhidu.DeptGMO, zhidu.TopSecret, zhidu.RoleDeputyGM, zhidu.DeptGMO)
)

func actor(username string, dept zhidu.Department, clearance zhidu.Level, role zhidu.Role, in zhidu.Department) zhidu.Actor {
	return zhidu.Actor{Username: username, Department: dept, Clearance: clearance,
		Roles: []zhidu.RoleGrant{{Role: role, Department: in}}}
}

// A scenario drives one approval, started with sla, to its end.
type scenario struct {
	name  string
	sla   workflows.SLA
	drive func(ctx context.Context, d *driver) error
}

// longSLA gives every task timers that never fire while the scenario
// runs, so the histories hold the timers a real process starts and
// cancels.
var longSLA = workflows.SLA{Due: 48 * time.Hour, Reminder: 24 * time.Hour, Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}}

var scenarios = []scenario{
	{name: "approval-approved", sla: longSLA, drive: func(ctx context.Context, d *driver) error {
		if err := d.complete(ctx, "dept_head", csHead, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		return d.complete(ctx, "vp", vpOps, workflows.OutcomeApprove, "")
	}},
	{name: "approval-rejected", sla: longSLA, drive: func(ctx context.Context, d *driver) error {
		return d.complete(ctx, "dept_head", csHead, workflows.OutcomeReject, "we bought headsets last month")
	}},
	{name: "approval-delegated", sla: longSLA, drive: func(ctx context.Context, d *driver) error {
		task, err := d.task(ctx, "dept_head", 0)
		if err != nil {
			return err
		}
		if err := d.update(ctx, workflows.UpdateAssignTask, zhidu.AssignTaskRequest{TaskID: task, Kind: zhidu.AssignDelegate,
			Actor: csHead, Owner: csHead.Username, To: csSuper, Note: "on leave"}); err != nil {
			return err
		}
		if err := d.update(ctx, workflows.UpdateCompleteTask, zhidu.CompleteTaskRequest{TaskID: task, Actor: csSuper,
			Assignee: csHead.Username, OnBehalfOf: csHead.Username, Outcome: workflows.OutcomeApprove}); err != nil {
			return err
		}
		return d.complete(ctx, "vp", vpOps, workflows.OutcomeApprove, "")
	}},
	{name: "approval-cancelled", sla: longSLA, drive: func(ctx context.Context, d *driver) error {
		if err := d.complete(ctx, "dept_head", csHead, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		if _, err := d.task(ctx, "vp", 0); err != nil {
			return err
		}
		return d.update(ctx, workflows.UpdateCancelProcess, zhidu.CancelProcessRequest{Actor: csAgent, Reason: "bought elsewhere"})
	}},
	{name: "approval-validation-rejected", sla: longSLA, drive: func(ctx context.Context, d *driver) error {
		task, err := d.task(ctx, "dept_head", 0)
		if err != nil {
			return err
		}
		// Rejecting without an opinion is refused and leaves no trace.
		err = d.update(ctx, workflows.UpdateCompleteTask, zhidu.CompleteTaskRequest{TaskID: task, Actor: csHead,
			Assignee: csHead.Username, Outcome: workflows.OutcomeReject})
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.Type() != string(zhidu.CodeInvalid) {
			return fmt.Errorf("reject without opinion: got %v, want an %s rejection", err, zhidu.CodeInvalid)
		}
		if err := d.complete(ctx, "dept_head", csHead, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		return d.complete(ctx, "vp", vpOps, workflows.OutcomeApprove, "")
	}},
	{name: "approval-escalated", sla: workflows.SLA{Due: 3 * time.Second, Reminder: time.Second,
		Escalate: []time.Duration{2 * time.Second, time.Hour}}, drive: func(ctx context.Context, d *driver) error {
		// Nobody acts on step 1 until it is reminded and escalated to the
		// VP; step 2 then waits for its own escalation to the deputy GM.
		if _, err := d.task(ctx, "dept_head", 1); err != nil {
			return err
		}
		if err := d.complete(ctx, "dept_head", vpOps, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		if _, err := d.task(ctx, "vp", 1); err != nil {
			return err
		}
		return d.complete(ctx, "vp", deputy, workflows.OutcomeApprove, "")
	}},
	{name: "approval-nobody-eligible", sla: longSLA, drive: func(ctx context.Context, d *driver) error {
		// The stub CreateTask finds nobody for this process: each step
		// escalates at once.
		if err := d.complete(ctx, "dept_head", vpOps, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		return d.complete(ctx, "vp", deputy, workflows.OutcomeApprove, "")
	}},
}

func run(ctx context.Context, dir string, out io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	srv, err := devserver.Start(devserver.Options{})
	if err != nil {
		return err
	}
	defer srv.Stop()

	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Logger: logger})
	if err != nil {
		return fmt.Errorf("dial Temporal: %w", err)
	}
	defer c.Close()

	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	workflows.Register(w)
	stubs{}.register(w)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()

	for _, s := range scenarios {
		path := filepath.Join(dir, s.name+".json")
		if err := record(ctx, c, s, path); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := replay(path, logger); err != nil {
			return fmt.Errorf("%s: recorded history does not replay: %w", s.name, err)
		}
		fmt.Fprintln(out, "wrote", path)
	}
	return nil
}

// record runs one scenario and writes its history to path.
func record(ctx context.Context, c client.Client, s scenario, path string) error {
	id := "fixture-" + s.name
	in := workflows.ApprovalInput{
		Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindApproval, Title: "Headsets for the hotline",
			Level: zhidu.Internal, Department: zhidu.DeptCS, StartedBy: csAgent.Username},
		Details: "12 headsets",
		SLA:     s.sla,
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowApproval, in)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	if err := s.drive(ctx, &driver{c: c, id: id}); err != nil {
		return err
	}
	var res workflows.ApprovalResult
	if err := run.Get(ctx, &res); err != nil {
		return fmt.Errorf("result: %w", err)
	}

	var h historypb.History
	events := c.GetWorkflowHistory(ctx, id, run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for events.HasNext() {
		e, err := events.Next()
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&h)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// replay checks a fixture the way the replay test will.
func replay(path string, logger log.Logger) error {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.Approval, workflow.RegisterOptions{Name: workflows.WorkflowApproval})
	return r.ReplayWorkflowHistoryFromJSONFile(logger, path)
}

// driver acts on one running approval as the API would.
type driver struct {
	c  client.Client
	id string
}

// task waits until the State query shows the task of a step at or past an
// escalation rung, and returns its ID.
func (d *driver) task(ctx context.Context, stepKey string, rung int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		v, err := d.c.QueryWorkflow(ctx, d.id, "", workflows.QueryState)
		if err != nil {
			return "", fmt.Errorf("query %s: %w", workflows.QueryState, err)
		}
		var st workflows.ProcessState
		if err := v.Get(&st); err != nil {
			return "", fmt.Errorf("decode %s: %w", workflows.QueryState, err)
		}
		for _, t := range st.Tasks {
			if t.Spec.StepKey == stepKey && t.Rung >= rung {
				return t.ID, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for task %s at rung %d: %w", stepKey, rung, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// complete has a candidate complete a step's task on their own.
func (d *driver) complete(ctx context.Context, stepKey string, a zhidu.Actor, outcome, opinion string) error {
	task, err := d.task(ctx, stepKey, 0)
	if err != nil {
		return err
	}
	req := zhidu.CompleteTaskRequest{TaskID: task, Actor: a, Assignee: a.Username, Outcome: outcome}
	if opinion != "" {
		req.Data = map[string]any{"opinion": opinion}
	}
	return d.update(ctx, workflows.UpdateCompleteTask, req)
}

// update sends an update and waits until its handler has finished.
func (d *driver) update(ctx context.Context, name string, arg any) error {
	h, err := d.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: d.id, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	if err := h.Get(ctx, nil); err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	return nil
}

// stubs stand in for the activities: they write nothing and find one
// eligible person for every task, except in the nobody-eligible scenario.
type stubs struct{}

func (s stubs) register(r worker.ActivityRegistry) {
	for name, fn := range map[string]any{
		workflows.ActivityCreateTask:      s.createTask,
		workflows.ActivityCompleteTask:    s.completeTask,
		workflows.ActivityAssignTask:      s.assignTask,
		workflows.ActivityRecordTaskEvent: s.recordTaskEvent,
		workflows.ActivityFinishProcess:   s.finishProcess,
	} {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

func (stubs) createTask(_ context.Context, in zhidu.CreateTaskInput) (zhidu.CreateTaskResult, error) {
	if in.Process.ID == "fixture-approval-nobody-eligible" {
		return zhidu.CreateTaskResult{Eligible: 0}, nil
	}
	return zhidu.CreateTaskResult{Eligible: 1}, nil
}

func (stubs) completeTask(context.Context, zhidu.CompletionRecord) error { return nil }

func (stubs) assignTask(context.Context, zhidu.AssignRecord) error { return nil }

func (stubs) recordTaskEvent(context.Context, zhidu.TaskEvent) (int, error) { return 1, nil }

func (stubs) finishProcess(context.Context, zhidu.FinishRecord) error { return nil }
