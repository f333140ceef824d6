package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/zhidu/zhidu"
)

// The demo organisation, as the API describes people to the workflow.
var (
	csAgent   = person("cs.agent", zhidu.DeptCS, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptCS))
	csHead    = person("cs.head", zhidu.DeptCS, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptCS))
	csSuper   = person("cs.super", zhidu.DeptCS, zhidu.Secret, grant(zhidu.RoleSupervisor, zhidu.DeptCS))
	csClerk   = person("cs.clerk", zhidu.DeptCS, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptCS))
	vpOps     = person("vp.ops", zhidu.DeptGMO, zhidu.Confidential, grant(zhidu.RoleVP, zhidu.DeptCS), grant(zhidu.RoleVP, zhidu.DeptQuality))
	salesHead = person("sales.head", zhidu.DeptSales, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptSales))
	deputy    = person("deputy", zhidu.DeptGMO, zhidu.TopSecret, grant(zhidu.RoleDeputyGM, zhidu.DeptGMO))
	gm        = person("gm", zhidu.DeptGMO, zhidu.TopSecret, grant(zhidu.RoleGM, zhidu.DeptGMO))
	// csActing heads customer service but is cleared for internal matters
	// only: a candidate by role, not by clearance.
	csActing = person("cs.acting", zhidu.DeptCS, zhidu.Internal, grant(zhidu.RoleDeptHead, zhidu.DeptCS))
)

var (
	deptHeadCS = zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}
	vpCS       = zhidu.Candidate{Role: zhidu.RoleVP, Department: zhidu.DeptCS}
	deputyGMO  = zhidu.Candidate{Role: zhidu.RoleDeputyGM, Department: zhidu.DeptGMO}
	gmGMO      = zhidu.Candidate{Role: zhidu.RoleGM, Department: zhidu.DeptGMO}
)

const (
	processID    = "approval-test"
	stepDeptHead = "dept_head"
	stepVP       = "vp"
)

// input starts an approval by cs.agent at the given level.
func input(level zhidu.Level, sla SLA) ApprovalInput {
	return ApprovalInput{
		Process: zhidu.ProcessInfo{ID: processID, Kind: KindApproval, Title: "Headsets for the hotline",
			Level: level, Department: zhidu.DeptCS, StartedBy: csAgent.Username},
		Details: "12 headsets",
		SLA:     sla,
	}
}

func approve(task string, a zhidu.Actor) zhidu.CompleteTaskRequest {
	return zhidu.CompleteTaskRequest{TaskID: task, Actor: a, Assignee: a.Username, Outcome: OutcomeApprove, Comment: "ok"}
}

func decline(task string, a zhidu.Actor, opinion string) zhidu.CompleteTaskRequest {
	return zhidu.CompleteTaskRequest{TaskID: task, Actor: a, Assignee: a.Username, Outcome: OutcomeReject,
		Data: map[string]any{"opinion": opinion}}
}

// newApprovalHarness runs one Approval.
func newApprovalHarness(t *testing.T) *harness[ApprovalInput, ApprovalResult] {
	t.Helper()
	return newHarness[ApprovalInput, ApprovalResult](t, WorkflowApproval, Approval, processID)
}

func wantResult(t *testing.T, got ApprovalResult, outcome string, decidedBy ...string) {
	t.Helper()
	if got.Outcome != outcome || !slices.Equal(got.DecidedBy, decidedBy) {
		t.Errorf("result = %+v, want outcome %q decided by %v", got, outcome, decidedBy)
	}
}

func TestApprovalHappyPath(t *testing.T) {
	h := newApprovalHarness(t)
	var r1, r2 *reply
	var task1, task2 string
	h.at(time.Minute, func() {
		task1 = h.task(stepDeptHead)
		r1 = h.complete("cs.head approves", approve(task1, csHead))
	})
	h.at(2*time.Minute, func() {
		task2 = h.task(stepVP)
		r2 = h.complete("vp.ops approves", approve(task2, vpOps))
	})
	res := h.run(input(zhidu.Internal, SLA{}))

	wantAccepted(t, r1)
	wantAccepted(t, r2)
	wantResult(t, res, "approved", "cs.head", "vp.ops")
	h.wantFinished(t, zhidu.ProcessCompleted, "approved")
	h.wantCompletions(t, "dept_head_approval:cs.head", "vp_approval:vp.ops")
	if len(h.events) != 0 {
		t.Errorf("RecordTaskEvent(%+v), want no reminders or escalations without an SLA", h.events)
	}

	if len(h.created) != 2 {
		t.Fatalf("CreateTask called %d times, want 2", len(h.created))
	}
	for i, tc := range []struct {
		id         string
		stepKey    string
		step       string
		candidates []zhidu.Candidate
		excluded   []string
	}{
		{task1, stepDeptHead, "dept_head_approval", []zhidu.Candidate{deptHeadCS}, []string{"cs.agent"}},
		{task2, stepVP, "vp_approval", []zhidu.Candidate{vpCS}, []string{"cs.agent", "cs.head"}},
	} {
		in := h.created[i]
		if in.TaskID != tc.id || in.TaskID != taskID(in.Process.RunID, tc.stepKey) {
			t.Errorf("task %d: ID %q, want %q from the State query and taskID(%q, %q)", i, in.TaskID, tc.id, in.Process.RunID, tc.stepKey)
		}
		if in.Spec.StepKey != tc.stepKey || in.Spec.Step != tc.step {
			t.Errorf("task %d: step %q (%q), want %q (%q)", i, in.Spec.StepKey, in.Spec.Step, tc.stepKey, tc.step)
		}
		if !slices.Equal(in.Spec.Candidates, tc.candidates) {
			t.Errorf("task %d: candidates %v, want %v", i, in.Spec.Candidates, tc.candidates)
		}
		if !slices.Equal(in.Spec.Excluded, tc.excluded) {
			t.Errorf("task %d: excluded %v, want %v", i, in.Spec.Excluded, tc.excluded)
		}
		if in.Process.ID != processID || in.Process.StartedBy != "cs.agent" || in.Spec.Level != zhidu.Internal ||
			in.Spec.Department != zhidu.DeptCS || in.DueAt != nil {
			t.Errorf("task %d: process %+v level %s department %s due %v; want %s started by cs.agent, internal, cs, no due time",
				i, in.Process, in.Spec.Level, in.Spec.Department, in.DueAt, processID)
		}
	}
	if c := h.completions[0]; c.TaskID != task1 || c.ProcessID != processID || c.Outcome != OutcomeApprove ||
		c.OnBehalfOf != "" || !c.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("first CompletionRecord = %+v, want task %s of %s approved at %v", c, task1, processID, t0.Add(time.Minute))
	}
}

func TestApprovalRejectedAtFirstStep(t *testing.T) {
	h := newApprovalHarness(t)
	var r *reply
	h.at(time.Minute, func() {
		r = h.complete("cs.head rejects", decline(h.task(stepDeptHead), csHead, "we bought headsets last month"))
	})
	res := h.run(input(zhidu.Internal, SLA{}))

	wantAccepted(t, r)
	wantResult(t, res, "rejected", "cs.head")
	h.wantFinished(t, zhidu.ProcessCompleted, "rejected")
	h.wantCompletions(t, "dept_head_approval:cs.head")
	if got := h.completions[0]; got.Outcome != OutcomeReject || got.Data["opinion"] != "we bought headsets last month" {
		t.Errorf("CompletionRecord = %+v, want the rejection with its opinion", got)
	}
	if len(h.created) != 1 {
		t.Errorf("CreateTask called %d times, want once (no VP step after a rejection)", len(h.created))
	}
}

// TestApprovalCompleteValidation sends one bad completion, then lets the
// rightful people approve: a rejected update must change nothing.
func TestApprovalCompleteValidation(t *testing.T) {
	tests := []struct {
		name      string
		level     zhidu.Level
		step      string // the step whose task the bad request targets
		req       func(task string) zhidu.CompleteTaskRequest
		want      zhidu.Code
		wantField string
	}{
		{
			name: "unknown task", level: zhidu.Internal, step: stepDeptHead,
			req:  func(string) zhidu.CompleteTaskRequest { return approve("t-00000000000000000000", csHead) },
			want: zhidu.CodeNotFound,
		},
		{
			name: "not claimed", level: zhidu.Internal, step: stepDeptHead,
			req: func(task string) zhidu.CompleteTaskRequest {
				r := approve(task, csHead)
				r.Assignee = ""
				return r
			},
			want: zhidu.CodeConflict,
		},
		{
			name: "actor is not the assignee", level: zhidu.Internal, step: stepDeptHead,
			req: func(task string) zhidu.CompleteTaskRequest {
				r := approve(task, csSuper)
				r.Assignee = "cs.head"
				return r
			},
			want: zhidu.CodeForbidden,
		},
		{
			name: "not a candidate", level: zhidu.Internal, step: stepDeptHead,
			req:  func(task string) zhidu.CompleteTaskRequest { return approve(task, salesHead) },
			want: zhidu.CodeForbidden,
		},
		{
			name: "clearance below the task level", level: zhidu.Secret, step: stepDeptHead,
			req:  func(task string) zhidu.CompleteTaskRequest { return approve(task, csActing) },
			want: zhidu.CodeForbidden,
		},
		{
			name: "starter approves own request", level: zhidu.Internal, step: stepDeptHead,
			req: func(task string) zhidu.CompleteTaskRequest {
				return approve(task, also(csAgent, grant(zhidu.RoleDeptHead, zhidu.DeptCS)))
			},
			want: zhidu.CodeForbidden,
		},
		{
			name: "step-1 approver approves step 2", level: zhidu.Internal, step: stepVP,
			req: func(task string) zhidu.CompleteTaskRequest {
				return approve(task, also(csHead, grant(zhidu.RoleVP, zhidu.DeptCS)))
			},
			want: zhidu.CodeForbidden,
		},
		{
			name: "reject without opinion", level: zhidu.Internal, step: stepDeptHead,
			req:  func(task string) zhidu.CompleteTaskRequest { return decline(task, csHead, "") },
			want: zhidu.CodeInvalid, wantField: "data.opinion",
		},
		{
			name: "opinion too long", level: zhidu.Internal, step: stepDeptHead,
			req:  func(task string) zhidu.CompleteTaskRequest { return decline(task, csHead, strings.Repeat("不", 2001)) },
			want: zhidu.CodeInvalid, wantField: "data.opinion",
		},
		{
			name: "outcome not allowed", level: zhidu.Internal, step: stepDeptHead,
			req: func(task string) zhidu.CompleteTaskRequest {
				r := approve(task, csHead)
				r.Outcome = "escalate"
				return r
			},
			want: zhidu.CodeInvalid, wantField: "outcome",
		},
		{
			name: "field not on the form", level: zhidu.Internal, step: stepDeptHead,
			req: func(task string) zhidu.CompleteTaskRequest {
				r := approve(task, csHead)
				r.Data = map[string]any{"amount": 12}
				return r
			},
			want: zhidu.CodeInvalid, wantField: "data.amount",
		},
		{
			name: "on behalf of without a delegation", level: zhidu.Internal, step: stepDeptHead,
			req: func(task string) zhidu.CompleteTaskRequest {
				r := approve(task, csHead)
				r.OnBehalfOf = "cs.super"
				return r
			},
			want: zhidu.CodeInvalid, wantField: "on_behalf_of",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newApprovalHarness(t)
			var bad, ok1, ok2 *reply
			if tt.step == stepVP {
				h.at(time.Minute, func() { ok1 = h.complete("cs.head approves", approve(h.task(stepDeptHead), csHead)) })
			}
			h.at(2*time.Minute, func() { bad = h.complete(tt.name, tt.req(h.task(tt.step))) })
			if tt.step == stepDeptHead {
				h.at(3*time.Minute, func() { ok1 = h.complete("cs.head approves", approve(h.task(stepDeptHead), csHead)) })
			}
			h.at(4*time.Minute, func() { ok2 = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
			res := h.run(input(tt.level, SLA{}))

			fields := wantRejected(t, bad, tt.want)
			if tt.wantField != "" {
				if _, ok := fields[tt.wantField]; !ok {
					t.Errorf("field errors = %v, want one for %q", fields, tt.wantField)
				}
			}
			wantAccepted(t, ok1)
			wantAccepted(t, ok2)
			wantResult(t, res, "approved", "cs.head", "vp.ops")
			h.wantCompletions(t, "dept_head_approval:cs.head", "vp_approval:vp.ops")
		})
	}
}

func TestApprovalCompleteTwice(t *testing.T) {
	h := newApprovalHarness(t)
	var first, racing, later, vp *reply
	h.at(time.Minute, func() {
		task := h.task(stepDeptHead)
		first = h.complete("cs.head approves", approve(task, csHead))
		racing = h.complete("cs.head approves again at once", approve(task, csHead))
	})
	h.at(2*time.Minute, func() {
		later = h.complete("cs.head approves again later", approve(h.task(stepDeptHead), csHead))
	})
	h.at(3*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
	res := h.run(input(zhidu.Internal, SLA{}))

	wantAccepted(t, first)
	wantRejected(t, racing, zhidu.CodeConflict)
	wantRejected(t, later, zhidu.CodeConflict)
	wantAccepted(t, vp)
	wantResult(t, res, "approved", "cs.head", "vp.ops")
	h.wantCompletions(t, "dept_head_approval:cs.head", "vp_approval:vp.ops")
}

func TestApprovalReminderAndEscalation(t *testing.T) {
	sla := SLA{Due: 48 * time.Hour, Reminder: 24 * time.Hour, Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}}
	h := newApprovalHarness(t)
	var early, late, leader *reply
	var before ProcessSnapshot
	// vp.ops is not a candidate of step 1 until the first escalation.
	h.at(47*time.Hour, func() { early = h.complete("vp.ops before escalation", approve(h.task(stepDeptHead), vpOps)) })
	h.at(73*time.Hour, func() {
		before = h.state()
		late = h.complete("vp.ops after escalation", approve(h.task(stepDeptHead), vpOps))
	})
	// Step 2 starts at 73h; vp.ops may not approve twice, so it waits for
	// its own ladder: deputy GM at +48h, GM at +72h.
	h.at(146*time.Hour, func() { leader = h.complete("gm approves step 2", approve(h.task(stepVP), gm)) })
	res := h.run(input(zhidu.Internal, sla))

	wantRejected(t, early, zhidu.CodeForbidden)
	wantAccepted(t, late)
	wantAccepted(t, leader)
	wantResult(t, res, "approved", "vp.ops", "gm")

	type event struct {
		step  string
		event string
		rung  int
		add   string
		at    time.Duration
	}
	var got []event
	for _, e := range h.events {
		var add []string
		for _, c := range e.AddCandidates {
			add = append(add, c.String())
		}
		got = append(got, event{e.Step, e.Event, e.Rung, strings.Join(add, ","), e.At.Sub(t0)})
	}
	want := []event{
		{"dept_head_approval", "reminded", 0, "", 24 * time.Hour},
		{"dept_head_approval", "escalated", 1, "vp@cs", 48 * time.Hour},
		{"dept_head_approval", "escalated", 2, "deputy_gm@gmo,gm@gmo", 72 * time.Hour},
		{"vp_approval", "reminded", 0, "", 97 * time.Hour},
		{"vp_approval", "escalated", 1, "deputy_gm@gmo", 121 * time.Hour},
		{"vp_approval", "escalated", 2, "gm@gmo", 145 * time.Hour},
	}
	if !slices.Equal(got, want) {
		t.Errorf("RecordTaskEvent calls:\n got %v\nwant %v", got, want)
	}
	if len(h.events) > 0 {
		if e := h.events[0]; e.EventKey != e.TaskID+":reminded" || e.ProcessID != processID {
			t.Errorf("reminder = %+v, want event key %q in process %s", e, e.TaskID+":reminded", processID)
		}
	}

	if len(h.created) != 2 {
		t.Fatalf("CreateTask called %d times, want 2", len(h.created))
	}
	if due := h.created[0].DueAt; due == nil || !due.Equal(t0.Add(48*time.Hour)) {
		t.Errorf("step 1 due at %v, want %v", due, t0.Add(48*time.Hour))
	}
	if got, want := h.created[0].Spec.Escalations, []zhidu.Escalation{
		{After: 48 * time.Hour, Candidates: []zhidu.Candidate{vpCS}},
		{After: 72 * time.Hour, Candidates: []zhidu.Candidate{deputyGMO, gmGMO}},
	}; !equalLadders(got, want) {
		t.Errorf("step 1 escalations = %v, want %v", got, want)
	}
	if got, want := h.created[1].Spec.Excluded, []string{"cs.agent", "vp.ops"}; !slices.Equal(got, want) {
		t.Errorf("step 2 excluded = %v, want %v", got, want)
	}
	if len(before.Tasks) != 1 {
		t.Fatalf("State before vp.ops acts: %d tasks, want 1", len(before.Tasks))
	}
	if tk := before.Tasks[0]; !tk.Reminded || tk.Rung != 2 ||
		!slices.Equal(tk.Candidates, []zhidu.Candidate{deptHeadCS, vpCS, deputyGMO, gmGMO}) {
		t.Errorf("State of step 1 at 73h: reminded %v, rung %d, candidates %v; want reminded, rung 2, all four candidates",
			tk.Reminded, tk.Rung, tk.Candidates)
	}
}

func TestApprovalNobodyEligible(t *testing.T) {
	sla := SLA{Due: 48 * time.Hour, Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}}
	tests := []struct {
		name            string
		afterEscalation int // how many may work the task after each rung
		first, second   zhidu.Actor
		wantEvents      []string
	}{
		{
			name: "first rung finds someone", afterEscalation: 1, first: vpOps, second: deputy,
			wantEvents: []string{
				"dept_head_approval rung 1 +[vp@cs] at 0s",
				"vp_approval rung 1 +[deputy_gm@gmo] at 1m0s",
			},
		},
		{
			name: "nobody on any rung", afterEscalation: 0, first: gm, second: deputy,
			wantEvents: []string{
				"dept_head_approval rung 1 +[vp@cs] at 0s",
				"dept_head_approval rung 2 +[deputy_gm@gmo gm@gmo] at 0s",
				"vp_approval rung 1 +[deputy_gm@gmo] at 1m0s",
				"vp_approval rung 2 +[gm@gmo] at 1m0s",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newApprovalHarness(t)
			h.eligible = func(zhidu.CreateTaskInput) int { return 0 }
			h.afterEscalation = func(zhidu.TaskEvent) int { return tt.afterEscalation }
			var r1, r2 *reply
			h.at(time.Minute, func() { r1 = h.complete("step 1", approve(h.task(stepDeptHead), tt.first)) })
			h.at(2*time.Minute, func() { r2 = h.complete("step 2", approve(h.task(stepVP), tt.second)) })
			res := h.run(input(zhidu.Internal, sla))

			wantAccepted(t, r1)
			wantAccepted(t, r2)
			wantResult(t, res, "approved", tt.first.Username, tt.second.Username)
			var got []string
			for _, e := range h.events {
				if e.Event != zhidu.EventEscalated {
					t.Errorf("unexpected task event %+v", e)
					continue
				}
				got = append(got, e.Step+" rung "+strconv.Itoa(e.Rung)+" +"+candidates(e.AddCandidates)+" at "+e.At.Sub(t0).String())
			}
			if !slices.Equal(got, tt.wantEvents) {
				t.Errorf("escalations:\n got %q\nwant %q", got, tt.wantEvents)
			}
		})
	}
}

func TestApprovalDelegate(t *testing.T) {
	h := newApprovalHarness(t)
	var delegated, wrongBehalf, done, vp *reply
	h.at(time.Minute, func() {
		delegated = h.assign("cs.head delegates to cs.super", zhidu.AssignTaskRequest{TaskID: h.task(stepDeptHead),
			Kind: zhidu.AssignDelegate, Actor: csHead, Owner: "cs.head", To: csSuper, Note: "on leave"})
	})
	h.at(2*time.Minute, func() {
		r := approve(h.task(stepDeptHead), csSuper)
		r.Assignee = "cs.head"
		wrongBehalf = h.complete("cs.super without on_behalf_of", r)
		r.OnBehalfOf = "cs.head"
		done = h.complete("cs.super approves for cs.head", r)
	})
	h.at(3*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
	res := h.run(input(zhidu.Internal, SLA{}))

	wantAccepted(t, delegated)
	if fields := wantRejected(t, wrongBehalf, zhidu.CodeInvalid); fields["on_behalf_of"] == "" {
		t.Errorf("field errors = %v, want one for on_behalf_of", fields)
	}
	wantAccepted(t, done)
	wantAccepted(t, vp)
	wantResult(t, res, "approved", "cs.super", "vp.ops")

	if len(h.assigns) != 1 {
		t.Fatalf("AssignTask called %d times, want once", len(h.assigns))
	}
	if a := h.assigns[0]; a.Kind != zhidu.AssignDelegate || a.By != "cs.head" || a.Owner != "cs.head" || a.To != "cs.super" ||
		a.EventKey != a.TaskID+":assign:1" || a.Note != "on leave" {
		t.Errorf("AssignRecord = %+v, want cs.head delegating to cs.super", a)
	}
	h.wantCompletions(t, "dept_head_approval:cs.super", "vp_approval:vp.ops")
	if c := h.completions[0]; c.OnBehalfOf != "cs.head" {
		t.Errorf("CompletionRecord on behalf of %q, want cs.head", c.OnBehalfOf)
	}
	if len(h.created) != 2 {
		t.Fatalf("CreateTask called %d times, want 2", len(h.created))
	}
	if got, want := h.created[1].Spec.Excluded, []string{"cs.agent", "cs.super", "cs.head"}; !slices.Equal(got, want) {
		t.Errorf("step 2 excluded = %v, want %v (the delegate and the owner)", got, want)
	}
}

func TestApprovalAssignValidation(t *testing.T) {
	tests := []struct {
		name      string
		level     zhidu.Level
		req       zhidu.AssignTaskRequest
		want      zhidu.Code
		wantField string
	}{
		{
			name: "delegate by someone who is not the owner", level: zhidu.Internal,
			req:  zhidu.AssignTaskRequest{Kind: zhidu.AssignDelegate, Actor: csSuper, Owner: "cs.head", To: csClerk},
			want: zhidu.CodeForbidden,
		},
		{
			name: "delegate by an owner who may not work the task", level: zhidu.Internal,
			req:  zhidu.AssignTaskRequest{Kind: zhidu.AssignDelegate, Actor: salesHead, Owner: "sales.head", To: csSuper},
			want: zhidu.CodeForbidden,
		},
		{
			name: "delegate to the starter", level: zhidu.Internal,
			req:  zhidu.AssignTaskRequest{Kind: zhidu.AssignDelegate, Actor: csHead, Owner: "cs.head", To: csAgent},
			want: zhidu.CodeForbidden,
		},
		{
			name: "delegate to someone cleared too low", level: zhidu.Secret,
			req:  zhidu.AssignTaskRequest{Kind: zhidu.AssignDelegate, Actor: csHead, Owner: "cs.head", To: csClerk},
			want: zhidu.CodeForbidden,
		},
		{
			name: "reassign to the starter", level: zhidu.Internal,
			req:  zhidu.AssignTaskRequest{Kind: zhidu.AssignReassign, Actor: vpOps, To: csAgent},
			want: zhidu.CodeForbidden,
		},
		{
			name: "delegate to yourself", level: zhidu.Internal,
			req:  zhidu.AssignTaskRequest{Kind: zhidu.AssignDelegate, Actor: csHead, Owner: "cs.head", To: csHead},
			want: zhidu.CodeInvalid, wantField: "to",
		},
		{
			name: "nobody to assign to", level: zhidu.Internal,
			req:  zhidu.AssignTaskRequest{Kind: zhidu.AssignReassign, Actor: vpOps},
			want: zhidu.CodeInvalid, wantField: "to",
		},
		{
			name: "unknown kind", level: zhidu.Internal,
			req:  zhidu.AssignTaskRequest{Kind: "transfer", Actor: vpOps, To: csSuper},
			want: zhidu.CodeInvalid, wantField: "kind",
		},
		{
			name: "unknown task", level: zhidu.Internal,
			req: zhidu.AssignTaskRequest{TaskID: "t-00000000000000000000", Kind: zhidu.AssignDelegate, Actor: csHead,
				Owner: "cs.head", To: csSuper},
			want: zhidu.CodeNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newApprovalHarness(t)
			var bad, ok1, ok2 *reply
			h.at(time.Minute, func() {
				req := tt.req
				if req.TaskID == "" {
					req.TaskID = h.task(stepDeptHead)
				}
				bad = h.assign(tt.name, req)
			})
			h.at(2*time.Minute, func() { ok1 = h.complete("cs.head approves", approve(h.task(stepDeptHead), csHead)) })
			h.at(3*time.Minute, func() { ok2 = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
			res := h.run(input(tt.level, SLA{}))

			fields := wantRejected(t, bad, tt.want)
			if tt.wantField != "" {
				if _, ok := fields[tt.wantField]; !ok {
					t.Errorf("field errors = %v, want one for %q", fields, tt.wantField)
				}
			}
			wantAccepted(t, ok1)
			wantAccepted(t, ok2)
			wantResult(t, res, "approved", "cs.head", "vp.ops")
			if len(h.assigns) != 0 {
				t.Errorf("AssignTask(%+v), want no call after a rejection", h.assigns)
			}
		})
	}
}

func TestApprovalReassign(t *testing.T) {
	h := newApprovalHarness(t)
	var before, moved, done, vp *reply
	// The deputy GM is on the ladder but not yet a candidate.
	h.at(time.Minute, func() { before = h.complete("deputy before reassignment", approve(h.task(stepDeptHead), deputy)) })
	h.at(2*time.Minute, func() {
		moved = h.assign("vp.ops reassigns to deputy", zhidu.AssignTaskRequest{TaskID: h.task(stepDeptHead),
			Kind: zhidu.AssignReassign, Actor: vpOps, To: deputy, Note: "cs.head is travelling"})
	})
	h.at(3*time.Minute, func() { done = h.complete("deputy approves", approve(h.task(stepDeptHead), deputy)) })
	h.at(4*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
	res := h.run(input(zhidu.Internal, SLA{Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}}))

	wantRejected(t, before, zhidu.CodeForbidden)
	wantAccepted(t, moved)
	wantAccepted(t, done)
	wantAccepted(t, vp)
	wantResult(t, res, "approved", "deputy", "vp.ops")
	if len(h.assigns) != 1 {
		t.Fatalf("AssignTask called %d times, want once", len(h.assigns))
	}
	if a := h.assigns[0]; a.Kind != zhidu.AssignReassign || a.By != "vp.ops" || a.To != "deputy" || a.Owner != "" {
		t.Errorf("AssignRecord = %+v, want vp.ops reassigning to deputy", a)
	}
	h.wantCompletions(t, "dept_head_approval:deputy", "vp_approval:vp.ops")
	if c := h.completions[0]; c.OnBehalfOf != "" {
		t.Errorf("CompletionRecord on behalf of %q, want nobody after a reassignment", c.OnBehalfOf)
	}
}

func TestApprovalCancel(t *testing.T) {
	h := newApprovalHarness(t)
	// Recording the end takes a while, so the later requests reach a
	// workflow that is cancelled but still running.
	h.env.OnActivity(ActivityFinishProcess, mock.Anything, mock.Anything).After(10 * time.Minute).Return(h.finishProcess)
	var noReason, cancelled, again, late *reply
	h.at(time.Minute, func() {
		noReason = h.cancel("cancel without reason", zhidu.CancelProcessRequest{Actor: csAgent})
	})
	h.at(2*time.Minute, func() {
		cancelled = h.cancel("cs.agent cancels", zhidu.CancelProcessRequest{Actor: csAgent, Reason: "bought elsewhere"})
	})
	h.at(3*time.Minute, func() {
		again = h.cancel("cancel again", zhidu.CancelProcessRequest{Actor: csAgent, Reason: "really"})
		late = h.complete("cs.head approves after cancel", approve(h.task(stepDeptHead), csHead))
	})
	res := h.run(input(zhidu.Internal, SLA{}))

	if fields := wantRejected(t, noReason, zhidu.CodeInvalid); fields["reason"] == "" {
		t.Errorf("field errors = %v, want one for reason", fields)
	}
	wantAccepted(t, cancelled)
	wantRejected(t, again, zhidu.CodeConflict)
	wantRejected(t, late, zhidu.CodeConflict)
	wantResult(t, res, "cancelled")
	f := h.wantFinished(t, zhidu.ProcessCancelled, "cancelled")
	if f.Actor != "cs.agent" || f.Reason != "bought elsewhere" || !f.At.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("FinishProcess(%+v), want cancelled by cs.agent, bought elsewhere, at %v", f, t0.Add(2*time.Minute))
	}
	h.wantCompletions(t)
}

// TestApprovalEarlyUpdate sends updates with the workflow start: the
// handlers must be registered before the workflow first blocks, or the
// update is refused as unknown.
func TestApprovalEarlyUpdate(t *testing.T) {
	t.Run("cancel", func(t *testing.T) {
		h := newApprovalHarness(t)
		var r *reply
		h.at(0, func() {
			r = h.cancel("cancel at start", zhidu.CancelProcessRequest{Actor: csAgent, Reason: "wrong form"})
		})
		res := h.run(input(zhidu.Internal, SLA{}))
		wantAccepted(t, r)
		wantResult(t, res, "cancelled")
		h.wantFinished(t, zhidu.ProcessCancelled, "cancelled")
	})
	t.Run("complete", func(t *testing.T) {
		h := newApprovalHarness(t)
		var early, ok1, ok2 *reply
		h.at(0, func() { early = h.complete("complete at start", approve("t-00000000000000000000", csHead)) })
		h.at(time.Minute, func() { ok1 = h.complete("cs.head approves", approve(h.task(stepDeptHead), csHead)) })
		h.at(2*time.Minute, func() { ok2 = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
		res := h.run(input(zhidu.Internal, SLA{}))
		wantRejected(t, early, zhidu.CodeNotFound) // not "unknown update"
		wantAccepted(t, ok1)
		wantAccepted(t, ok2)
		wantResult(t, res, "approved", "cs.head", "vp.ops")
	})
}

// TestApprovalTimedEscalationClimbsEmptyRungs: when a timed escalation
// finds nobody able to work the task, the next rung follows at once.
func TestApprovalTimedEscalationClimbsEmptyRungs(t *testing.T) {
	sla := SLA{Due: 48 * time.Hour, Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}}
	h := newApprovalHarness(t)
	h.afterEscalation = func(e zhidu.TaskEvent) int {
		if e.Rung == 1 {
			return 0 // the VP post is vacant
		}
		return 1
	}
	var r1 *reply
	h.at(50*time.Hour, func() { r1 = h.complete("step 1", approve(h.task(stepDeptHead), deputy)) })
	h.at(51*time.Hour, func() { h.complete("step 2", approve(h.task(stepVP), vpOps)) })
	h.run(input(zhidu.Internal, sla))
	wantAccepted(t, r1)
	var got []string
	for _, e := range h.events {
		if e.Step == "dept_head_approval" && e.Event == zhidu.EventEscalated {
			got = append(got, "rung "+strconv.Itoa(e.Rung)+" at "+e.At.Sub(t0).String())
		}
	}
	want := []string{"rung 1 at 48h0m0s", "rung 2 at 48h0m0s"}
	if !slices.Equal(got, want) {
		t.Fatalf("escalations of step 1 = %q, want %q", got, want)
	}
}

// TestHistoryBudget: a process whose history has reached its budget refuses
// a delegation and a level change (which could go on without end, up to
// Temporal's hard limit, where the workflow would be terminated), and
// records neither; completing its steps still works, so it ends.
func TestHistoryBudget(t *testing.T) {
	h := newApprovalHarness(t)
	var delegated, raised, done, vp *reply
	h.at(time.Minute, func() {
		h.env.SetCurrentHistoryLength(historyBudget)
		delegated = h.assign("cs.head delegates", zhidu.AssignTaskRequest{TaskID: h.task(stepDeptHead),
			Kind: zhidu.AssignDelegate, Actor: csHead, Owner: "cs.head", To: csSuper, Note: "on leave"})
		raised = h.send(UpdateSetLevel, "raise", zhidu.SetLevelRequest{Actor: csHead, Level: zhidu.Secret, Reason: "names a person"})
	})
	h.at(2*time.Minute, func() { done = h.complete("cs.head approves", approve(h.task(stepDeptHead), csHead)) })
	h.at(3*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
	res := h.run(input(zhidu.Internal, SLA{}))

	for _, r := range []*reply{delegated, raised} {
		wantRejected(t, r, zhidu.CodeConflict)
		if r != nil && !strings.Contains(fmt.Sprint(r.rejected), "recorded as many changes as it may") {
			t.Errorf("%s: rejection %v, want history.full", r.what, r.rejected)
		}
	}
	if len(h.assigns) != 0 || len(h.levels) != 0 {
		t.Errorf("recorded %d assignments and %d level changes past the budget, want none", len(h.assigns), len(h.levels))
	}
	wantAccepted(t, done)
	wantAccepted(t, vp)
	wantResult(t, res, "approved", "cs.head", "vp.ops")
}

// TestAssignKeyAppliedOnce: a delegation sent again under its key (a retry
// after a lost answer) is answered, not applied a second time; another key
// is another delegation.
func TestAssignKeyAppliedOnce(t *testing.T) {
	h := newApprovalHarness(t)
	var first, again, other *reply
	delegate := func(key string) zhidu.AssignTaskRequest {
		return zhidu.AssignTaskRequest{TaskID: h.task(stepDeptHead), Kind: zhidu.AssignDelegate, Actor: csHead,
			Owner: "cs.head", To: csSuper, Note: "on leave", Key: key}
	}
	h.at(time.Minute, func() { first = h.assign("delegate under k1", delegate("k1")) })
	h.at(2*time.Minute, func() { again = h.assign("delegate under k1 again", delegate("k1")) })
	h.at(3*time.Minute, func() { other = h.assign("delegate under k2", delegate("k2")) })
	h.at(4*time.Minute, func() {
		r := approve(h.task(stepDeptHead), csSuper)
		r.Assignee, r.OnBehalfOf = "cs.head", "cs.head"
		h.complete("cs.super approves for cs.head", r)
	})
	h.at(5*time.Minute, func() { h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
	res := h.run(input(zhidu.Internal, SLA{}))

	wantAccepted(t, first)
	wantAccepted(t, again)
	wantAccepted(t, other)
	wantResult(t, res, "approved", "cs.super", "vp.ops")
	if len(h.assigns) != 2 || h.assigns[0].EventKey != h.assigns[0].TaskID+":assign:1" ||
		h.assigns[1].EventKey != h.assigns[1].TaskID+":assign:2" {
		t.Errorf("AssignTask records %+v, want two (k1 once, k2)", h.assigns)
	}
}
