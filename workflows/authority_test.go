package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/zhidu/zhidu"
)

// Approval authority (核决权限) does not move by reassignment: the security
// review's attacks, and every path a task reaches a person by.

var (
	csSuperAsker = func() ApprovalInput { // cs.super asks for a ¥40,000 payment
		in := input(zhidu.Internal, SLA{})
		in.Process.StartedBy = csSuper.Username
		return in
	}
	newhire = person("newhire", zhidu.DeptSales, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptSales))
)

func reassign(task string, by, to zhidu.Actor) zhidu.AssignTaskRequest {
	return zhidu.AssignTaskRequest{TaskID: task, Kind: zhidu.AssignReassign, Actor: by, To: to}
}

func delegate(task string, owner, to zhidu.Actor) zhidu.AssignTaskRequest {
	return zhidu.AssignTaskRequest{TaskID: task, Kind: zhidu.AssignDelegate, Actor: owner, Owner: owner.Username, To: to}
}

// wantRefusal checks a rejection is forbidden and says why.
func wantRefusal(t *testing.T, r *reply, why string) {
	t.Helper()
	wantRejected(t, r, zhidu.CodeForbidden)
	if r != nil && r.rejected != nil && !strings.Contains(r.rejected.Error(), why) {
		t.Errorf("%s: rejected with %q, want it to say %q", r.what, r.rejected, why)
	}
}

// TestReassignDoesNotMoveAuthority replays the review's first attack:
// cs.super reassigned the steps of her own approval to cs.agent and
// cs.head, who approved, and the VP never saw it.
func TestReassignDoesNotMoveAuthority(t *testing.T) {
	h := newApprovalHarness(t)
	var own, toStaff, toHead, byVP, headApproves, vpApproves *reply
	h.at(time.Minute, func() {
		own = h.assign("the requester reassigns her own step", reassign(h.task(stepDeptHead), csSuper, csAgent))
		toStaff = h.assign("vp.ops reassigns the head's step to staff", reassign(h.task(stepDeptHead), vpOps, csAgent))
	})
	h.at(2*time.Minute, func() { headApproves = h.complete("cs.head approves", approve(h.task(stepDeptHead), csHead)) })
	h.at(3*time.Minute, func() {
		toHead = h.assign("cs.head reassigns the VP's step to himself via another", reassign(h.task(stepVP), csHead, csActing))
		byVP = h.assign("vp.ops reassigns the VP's step to cs.acting", reassign(h.task(stepVP), vpOps, csActing))
	})
	h.at(4*time.Minute, func() { vpApproves = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
	res := h.run(csSuperAsker())

	wantRefusal(t, own, "requested this")
	wantRefusal(t, toStaff, "approval authority")
	wantRefusal(t, toHead, "approved another step")
	wantRefusal(t, byVP, "approval authority")
	wantAccepted(t, headApproves)
	wantAccepted(t, vpApproves)
	wantResult(t, res, "approved", "cs.head", "vp.ops")
	if len(h.assigns) != 0 {
		t.Errorf("AssignTask(%+v), want nothing recorded", h.assigns)
	}
}

// TestAuthorityPaths walks every way a task reaches a person: the
// candidates, the escalation ladder (before the rung is reached), above
// the line, delegation by the holder; and who never holds it.
func TestAuthorityPaths(t *testing.T) {
	tests := []struct {
		name string
		req  func(task string) zhidu.AssignTaskRequest
		// holder completes the step once the assignment was accepted.
		holder zhidu.Actor
		why    string // the refusal, when the assignment is refused
	}{
		{name: "reassign to another candidate", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, vpOps, csActing) },
			holder: csActing},
		{name: "reassign to a rung of the ladder not reached yet", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, vpOps, deputy) },
			holder: deputy},
		{name: "reassign to the GM, above every line", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, vpOps, gm) },
			holder: gm},
		{name: "reassign to staff", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, vpOps, csClerk) },
			why: "approval authority"},
		{name: "reassign to a supervisor, below the head", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, vpOps, csSuper) },
			why: "approval authority"},
		{name: "reassign to the head of another department", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, vpOps, salesHead) },
			why: "approval authority"},
		{name: "reassign to the requester", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, vpOps, csAgent) },
			why: "requested this"},
		{name: "reassign by the requester", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, csAgent, csActing) },
			why: "requested this"},
		{name: "reassign by someone excluded", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, newhire, csActing) },
			why: "subject of this process"},
		{name: "reassign to someone excluded", req: func(id string) zhidu.AssignTaskRequest { return reassign(id, vpOps, newhireHead) },
			why: "subject of this process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newApprovalHarness(t)
			in := input(zhidu.Internal, SLA{Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}})
			in.Process.Barred = []string{newhire.Username, newhireHead.Username}
			var moved, done, vp *reply
			h.at(time.Minute, func() { moved = h.assign(tt.name, tt.req(h.task(stepDeptHead))) })
			holder := tt.holder
			if tt.why != "" {
				holder = csHead
			}
			h.at(2*time.Minute, func() { done = h.complete(holder.Username+" approves", approve(h.task(stepDeptHead), holder)) })
			h.at(3*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
			res := h.run(in)

			if tt.why != "" {
				wantRefusal(t, moved, tt.why)
			} else {
				wantAccepted(t, moved)
			}
			wantAccepted(t, done)
			wantAccepted(t, vp)
			wantResult(t, res, "approved", holder.Username, "vp.ops")
		})
	}
}

// newhireHead heads customer service and is barred from the process.
var newhireHead = person("cs.barred", zhidu.DeptCS, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptCS))

// TestDelegationMovesAuthorityFromItsHolder: the assignee delegates, the
// delegate completes "B for A"; nobody else delegates, and the delegate is
// never the requester, an earlier approver or someone barred.
func TestDelegationMovesAuthorityFromItsHolder(t *testing.T) {
	h := newApprovalHarness(t)
	in := input(zhidu.Internal, SLA{})
	in.Process.Barred = []string{newhire.Username}
	var notOwner, toRequester, toBarred, toApprover, ok, done, vpDone *reply
	h.at(time.Minute, func() {
		notOwner = h.assign("cs.super delegates cs.head's task", zhidu.AssignTaskRequest{TaskID: h.task(stepDeptHead),
			Kind: zhidu.AssignDelegate, Actor: csSuper, Owner: csHead.Username, To: csClerk})
		toRequester = h.assign("delegate to the requester", delegate(h.task(stepDeptHead), csHead, csAgent))
		toBarred = h.assign("delegate to the accused", delegate(h.task(stepDeptHead), csHead, newhire))
		ok = h.assign("cs.head delegates to cs.clerk", delegate(h.task(stepDeptHead), csHead, csClerk))
	})
	h.at(2*time.Minute, func() {
		done = h.complete("cs.clerk for cs.head", zhidu.CompleteTaskRequest{TaskID: h.task(stepDeptHead), Actor: csClerk,
			Assignee: csHead.Username, OnBehalfOf: csHead.Username, Outcome: OutcomeApprove})
	})
	h.at(3*time.Minute, func() {
		toApprover = h.assign("vp delegates to the earlier approver", delegate(h.task(stepVP), vpOps, csClerk))
	})
	h.at(4*time.Minute, func() { vpDone = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
	res := h.run(in)

	wantRefusal(t, notOwner, "only the assignee")
	wantRefusal(t, toRequester, "requested this")
	wantRefusal(t, toBarred, "subject of this process")
	wantAccepted(t, ok)
	wantAccepted(t, done)
	wantRefusal(t, toApprover, "approved another step")
	wantAccepted(t, vpDone)
	wantResult(t, res, "approved", "cs.clerk", "vp.ops")
	if c := h.completions[0]; c.Actor != "cs.clerk" || c.OnBehalfOf != "cs.head" {
		t.Errorf("CompletionRecord %+v, want cs.clerk for cs.head", c)
	}
}

// TestNobodyApprovesTwoLevels: the GM who approved the head's step (from
// the ladder) may not take the VP's step too, by claim or reassignment.
func TestNobodyApprovesTwoLevels(t *testing.T) {
	h := newApprovalHarness(t)
	var toGM, first, moved, claimed, vp *reply
	h.at(time.Minute, func() { toGM = h.assign("vp.ops reassigns to the GM", reassign(h.task(stepDeptHead), vpOps, gm)) })
	h.at(2*time.Minute, func() { first = h.complete("gm approves the head's step", approve(h.task(stepDeptHead), gm)) })
	h.at(3*time.Minute, func() {
		moved = h.assign("deputy reassigns the VP's step to the GM", reassign(h.task(stepVP), deputy, gm))
		claimed = h.complete("gm approves the VP's step as well", approve(h.task(stepVP), gm))
	})
	h.at(4*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
	res := h.run(input(zhidu.Internal, SLA{}))

	wantAccepted(t, toGM)
	wantAccepted(t, first)
	wantRefusal(t, moved, "approved another step")
	wantRefusal(t, claimed, "approved another step")
	wantAccepted(t, vp)
	wantResult(t, res, "approved", "gm", "vp.ops")
	if got := h.created[1].Spec.Excluded; !slices.Contains(got, "gm") || !slices.Contains(got, "cs.agent") {
		t.Errorf("VP step excludes %v, want the requester and the GM who approved the first step", got)
	}
}

// TestComplaintAuthorityAboveThreshold replays the review's second attack:
// sales.head reassigned the VP's and the GM's approval of an ¥80,000
// compensation to newhire, a rep on probation.
func TestComplaintAuthorityAboveThreshold(t *testing.T) {
	h := newComplaintHarness(t)
	cfg := complaintConfig(0)
	salesHeadVP := also(salesHead, grant(zhidu.RoleVP, zhidu.DeptSales)) // even a manager with the right to reassign
	var toNewhireVP, toNewhireGM *reply
	acts := []act{
		{time.Minute, "triage", csSuper, "valid", map[string]any{"responsible_department": "sales"}},
		{time.Hour, "investigation#1", salesRep, "submit", findings("compensate", 80000)},
	}
	h.at(90*time.Minute, func() {
		toNewhireVP = h.assign("sales.head → newhire (VP step)", reassign(h.task("approval#1"), salesHeadVP, newhire))
	})
	h.at(150*time.Minute, func() {
		toNewhireGM = h.assign("sales.head → newhire (GM step)", reassign(h.task("gm_approval#1"), salesHeadVP, newhire))
	})
	replies := h.play(append(acts,
		act{2 * time.Hour, "approval#1", vpOpsAll, "approve", nil},
		act{3 * time.Hour, "gm_approval#1", gm, "approve", nil},
		act{4 * time.Hour, "remedy", salesRep, "done", remedyDone()},
		act{5 * time.Hour, "reply#1", csAgent, "sent", replyData("letter", false)},
		act{5*time.Hour + cfg.FollowUpAfter + time.Hour, "follow_up", csAgent, "done", followUpDone()},
	)...)
	res := h.run(complaintInput(feesIntake(), zhidu.Internal, cfg))

	wantRefusal(t, toNewhireVP, "approval authority")
	wantRefusal(t, toNewhireGM, "approval authority")
	wantAllAccepted(t, replies)
	wantOutcome(t, res, "resolved", false)
}

// TestMisconductAccusedKeptOff: the employee a misconduct complaint names
// is excluded from every task it creates, and may not work one.
func TestMisconductAccusedKeptOff(t *testing.T) {
	h := newComplaintHarness(t)
	cfg := complaintConfig(0)
	intake := misconductIntake()
	intake.Accused = salesHead.Username
	var byAccused *reply
	h.at(time.Hour, func() {
		req := zhidu.CompleteTaskRequest{TaskID: h.task("investigation#1"), Actor: salesHead, Assignee: salesHead.Username,
			Outcome: "submit", Data: map[string]any{"cause": "none", "responsibility": "none", "remedy": "none"}}
		byAccused = h.complete("the accused investigates", req)
	})
	replies := h.play(
		act{time.Minute, "triage", csSuper, "valid", map[string]any{"responsible_department": "sales"}},
		act{2 * time.Hour, "investigation#1", hrTrainer, "submit", map[string]any{"cause": "lost his temper",
			"responsibility": "sales.head", "remedy": "discipline"}},
		act{3 * time.Hour, "approval#1", vpOpsAll, "approve", nil},
		act{4 * time.Hour, "remedy", hrHead, "done", map[string]any{"actions": "written warning"}},
		act{5 * time.Hour, "reply#1", csSuper, "sent", replyData("letter", false)},
		act{5*time.Hour + cfg.FollowUpAfter + time.Hour, "follow_up", csSuper, "done", followUpDone()},
	)
	res := h.run(complaintInput(intake, zhidu.Secret, cfg))

	wantRefusal(t, byAccused, "subject of this process")
	wantAllAccepted(t, replies)
	wantOutcome(t, res, "resolved", false)
	for _, in := range h.created {
		if !slices.Contains(in.Spec.Excluded, salesHead.Username) || !slices.Contains(in.Process.Barred, salesHead.Username) {
			t.Errorf("task %s excludes %v, process bars %v; want the accused in both", in.Spec.StepKey, in.Spec.Excluded, in.Process.Barred)
		}
	}
}

// failWrites makes the named projection activity fail for good (as a
// write PostgreSQL refuses does) the first n times.
func failWrites[In, Out any](h *harness[In, Out], activity string, n int, then any) {
	h.env.OnActivity(activity, mock.Anything, mock.Anything).
		Return(temporal.NewNonRetryableApplicationError("refused", string(zhidu.CodeInvalid), nil)).Times(n)
	h.env.OnActivity(activity, mock.Anything, mock.Anything).Return(then)
}

// TestFailedWriteChangesNothing: a cancel, an assignment or a level change
// whose write fails leaves the workflow as the projection shows it — still
// running, the task still open with its holder — and the same request
// works once the write succeeds.
func TestFailedWriteChangesNothing(t *testing.T) {
	t.Run("cancel", func(t *testing.T) {
		h := newApprovalHarness(t)
		failWrites(h, ActivityFinishProcess, 1, h.finishProcess)
		var failed, approved, vp *reply
		var st ProcessSnapshot
		h.at(time.Minute, func() {
			failed = h.cancel("cancel whose write fails", zhidu.CancelProcessRequest{Actor: csAgent, Reason: "withdrawn"})
		})
		h.at(2*time.Minute, func() {
			st = h.state()
			approved = h.complete("cs.head approves after the failed cancel", approve(h.task(stepDeptHead), csHead))
		})
		h.at(3*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
		res := h.run(input(zhidu.Internal, SLA{}))

		if failed == nil || !failed.accepted || failed.err == nil {
			t.Fatalf("failed cancel: %+v, want accepted and its handler failing", failed)
		}
		if st.Cancelled != nil || st.Finished {
			t.Errorf("after the failed cancel: cancelled %v, finished %v; want running", st.Cancelled, st.Finished)
		}
		wantAccepted(t, approved)
		wantAccepted(t, vp)
		wantResult(t, res, "approved", "cs.head", "vp.ops")
		h.wantFinished(t, zhidu.ProcessCompleted, "approved")
	})
	t.Run("assign", func(t *testing.T) {
		h := newApprovalHarness(t)
		failWrites(h, ActivityAssignTask, 1, h.assignTask)
		var failed, again, done, vp *reply
		var st ProcessSnapshot
		h.at(time.Minute, func() {
			failed = h.assign("reassign whose write fails", reassign(h.task(stepDeptHead), vpOps, csActing))
		})
		h.at(2*time.Minute, func() {
			st = h.state()
			again = h.assign("reassign again", reassign(h.task(stepDeptHead), vpOps, csActing))
		})
		h.at(3*time.Minute, func() { done = h.complete("cs.acting approves", approve(h.task(stepDeptHead), csActing)) })
		h.at(4*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
		res := h.run(input(zhidu.Internal, SLA{}))

		if failed == nil || !failed.accepted || failed.err == nil {
			t.Fatalf("failed reassign: %+v, want accepted and its handler failing", failed)
		}
		if tk := st.Tasks[0]; tk.Assignments != 0 || tk.State != taskOpen || len(tk.Candidates) != 1 {
			t.Errorf("after the failed reassign: task %+v, want open, no assignment, its own candidates", tk)
		}
		wantAccepted(t, again)
		wantAccepted(t, done)
		wantAccepted(t, vp)
		wantResult(t, res, "approved", "cs.acting", "vp.ops")
		if len(h.assigns) != 1 || !strings.HasSuffix(h.assigns[0].EventKey, ":assign:1") {
			t.Errorf("AssignTask records %+v, want one, the first assignment", h.assigns)
		}
	})
	t.Run("level", func(t *testing.T) {
		h := newComplaintHarness(t)
		failWrites(h, ActivitySetLevel, 1, h.setLevel)
		var failed, again *reply
		var st ProcessSnapshot
		h.at(time.Minute, func() {
			failed = h.send(UpdateSetLevel, "raise whose write fails", zhidu.SetLevelRequest{Actor: csHead, Level: zhidu.Secret, Reason: "names a person"})
		})
		h.at(2*time.Minute, func() {
			st = h.state()
			again = h.send(UpdateSetLevel, "raise again", zhidu.SetLevelRequest{Actor: csHead, Level: zhidu.Secret, Reason: "names a person"})
		})
		h.at(3*time.Minute, func() { h.cancel("cancel", zhidu.CancelProcessRequest{Actor: csHead, Reason: "done testing"}) })
		h.run(complaintInput(productIntake(), zhidu.Internal, complaintConfig(0)))

		if failed == nil || !failed.accepted || failed.err == nil {
			t.Fatalf("failed level change: %+v, want accepted and its handler failing", failed)
		}
		if st.Info.Level != zhidu.Internal || st.LevelChanges != 0 || st.Tasks[0].Spec.Level != zhidu.Internal {
			t.Errorf("after the failed level change: level %v, changes %d, task level %v; want internal, 0, internal",
				st.Info.Level, st.LevelChanges, st.Tasks[0].Spec.Level)
		}
		wantAccepted(t, again)
		if len(h.levels) != 1 || h.levels[0].To != zhidu.Secret {
			t.Errorf("SetLevel records %+v, want one, to secret", h.levels)
		}
	})
}

// TestCandidateAbove checks the department line.
func TestCandidateAbove(t *testing.T) {
	tests := []struct {
		c    zhidu.Candidate
		a    zhidu.Actor
		want bool
	}{
		{zhidu.Candidate{Role: zhidu.RoleStaff, Department: zhidu.DeptCS}, csSuper, true},
		{zhidu.Candidate{Role: zhidu.RoleSupervisor, Department: zhidu.DeptCS}, csHead, true},
		{zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}, csSuper, false},
		{zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}, csHead, false}, // the same rank is not above
		{zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}, vpOps, true},
		{zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}, salesHead, false},
		{zhidu.Candidate{Role: zhidu.RoleVP, Department: zhidu.DeptSales}, vpOps, false}, // vp.ops of the approval tests is not in sales
		{zhidu.Candidate{Role: zhidu.RoleVP, Department: zhidu.DeptCS}, deputy, true},
		{zhidu.Candidate{Role: zhidu.RoleDeputyGM, Department: zhidu.DeptGMO}, gm, true},
		{zhidu.Candidate{Role: zhidu.RoleGM, Department: zhidu.DeptGMO}, deputy, false},
		{zhidu.Candidate{Role: zhidu.RoleCompliance, Department: zhidu.DeptBMO}, gm, false},
		{zhidu.Candidate{User: "cs.agent"}, gm, false},
	}
	for _, tt := range tests {
		if got := tt.c.Above(tt.a); got != tt.want {
			t.Errorf("%s.Above(%s) = %v, want %v", tt.c, tt.a.Username, got, tt.want)
		}
	}
}

// TestHandOverFollowsAuthority: when an employee leaves, a process hands
// the tasks they hold to the colleague only where the step's authority
// reaches the colleague; otherwise the claim is released and the task
// escalates, and the colleague cannot work it.
func TestHandOverFollowsAuthority(t *testing.T) {
	tests := []struct {
		name      string
		colleague zhidu.Actor
		// holder completes the head's step after the hand-over.
		holder zhidu.Actor
		want   string // the assignment recorded
	}{
		{name: "to another head of the department", colleague: csActing, holder: csActing, want: zhidu.AssignReassign},
		{name: "to staff, whom the step does not name", colleague: csClerk, holder: csActing, want: zhidu.AssignRelease},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newApprovalHarness(t)
			in := input(zhidu.Internal, SLA{Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}})
			var byColleague, done, vp *reply
			h.at(time.Minute, func() {
				h.env.SignalWorkflow(SignalHandOver, zhidu.HandOverRequest{EventKey: "probation-1:separated", Employee: csHead.Username,
					Colleague: tt.colleague, By: "hr.head", Reason: "未完成销售任务者自动离职", Held: []string{h.task(stepDeptHead)}})
			})
			h.at(2*time.Minute, func() {
				byColleague = h.complete(tt.colleague.Username+" approves", approve(h.task(stepDeptHead), tt.colleague))
			})
			if tt.holder.Username != tt.colleague.Username {
				h.at(3*time.Minute, func() { done = h.complete(tt.holder.Username+" approves", approve(h.task(stepDeptHead), tt.holder)) })
			}
			h.at(4*time.Minute, func() { vp = h.complete("vp.ops approves", approve(h.task(stepVP), vpOps)) })
			res := h.run(in)

			if len(h.assigns) != 1 {
				t.Fatalf("AssignTask(%+v), want one hand-over", h.assigns)
			}
			a := h.assigns[0]
			if a.Kind != tt.want || a.Owner != csHead.Username || a.By != "hr.head" || a.TaskID != h.task(stepDeptHead) {
				t.Errorf("hand-over recorded as %+v, want %s", a, tt.want)
			}
			escalated := slices.ContainsFunc(h.events, func(e zhidu.TaskEvent) bool {
				return e.Event == zhidu.EventEscalated && e.TaskID == h.task(stepDeptHead) && e.At.Before(t0.Add(time.Hour))
			})
			if tt.want == zhidu.AssignReassign {
				wantAccepted(t, byColleague)
				if a.To != csActing.Username || escalated {
					t.Errorf("reassigned to %q, escalated at once %v", a.To, escalated)
				}
			} else {
				wantRefusal(t, byColleague, "approval authority")
				wantAccepted(t, done)
				if a.To != "" || !strings.Contains(a.Note, "cs.clerk") || !escalated {
					t.Errorf("released with %+v, escalated at once %v", a, escalated)
				}
			}
			wantAccepted(t, vp)
			wantResult(t, res, "approved", tt.holder.Username, "vp.ops")
		})
	}
}
