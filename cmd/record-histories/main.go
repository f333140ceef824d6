// Command record-histories records event histories of zhidu's workflows
// as replay fixtures under workflows/testdata/histories.
//
// Run it BEFORE changing a workflow, from the module root:
//
//	go run ./cmd/record-histories [-out workflows/testdata/histories] [-run regexp] [-overwrite]
//
// Fixtures that already exist are kept unless -overwrite is given: a
// history recorded before an earlier change (e.g. one without a
// workflow.GetVersion marker) is what proves that change still replays.
// -run records only the scenarios whose names match.
//
// It starts an in-memory Temporal server, runs a worker with the real
// workflows and stub activities (no database), drives each scenario
// through the client as the API would, and writes every finished history
// as JSON. Each process keeps its scenarios in a file of its own
// (approval.go, complaint.go, returns.go, purchase.go, probation.go), which adds them
// to scenarios in its init. Commit the fixtures with the change: the replay test in
// package workflows keeps replaying them, so a change that would break
// processes already running (a missing workflow.GetVersion) fails there.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/devserver"
	"github.com/zhidu/zhidu/workflows"
)

func main() {
	out := flag.String("out", filepath.Join("workflows", "testdata", "histories"), "directory the histories are written to")
	only := flag.String("run", "", "record only the scenarios whose names match this regular expression")
	overwrite := flag.Bool("overwrite", false, "re-record fixtures that already exist")
	flag.Parse()
	match, err := regexp.Compile(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "record-histories: -run:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, *out, options{match: match, overwrite: *overwrite}, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "record-histories:", err)
		os.Exit(1)
	}
}

// The demo people who act in the scenarios.
var (
	csAgent = actor("cs.agent", zhidu.DeptCS, zhidu.Internal, zhidu.RoleStaff, zhidu.DeptCS)
	csHead  = actor("cs.head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleDeptHead, zhidu.DeptCS)
	csSuper = actor("cs.super", zhidu.DeptCS, zhidu.Secret, zhidu.RoleSupervisor, zhidu.DeptCS)
	// vp.ops is in charge of cs, quality, wh and sales.
	vpOps = also(actor("vp.ops", zhidu.DeptGMO, zhidu.Confidential, zhidu.RoleVP, zhidu.DeptCS),
		zhidu.RoleGrant{Role: zhidu.RoleVP, Department: zhidu.DeptQuality},
		zhidu.RoleGrant{Role: zhidu.RoleVP, Department: zhidu.DeptWH},
		zhidu.RoleGrant{Role: zhidu.RoleVP, Department: zhidu.DeptSales})
	deputy      = actor("deputy", zhidu.DeptGMO, zhidu.TopSecret, zhidu.RoleDeputyGM, zhidu.DeptGMO)
	gm          = actor("gm", zhidu.DeptGMO, zhidu.TopSecret, zhidu.RoleGM, zhidu.DeptGMO)
	qualityHead = actor("quality.head", zhidu.DeptQuality, zhidu.Secret, zhidu.RoleDeptHead, zhidu.DeptQuality)
	qualityEng  = actor("quality.eng", zhidu.DeptQuality, zhidu.Internal, zhidu.RoleStaff, zhidu.DeptQuality)
	salesRep    = actor("sales.rep", zhidu.DeptSales, zhidu.Internal, zhidu.RoleStaff, zhidu.DeptSales)
	whClerk     = actor("wh.clerk", zhidu.DeptWH, zhidu.Internal, zhidu.RoleStaff, zhidu.DeptWH)
	bmoAuditor  = actor("bmo.auditor", zhidu.DeptBMO, zhidu.Confidential, zhidu.RoleCompliance, zhidu.DeptBMO)
)

func actor(username string, dept zhidu.Department, clearance zhidu.Level, role zhidu.Role, in zhidu.Department) zhidu.Actor {
	return zhidu.Actor{Username: username, Department: dept, Clearance: clearance,
		Roles: []zhidu.RoleGrant{{Role: role, Department: in}}}
}

// also returns a with more role grants.
func also(a zhidu.Actor, grants ...zhidu.RoleGrant) zhidu.Actor {
	a.Roles = append(append([]zhidu.RoleGrant(nil), a.Roles...), grants...)
	return a
}

// A scenario drives one process to its end: start returns the workflow
// name and its input for a process ID, drive acts on it.
type scenario struct {
	name    string
	start   func(id string) (workflow string, input any)
	outcome string // the outcome the result must report, if set
	drive   func(ctx context.Context, d *driver) error
	// dir, if set, is where the fixture goes instead of -out: a test-only
	// process's fixtures stay out of the histories every build replays.
	dir string
}

// scenarios are every process's, each kept in the process's own file,
// whose init adds them.
var scenarios []scenario

// options select which scenarios run records.
type options struct {
	match     *regexp.Regexp
	overwrite bool
}

func run(ctx context.Context, dir string, opts options, out io.Writer) error {
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
		if !opts.match.MatchString(s.name) {
			continue
		}
		path := filepath.Join(dir, s.name+".json")
		if s.dir != "" {
			if err := os.MkdirAll(s.dir, 0o755); err != nil {
				return err
			}
			path = filepath.Join(s.dir, s.name+".json")
		}
		if _, err := os.Stat(path); err == nil && !opts.overwrite {
			if err := replay(path, logger); err != nil {
				return fmt.Errorf("%s: the kept fixture does not replay: %w", s.name, err)
			}
			fmt.Fprintln(out, "kept", path, "(-overwrite re-records it)")
			continue
		}
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
	wf, in := s.start(id)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue}, wf, in)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	if err := s.drive(ctx, &driver{c: c, id: id}); err != nil {
		return err
	}
	var res struct {
		Outcome string `json:"outcome"`
	}
	if err := run.Get(ctx, &res); err != nil {
		return fmt.Errorf("result: %w", err)
	}
	if s.outcome != "" && res.Outcome != s.outcome {
		return fmt.Errorf("outcome %q, want %q", res.Outcome, s.outcome)
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
	workflows.Register(r)
	return r.ReplayWorkflowHistoryFromJSONFile(logger, path)
}

// driver acts on one running approval as the API would.
type driver struct {
	c  client.Client
	id string
}

// task waits until the State query shows the task of a step at or past an
// escalation rung, and returns its ID. A process not found yet is waited
// for too: a child its parent is starting.
func (d *driver) task(ctx context.Context, stepKey string, rung int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		v, err := d.c.QueryWorkflow(ctx, d.id, "", workflows.QueryState)
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &notFound):
		case err != nil:
			return "", fmt.Errorf("query %s: %w", workflows.QueryState, err)
		default:
			var st workflows.ProcessSnapshot
			if err := v.Get(&st); err != nil {
				return "", fmt.Errorf("decode %s: %w", workflows.QueryState, err)
			}
			for _, t := range st.Tasks {
				if t.Spec.StepKey == stepKey && t.Rung >= rung {
					return t.ID, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for task %s at rung %d: %w", stepKey, rung, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// act has a candidate complete a step's task on their own with form data.
func (d *driver) act(ctx context.Context, stepKey string, a zhidu.Actor, outcome string, data map[string]any) error {
	task, err := d.task(ctx, stepKey, 0)
	if err != nil {
		return err
	}
	if err := d.update(ctx, workflows.UpdateCompleteTask, zhidu.CompleteTaskRequest{TaskID: task, Actor: a,
		Assignee: a.Username, Outcome: outcome, Data: data}); err != nil {
		return fmt.Errorf("%s by %s: %w", stepKey, a.Username, err)
	}
	return nil
}

// refused checks that a completion is rejected with code; a rejection
// leaves nothing in the history.
func (d *driver) refused(ctx context.Context, stepKey string, a zhidu.Actor, outcome string, data map[string]any, code zhidu.Code) error {
	err := d.act(ctx, stepKey, a, outcome, data)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != string(code) {
		return fmt.Errorf("got %v, want a %s rejection", err, code)
	}
	return nil
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
		workflows.ActivityRecordComplaint: s.recordComplaint,
		workflows.ActivityRecordRegister:  s.recordRegister,
		workflows.ActivityShareProcess:    s.shareProcess,
		workflows.ActivitySetMembers:      s.setMembers,
		workflows.ActivityIssueVoucher:    s.issueVoucher,
		workflows.ActivityProcessEvent:    s.processEvent,
		workflows.ActivityRecordChild:     s.recordChild,
		workflows.ActivityDecideMatrix:    s.decideMatrix,
		workflows.ActivityLoadSuppliers:   s.loadSuppliers,
		workflows.ActivityApproveSupplier: s.approveSupplier,
		workflows.ActivityExcludeUsers:    s.excludeUsers,
		workflows.ActivitySetProbation:    s.setProbation,
		workflows.ActivitySeparate:        s.separate,
		workflows.ActivityColleagues:      s.colleagues,
		workflows.ActivityHandOverPlan:    s.handOverPlan,
		workflows.ActivityHandedCustomers: s.handedCustomers,
		workflows.ActivityWriteGrant:      s.writeGrant,
		workflows.ActivityRevokeGrant:     s.revokeGrant,
		workflows.ActivityRegisterCopy:    s.registerCopy,
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

func (stubs) recordComplaint(context.Context, zhidu.ComplaintRecord) error { return nil }

func (stubs) recordRegister(context.Context, zhidu.RegisterRecord) error { return nil }

func (stubs) processEvent(context.Context, zhidu.ProcessEvent) error { return nil }

func (stubs) recordChild(context.Context, zhidu.ChildStart) error { return nil }

func (stubs) shareProcess(context.Context, zhidu.ShareRecord) error { return nil }

func (stubs) setMembers(context.Context, zhidu.MemberRecord) error { return nil }

func (stubs) writeGrant(context.Context, zhidu.GrantRecord) error { return nil }

func (stubs) revokeGrant(context.Context, zhidu.GrantRevocation) error { return nil }

func (stubs) registerCopy(context.Context, zhidu.CopyRecord) ([]string, error) { return nil, nil }

func (stubs) issueVoucher(_ context.Context, r zhidu.VoucherRequest) (string, error) {
	return fmt.Sprintf("%s-%d-000001", cmp.Or(r.Series, zhidu.SeriesVoucher), r.Year), nil
}

func (stubs) setProbation(context.Context, zhidu.ProbationFlag) error { return nil }

func (stubs) separate(context.Context, zhidu.SeparationRecord) error { return nil }

// handOverPlan names a process that has ended (is not there): the
// signal's failure is in the history, and the separation goes on.
func (stubs) handOverPlan(context.Context, zhidu.HandOverPlanRequest) (zhidu.HandOverPlan, error) {
	return zhidu.HandOverPlan{Colleague: zhidu.Actor{Username: "sales.rep", Department: zhidu.DeptSales},
		Processes: []zhidu.HandOverTarget{{ProcessID: "fixture-ended", Held: []string{"t-ended"}}}}, nil
}

// handedCustomers: the separated employee had no customers.
func (stubs) handedCustomers(context.Context, workflows.HandedCustomersRequest) ([]zhidu.CustomerRef, error) {
	return []zhidu.CustomerRef{}, nil
}

// colleagues answers as the demo organisation would for newhire.
func (stubs) colleagues(context.Context, workflows.ColleaguesRequest) ([]string, error) {
	return []string{"sales.head", "sales.mentor", "sales.rep"}, nil
}
