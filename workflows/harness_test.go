package workflows

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// t0 is when every test process starts, on the test clock.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func grant(r zhidu.Role, d zhidu.Department) zhidu.RoleGrant {
	return zhidu.RoleGrant{Role: r, Department: d}
}

func person(username string, dept zhidu.Department, clearance zhidu.Level, grants ...zhidu.RoleGrant) zhidu.Actor {
	return zhidu.Actor{Username: username, Department: dept, Roles: grants, Clearance: clearance}
}

// also returns a copy of a with extra role grants.
func also(a zhidu.Actor, grants ...zhidu.RoleGrant) zhidu.Actor {
	a.Roles = append(slices.Clone(a.Roles), grants...)
	return a
}

// harness runs one process workflow, whose input is In and result Out, in
// the test environment. Its activities — every projection activity a
// process may call — record what the workflow hands them, as the real ones
// would write it.
type harness[In, Out any] struct {
	t         *testing.T
	env       *testsuite.TestWorkflowEnvironment
	name      string // the workflow's registered name
	processID string // the ID the test inputs give the process

	// eligible answers CreateTask; afterEscalation answers RecordTaskEvent
	// for an escalation. Both default to 1.
	eligible        func(zhidu.CreateTaskInput) int
	afterEscalation func(zhidu.TaskEvent) int

	mu            sync.Mutex // activities run on their own goroutines
	created       []zhidu.CreateTaskInput
	completions   []zhidu.CompletionRecord
	assigns       []zhidu.AssignRecord
	events        []zhidu.TaskEvent
	finishes      []zhidu.FinishRecord
	levels        []zhidu.LevelRecord
	records       []zhidu.ComplaintRecord
	entries       []zhidu.RegisterRecord
	shares        []zhidu.ShareRecord
	memberships   []zhidu.MemberRecord
	vouchers      []zhidu.VoucherRequest
	processEvents []zhidu.ProcessEvent
	children      []zhidu.ChildStart
	// suppliers answer LoadSuppliers; supplies and exclusions record
	// ApproveSupplier and ExcludeFromTasks.
	suppliers  []zhidu.Supplier
	supplies   []zhidu.SupplyRecord
	exclusions []zhidu.ExclusionRecord
	// flags and separations record SetProbation and SeparateEmployee;
	// colleagues answers Colleagues.
	flags       []zhidu.ProbationFlag
	separations []zhidu.SeparationRecord
	colleagues  []string
	// plan answers HandOverPlan.
	plan zhidu.HandOverPlan
	// handed answers HandedCustomers; classChanges, blacklistings and
	// crossings record the customer files' activities.
	handed        []zhidu.CustomerRef
	classChanges  []zhidu.ClassChange
	blacklistings []zhidu.BlacklistDecision
	crossings     []zhidu.CrossingRecord
	// grants and revocations record WriteGrant and RevokeGrant.
	grants      []zhidu.GrantRecord
	revocations []zhidu.GrantRevocation
	copies      []zhidu.CopyRecord
}

// newHarness registers the workflow fn under its name, and every
// projection activity. processID is the ID the test inputs carry, which
// the assertions expect in what the activities are handed.
func newHarness[In, Out any](t *testing.T, name string, fn any, processID string) *harness[In, Out] {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(t0)
	h := &harness[In, Out]{t: t, env: env, name: name, processID: processID,
		eligible:        func(zhidu.CreateTaskInput) int { return 1 },
		afterEscalation: func(zhidu.TaskEvent) int { return 1 },
	}
	env.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	for activityName, record := range map[string]any{
		ActivityCreateTask:        h.createTask,
		ActivityCompleteTask:      h.completeTask,
		ActivityAssignTask:        h.assignTask,
		ActivityRecordTaskEvent:   h.recordTaskEvent,
		ActivityFinishProcess:     h.finishProcess,
		ActivitySetLevel:          h.setLevel,
		ActivityRecordComplaint:   h.recordComplaint,
		ActivityRecordRegister:    h.recordRegister,
		ActivityShareProcess:      h.shareProcess,
		ActivitySetMembers:        h.setMembers,
		ActivityIssueVoucher:      h.issueVoucher,
		ActivityProcessEvent:      h.processEvent,
		ActivityRecordChild:       h.recordChild,
		ActivityLoadSuppliers:     h.loadSuppliers,
		ActivityApproveSupplier:   h.approveSupplier,
		ActivityExcludeUsers:      h.excludeUsers,
		ActivitySetProbation:      h.setProbation,
		ActivitySeparate:          h.separate,
		ActivityColleagues:        h.findColleagues,
		ActivityHandOverPlan:      h.handOverPlan,
		ActivityHandedCustomers:   h.handedCustomers,
		ActivityChangeClass:       h.changeClass,
		ActivityBlacklistCustomer: h.blacklistCustomer,
		ActivityContestCrossing:   h.contestCrossing,
		ActivityDecideCrossing:    h.decideCrossing,
		ActivityWriteGrant:        h.writeGrant,
		ActivityRevokeGrant:       h.revokeGrant,
		ActivityRegisterCopy:      h.registerCopy,
	} {
		env.RegisterActivityWithOptions(record, activity.RegisterOptions{Name: activityName})
	}
	return h
}

func (h *harness[In, Out]) writeGrant(_ context.Context, r zhidu.GrantRecord) error {
	keep(&h.mu, &h.grants, r)
	return nil
}

func (h *harness[In, Out]) revokeGrant(_ context.Context, r zhidu.GrantRevocation) error {
	keep(&h.mu, &h.revocations, r)
	return nil
}

func (h *harness[In, Out]) registerCopy(_ context.Context, r zhidu.CopyRecord) ([]string, error) {
	keep(&h.mu, &h.copies, r)
	var skipped []string
	for _, u := range r.Readers {
		if u == "nobody" {
			skipped = append(skipped, u)
		}
	}
	return skipped, nil
}

// keep appends v to *list under the harness's lock: activities run on
// their own goroutines.
func keep[T any](mu *sync.Mutex, list *[]T, v T) {
	mu.Lock()
	defer mu.Unlock()
	*list = append(*list, v)
}

func (h *harness[In, Out]) createTask(_ context.Context, in zhidu.CreateTaskInput) (zhidu.CreateTaskResult, error) {
	keep(&h.mu, &h.created, in)
	return zhidu.CreateTaskResult{Eligible: h.eligible(in)}, nil
}

func (h *harness[In, Out]) completeTask(_ context.Context, r zhidu.CompletionRecord) error {
	keep(&h.mu, &h.completions, r)
	return nil
}

func (h *harness[In, Out]) assignTask(_ context.Context, r zhidu.AssignRecord) error {
	keep(&h.mu, &h.assigns, r)
	return nil
}

func (h *harness[In, Out]) recordTaskEvent(_ context.Context, e zhidu.TaskEvent) (int, error) {
	keep(&h.mu, &h.events, e)
	if e.Event == zhidu.EventEscalated {
		return h.afterEscalation(e), nil
	}
	return 1, nil
}

func (h *harness[In, Out]) finishProcess(_ context.Context, r zhidu.FinishRecord) error {
	keep(&h.mu, &h.finishes, r)
	return nil
}

func (h *harness[In, Out]) setLevel(_ context.Context, r zhidu.LevelRecord) error {
	keep(&h.mu, &h.levels, r)
	return nil
}

func (h *harness[In, Out]) recordComplaint(_ context.Context, r zhidu.ComplaintRecord) error {
	keep(&h.mu, &h.records, r)
	return nil
}

func (h *harness[In, Out]) recordRegister(_ context.Context, r zhidu.RegisterRecord) error {
	keep(&h.mu, &h.entries, r)
	return nil
}

func (h *harness[In, Out]) processEvent(_ context.Context, e zhidu.ProcessEvent) error {
	keep(&h.mu, &h.processEvents, e)
	return nil
}

func (h *harness[In, Out]) recordChild(_ context.Context, c zhidu.ChildStart) error {
	keep(&h.mu, &h.children, c)
	return nil
}

// loadSuppliers answers with the harness's suppliers: those asked for,
// or every one.
func (h *harness[In, Out]) loadSuppliers(_ context.Context, ids []string) ([]zhidu.Supplier, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []zhidu.Supplier
	for _, s := range h.suppliers {
		if ids == nil || slices.Contains(ids, s.ID) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (h *harness[In, Out]) approveSupplier(_ context.Context, r zhidu.SupplyRecord) error {
	keep(&h.mu, &h.supplies, r)
	return nil
}

func (h *harness[In, Out]) excludeUsers(_ context.Context, r zhidu.ExclusionRecord) error {
	keep(&h.mu, &h.exclusions, r)
	return nil
}

func (h *harness[In, Out]) setProbation(_ context.Context, f zhidu.ProbationFlag) error {
	keep(&h.mu, &h.flags, f)
	return nil
}

func (h *harness[In, Out]) separate(_ context.Context, r zhidu.SeparationRecord) error {
	keep(&h.mu, &h.separations, r)
	return nil
}

func (h *harness[In, Out]) findColleagues(_ context.Context, _ ColleaguesRequest) ([]string, error) {
	return h.colleagues, nil
}

func (h *harness[In, Out]) handOverPlan(_ context.Context, _ zhidu.HandOverPlanRequest) (zhidu.HandOverPlan, error) {
	return h.plan, nil
}

func (h *harness[In, Out]) handedCustomers(_ context.Context, _ HandedCustomersRequest) ([]zhidu.CustomerRef, error) {
	return h.handed, nil
}

func (h *harness[In, Out]) recordHandover(_ context.Context, r zhidu.SeparationRecord) error {
	keep(&h.mu, &h.separations, r)
	return nil
}

func (h *harness[In, Out]) changeClass(_ context.Context, r zhidu.ClassChange) error {
	keep(&h.mu, &h.classChanges, r)
	return nil
}

func (h *harness[In, Out]) blacklistCustomer(_ context.Context, r zhidu.BlacklistDecision) (zhidu.BlacklistEntry, error) {
	keep(&h.mu, &h.blacklistings, r)
	return zhidu.BlacklistEntry{ID: 7, CustomerID: r.CustomerID, Decision: zhidu.BlacklistAdded, Reason: r.Reason, By: r.Actor}, nil
}

func (h *harness[In, Out]) contestCrossing(_ context.Context, r zhidu.CrossingRecord) error {
	keep(&h.mu, &h.crossings, r)
	return nil
}

func (h *harness[In, Out]) decideCrossing(_ context.Context, r zhidu.CrossingRecord) error {
	keep(&h.mu, &h.crossings, r)
	return nil
}

func (h *harness[In, Out]) shareProcess(_ context.Context, r zhidu.ShareRecord) error {
	keep(&h.mu, &h.shares, r)
	return nil
}

func (h *harness[In, Out]) setMembers(_ context.Context, r zhidu.MemberRecord) error {
	keep(&h.mu, &h.memberships, r)
	return nil
}

// issueVoucher numbers vouchers as the store does: sequential per year,
// one per key, the same number when asked again.
func (h *harness[In, Out]) issueVoucher(_ context.Context, r zhidu.VoucherRequest) (string, error) {
	keep(&h.mu, &h.vouchers, r)
	h.mu.Lock()
	defer h.mu.Unlock()
	series := cmp.Or(r.Series, zhidu.SeriesVoucher)
	var keys []string // in the order they were first asked for
	for _, v := range h.vouchers {
		if v.Year == r.Year && cmp.Or(v.Series, zhidu.SeriesVoucher) == series && !slices.Contains(keys, v.Key) {
			keys = append(keys, v.Key)
		}
	}
	return fmt.Sprintf("%s-%d-%06d", series, r.Year, slices.Index(keys, r.Key)+1), nil
}

// at runs f once the test clock has advanced d past the start.
func (h *harness[In, Out]) at(d time.Duration, f func()) { h.env.RegisterDelayedCallback(f, d) }

// start executes the workflow to its end, whatever that end is.
func (h *harness[In, Out]) start(in In) { h.env.ExecuteWorkflow(h.name, in) }

// run executes the workflow and returns its result; the workflow must
// complete without error.
func (h *harness[In, Out]) run(in In) Out {
	h.t.Helper()
	h.start(in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow error: %v", err)
	}
	var res Out
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatalf("workflow result: %v", err)
	}
	return res
}

// state returns what the State query answers now.
func (h *harness[In, Out]) state() ProcessSnapshot {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(QueryState)
	if err != nil {
		h.t.Errorf("query %s: %v", QueryState, err)
		return ProcessSnapshot{}
	}
	var st ProcessSnapshot
	if err := v.Get(&st); err != nil {
		h.t.Errorf("decode %s: %v", QueryState, err)
	}
	return st
}

// task returns the ID of the task of a step, as the inbox learns it.
func (h *harness[In, Out]) task(stepKey string) string {
	h.t.Helper()
	st := h.state()
	for _, t := range st.Tasks {
		if t.Spec.StepKey == stepKey {
			return t.ID
		}
	}
	h.t.Errorf("State query: no task for step %q among %d tasks", stepKey, len(st.Tasks))
	return ""
}

// reply is how the workflow answered one update.
type reply struct {
	what      string
	accepted  bool
	rejected  error
	completed bool
	err       error // the handler's error, after acceptance
}

// callback fills r in as the workflow answers.
func (r *reply) callback() *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnAccept:   func() { r.accepted = true },
		OnReject:   func(err error) { r.rejected = err },
		OnComplete: func(_ any, err error) { r.completed, r.err = true, err },
	}
}

// send sends an update and returns where its answer will land.
func (h *harness[In, Out]) send(name, what string, arg any) *reply {
	r := &reply{what: what}
	h.env.UpdateWorkflow(name, "", r.callback(), arg)
	return r
}

func (h *harness[In, Out]) complete(what string, req zhidu.CompleteTaskRequest) *reply {
	return h.send(UpdateCompleteTask, what, req)
}

func (h *harness[In, Out]) assign(what string, req zhidu.AssignTaskRequest) *reply {
	return h.send(UpdateAssignTask, what, req)
}

func (h *harness[In, Out]) cancel(what string, req zhidu.CancelProcessRequest) *reply {
	return h.send(UpdateCancelProcess, what, req)
}

// act is one person completing the task of a step at a time after the
// start.
type act struct {
	at      time.Duration
	key     string // the task's step key
	by      zhidu.Actor
	outcome string
	data    map[string]any
}

func submit(task string, a zhidu.Actor, outcome string, data map[string]any) zhidu.CompleteTaskRequest {
	return zhidu.CompleteTaskRequest{TaskID: task, Actor: a, Assignee: a.Username, Outcome: outcome, Data: data}
}

// play schedules the acts; their replies are filled in as the workflow
// runs.
func (h *harness[In, Out]) play(acts ...act) []*reply {
	replies := make([]*reply, len(acts))
	for i, a := range acts {
		h.at(a.at, func() {
			replies[i] = h.complete(fmt.Sprintf("%s %s by %s", a.key, a.outcome, a.by.Username),
				submit(h.task(a.key), a.by, a.outcome, a.data))
		})
	}
	return replies
}

// try schedules one completion that must be refused.
func (h *harness[In, Out]) try(at time.Duration, what, key string, a zhidu.Actor, outcome string, data map[string]any) *reply {
	r := &reply{what: what}
	h.at(at, func() {
		h.env.UpdateWorkflow(UpdateCompleteTask, "", r.callback(), submit(h.task(key), a, outcome, data))
	})
	return r
}

// wantAccepted fails unless the update was accepted and its handler
// succeeded.
func wantAccepted(t *testing.T, r *reply) {
	t.Helper()
	switch {
	case r == nil:
		t.Error("an update was never sent")
	case r.rejected != nil:
		t.Errorf("%s: rejected with %v, want accepted", r.what, r.rejected)
	case !r.accepted || !r.completed:
		t.Errorf("%s: accepted %v, completed %v, want both", r.what, r.accepted, r.completed)
	case r.err != nil:
		t.Errorf("%s: handler failed: %v", r.what, r.err)
	}
}

func wantAllAccepted(t *testing.T, replies []*reply) {
	t.Helper()
	for _, r := range replies {
		wantAccepted(t, r)
	}
}

// wantRejected fails unless the update's validator rejected it with an
// application error of the given code, and returns its field errors. The
// rejection must carry the same error with its message codes, saying
// exactly the English it sends.
func wantRejected(t *testing.T, r *reply, code zhidu.Code) map[string]string {
	t.Helper()
	if r == nil {
		t.Error("an update was never sent")
		return nil
	}
	if r.accepted || r.rejected == nil {
		t.Errorf("%s: accepted %v, rejection %v; want rejected with %s", r.what, r.accepted, r.rejected, code)
		return nil
	}
	var appErr *temporal.ApplicationError
	if !errors.As(r.rejected, &appErr) {
		t.Errorf("%s: rejection %v (%T) is not an application error", r.what, r.rejected, r.rejected)
		return nil
	}
	if got := appErr.Type(); got != string(code) {
		t.Errorf("%s: rejection type = %q (%v), want %q", r.what, got, appErr, code)
	}
	var fields map[string]string
	coded := &zhidu.Error{}
	if appErr.HasDetails() {
		if err := appErr.Details(&fields, &coded); err != nil {
			t.Errorf("%s: rejection details: %v", r.what, err)
		}
	}
	if got := coded.MessageCode.String(); coded.MessageCode.IsZero() || got != appErr.Message() {
		t.Errorf("%s: rejection message code %+v says %q, want a code saying %q", r.what, coded.MessageCode, got, appErr.Message())
	}
	if coded.Code != code || len(coded.FieldCodes) != len(fields) {
		t.Errorf("%s: coded rejection %+v, want code %s and a code for each of the fields %v", r.what, coded, code, fields)
	}
	for f, m := range coded.FieldCodes {
		if m.String() != fields[f] {
			t.Errorf("%s: field %s's code %+v says %q, want %q", r.what, f, m, m.String(), fields[f])
		}
	}
	return fields
}

// wantRejectedField checks a rejection and, if field is set, that it names
// that field.
func wantRejectedField(t *testing.T, r *reply, code zhidu.Code, field string) {
	t.Helper()
	fields := wantRejected(t, r, code)
	if field != "" {
		if _, ok := fields[field]; !ok {
			t.Errorf("%s: field errors = %v, want one for %q", r.what, fields, field)
		}
	}
}

// wantCompletions checks who completed which step, in order.
func (h *harness[In, Out]) wantCompletions(t *testing.T, want ...string) {
	t.Helper()
	var got []string
	for _, c := range h.completions {
		got = append(got, c.Step+":"+c.Actor)
	}
	if !slices.Equal(got, want) {
		t.Errorf("CompleteTask records = %v, want %v", got, want)
	}
}

// wantFinished checks the process was recorded as ended, exactly once.
func (h *harness[In, Out]) wantFinished(t *testing.T, state zhidu.ProcessState, result string) zhidu.FinishRecord {
	t.Helper()
	if len(h.finishes) != 1 {
		t.Fatalf("FinishProcess called %d times (%+v), want once", len(h.finishes), h.finishes)
	}
	f := h.finishes[0]
	if f.ProcessID != h.processID || f.State != state || f.Result != result {
		t.Errorf("FinishProcess(%+v), want process %s state %s result %s", f, h.processID, state, result)
	}
	return f
}

// wantCompleted checks the process was recorded as completed with result,
// exactly once, at the given time.
func (h *harness[In, Out]) wantCompleted(t *testing.T, result string, at time.Time) {
	t.Helper()
	if f := h.wantFinished(t, zhidu.ProcessCompleted, result); !f.At.Equal(at) {
		t.Errorf("FinishProcess(%+v), want %s completed with %q at %v", f, h.processID, result, at)
	}
}

// createdTask returns the CreateTask input of a step key.
func (h *harness[In, Out]) createdTask(t *testing.T, key string) zhidu.CreateTaskInput {
	t.Helper()
	for _, in := range h.created {
		if in.Spec.StepKey == key {
			return in
		}
	}
	t.Fatalf("no task was created for step %q", key)
	return zhidu.CreateTaskInput{}
}

// wantRecords checks every ComplaintRecord, in order, ignoring At.
func (h *harness[In, Out]) wantRecords(t *testing.T, want ...zhidu.ComplaintRecord) {
	t.Helper()
	var got, exp []string
	for _, r := range h.records {
		if r.ProcessID != h.processID || r.At.IsZero() {
			t.Errorf("ComplaintRecord %+v: want process %s and a time", r, h.processID)
		}
		r.ProcessID, r.At = "", time.Time{}
		got = append(got, recordJSON(t, r))
	}
	for _, r := range want {
		exp = append(exp, recordJSON(t, r))
	}
	if !slices.Equal(got, exp) {
		t.Errorf("ComplaintRecords:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(exp, "\n     "))
	}
}

func recordJSON(t *testing.T, r zhidu.ComplaintRecord) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func equalLadders(a, b []zhidu.Escalation) bool {
	return slices.EqualFunc(a, b, func(x, y zhidu.Escalation) bool {
		return x.After == y.After && slices.Equal(x.Candidates, y.Candidates)
	})
}

func esc(after time.Duration, cands ...zhidu.Candidate) zhidu.Escalation {
	return zhidu.Escalation{After: after, Candidates: cands}
}

func candidates(cs []zhidu.Candidate) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.String())
	}
	return "[" + strings.Join(s, " ") + "]"
}

func ptr[T any](v T) *T { return &v }

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func sortedKeys(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonEqual compares two values as the activities see them, after a JSON
// round trip (numbers become float64, structs maps).
func jsonEqual(a, b any) bool {
	norm := func(v any) any {
		bs, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprintf("unencodable %T: %v", v, err)
		}
		var out any
		if err := json.Unmarshal(bs, &out); err != nil {
			return fmt.Sprintf("undecodable %s: %v", bs, err)
		}
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// probeInput and probeResult are the input and result of harnessProbe.
type probeInput struct{ ID string }

type probeResult struct {
	Eligible, AfterEscalation int
	Voucher, Again            string
}

// harnessProbe is a test-only process that calls every projection
// activity once, as local activities, the way processes call them.
func harnessProbe(ctx workflow.Context, in probeInput) (probeResult, error) {
	ctx = localActivityCtx(ctx)
	var res probeResult
	var created zhidu.CreateTaskResult
	if err := workflow.ExecuteLocalActivity(ctx, ActivityCreateTask, zhidu.CreateTaskInput{TaskID: "t-probe",
		Process: zhidu.ProcessInfo{ID: in.ID}}).Get(ctx, &created); err != nil {
		return res, err
	}
	res.Eligible = created.Eligible
	voucher := zhidu.VoucherRequest{ProcessID: in.ID, Year: 2026, Key: in.ID + ":voucher"}
	for _, v := range []*string{&res.Voucher, &res.Again} {
		if err := workflow.ExecuteLocalActivity(ctx, ActivityIssueVoucher, voucher).Get(ctx, v); err != nil {
			return res, err
		}
	}
	if err := workflow.ExecuteLocalActivity(ctx, ActivityRecordTaskEvent, zhidu.TaskEvent{ProcessID: in.ID,
		Event: zhidu.EventEscalated, Rung: 1}).Get(ctx, &res.AfterEscalation); err != nil {
		return res, err
	}
	for _, w := range []struct {
		activity string
		arg      any
	}{
		{ActivityCompleteTask, zhidu.CompletionRecord{ProcessID: in.ID}},
		{ActivityAssignTask, zhidu.AssignRecord{ProcessID: in.ID}},
		{ActivitySetLevel, zhidu.LevelRecord{ProcessID: in.ID}},
		{ActivityRecordComplaint, zhidu.ComplaintRecord{ProcessID: in.ID}},
		{ActivityRecordRegister, zhidu.RegisterRecord{ProcessID: in.ID}},
		{ActivityShareProcess, zhidu.ShareRecord{ProcessID: in.ID}},
		{ActivitySetMembers, zhidu.MemberRecord{ProcessID: in.ID}},
		{ActivityFinishProcess, zhidu.FinishRecord{ProcessID: in.ID, State: zhidu.ProcessCompleted, Result: "probed"}},
	} {
		if err := workflow.ExecuteLocalActivity(ctx, w.activity, w.arg).Get(ctx, nil); err != nil {
			return res, err
		}
	}
	return res, nil
}

// TestHarness runs a process the harness knows nothing about: every
// projection activity is there for it and records what it is handed.
func TestHarness(t *testing.T) {
	h := newHarness[probeInput, probeResult](t, "HarnessProbe", harnessProbe, "probe-test")
	h.eligible = func(zhidu.CreateTaskInput) int { return 3 }
	h.afterEscalation = func(zhidu.TaskEvent) int { return 2 }
	res := h.run(probeInput{ID: "probe-test"})

	if want := (probeResult{Eligible: 3, AfterEscalation: 2, Voucher: "PZ-2026-000001", Again: "PZ-2026-000001"}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	h.wantFinished(t, zhidu.ProcessCompleted, "probed")
	for _, tt := range []struct {
		activity string
		got      []string
	}{
		{ActivityCreateTask, ids(h.created, func(r zhidu.CreateTaskInput) string { return r.Process.ID })},
		{ActivityRecordTaskEvent, ids(h.events, func(r zhidu.TaskEvent) string { return r.ProcessID })},
		{ActivityCompleteTask, ids(h.completions, func(r zhidu.CompletionRecord) string { return r.ProcessID })},
		{ActivityAssignTask, ids(h.assigns, func(r zhidu.AssignRecord) string { return r.ProcessID })},
		{ActivitySetLevel, ids(h.levels, func(r zhidu.LevelRecord) string { return r.ProcessID })},
		{ActivityRecordComplaint, ids(h.records, func(r zhidu.ComplaintRecord) string { return r.ProcessID })},
		{ActivityRecordRegister, ids(h.entries, func(r zhidu.RegisterRecord) string { return r.ProcessID })},
		{ActivityShareProcess, ids(h.shares, func(r zhidu.ShareRecord) string { return r.ProcessID })},
		{ActivitySetMembers, ids(h.memberships, func(r zhidu.MemberRecord) string { return r.ProcessID })},
		{ActivityFinishProcess, ids(h.finishes, func(r zhidu.FinishRecord) string { return r.ProcessID })},
	} {
		if !slices.Equal(tt.got, []string{"probe-test"}) {
			t.Errorf("%s recorded calls for %v, want one for probe-test", tt.activity, tt.got)
		}
	}
}

func ids[R any](records []R, id func(R) string) []string {
	var out []string
	for _, r := range records {
		out = append(out, id(r))
	}
	return out
}
