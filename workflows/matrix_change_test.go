package workflows

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/zhidu/zhidu"
)

var secadmin = person("secadmin", zhidu.DeptGMO, zhidu.Internal, grant(zhidu.RoleSecAdmin, zhidu.DeptGMO))

const matrixChangeID = "matrix_change-test"

// matrixHarness runs a matrix change and records the decisions handed to
// DecideApprovalMatrix.
type matrixHarness struct {
	*harness[MatrixChangeInput, MatrixChangeResult]
	mu        sync.Mutex
	decisions []MatrixDecision
}

func newMatrixHarness(t *testing.T) *matrixHarness {
	t.Helper()
	h := &matrixHarness{harness: newHarness[MatrixChangeInput, MatrixChangeResult](t, WorkflowMatrixChange, MatrixChange, matrixChangeID)}
	h.env.RegisterActivityWithOptions(func(_ context.Context, d MatrixDecision) error {
		keep(&h.mu, &h.decisions, d)
		return nil
	}, activity.RegisterOptions{Name: ActivityDecideMatrix})
	return h
}

func matrixInput() MatrixChangeInput {
	cfg := DefaultMatrixChangeConfig()
	return NewMatrixChange(matrixChangeID, "secadmin", 2, 1, "no finance review of small purchases",
		[]string{"~ rules[3] temporary/*/*/[0, 2000.01): dept_head@requester → staff@fin ⇒ dept_head@requester"}, &cfg)
}

// TestMatrixChangeApproved: the GM's task shows the changes; the proposer
// and anyone but the GM are refused; the GM's approval activates the
// version, then the process completes.
func TestMatrixChangeApproved(t *testing.T) {
	h := newMatrixHarness(t)
	self := h.try(time.Minute, "the proposer approves", "gm", secadmin, OutcomeApprove, nil)
	other := h.try(2*time.Minute, "the deputy GM approves", "gm", deputy, OutcomeApprove, nil)
	bare := h.try(3*time.Minute, "a rejection without an opinion", "gm", gm, OutcomeReject, nil)
	replies := h.play(act{time.Hour, "gm", gm, OutcomeApprove, map[string]any{"opinion": "agreed"}})
	res := h.run(matrixInput())

	wantRejected(t, self, zhidu.CodeForbidden)
	wantRejected(t, other, zhidu.CodeForbidden)
	wantRejectedField(t, bare, zhidu.CodeInvalid, "data.opinion")
	wantAllAccepted(t, replies)
	if res != (MatrixChangeResult{Outcome: ResultApproved, Version: 2, DecidedBy: "gm"}) {
		t.Errorf("result = %+v", res)
	}
	want := MatrixDecision{Version: 2, ProcessID: matrixChangeID, Approve: true, Actor: "gm", Reason: "agreed", At: t0.Add(time.Hour)}
	if len(h.decisions) != 1 || h.decisions[0] != want {
		t.Errorf("decisions = %+v, want %+v", h.decisions, want)
	}
	h.wantCompleted(t, ResultApproved, t0.Add(time.Hour))
	task := h.createdTask(t, "gm")
	s := task.Spec
	if s.Step != StepMatrixApproval || s.Department != zhidu.DeptGMO || !s.Approval || len(s.Escalations) != 0 ||
		!slices.Equal(s.Candidates, []zhidu.Candidate{role(zhidu.RoleGM, zhidu.DeptGMO)}) || !slices.Contains(s.Excluded, "secadmin") ||
		s.Due != 72*time.Hour || s.Reminder != 24*time.Hour {
		t.Errorf("task spec = %+v", s)
	}
	if c := s.Context; c["matrix_version"] != 2 || c["base_version"] != 1 || c["proposal_note"] != "no finance review of small purchases" ||
		len(c["changes"].([]string)) != 1 {
		t.Errorf("task context = %v", c)
	}
	if task.Process.Kind != KindMatrixChange || task.Process.Department != zhidu.DeptGMO || task.Process.Level != zhidu.Internal ||
		task.Process.Title != "审批矩阵 v2 (approval matrix v2)" {
		t.Errorf("process = %+v", task.Process)
	}
}

// TestMatrixChangeRejected: a rejection is handed on with its opinion.
func TestMatrixChangeRejected(t *testing.T) {
	h := newMatrixHarness(t)
	replies := h.play(act{time.Hour, "gm", gm, OutcomeReject, map[string]any{"opinion": "finance reviews every purchase"}})
	res := h.run(matrixInput())
	wantAllAccepted(t, replies)
	if res.Outcome != ResultRejected || len(h.decisions) != 1 || h.decisions[0].Approve || h.decisions[0].Reason != "finance reviews every purchase" {
		t.Errorf("result %+v, decisions %+v", res, h.decisions)
	}
	h.wantCompleted(t, ResultRejected, t0.Add(time.Hour))
}

// TestMatrixChangeCancelled: a cancelled change withdraws the proposal,
// recorded as rejected by whoever cancelled it.
func TestMatrixChangeCancelled(t *testing.T) {
	h := newMatrixHarness(t)
	var r *reply
	h.at(time.Hour, func() {
		r = h.cancel("the GM cancels", zhidu.CancelProcessRequest{Actor: gm, Reason: "proposed by mistake"})
	})
	res := h.run(matrixInput())
	wantAccepted(t, r)
	if res.Outcome != ResultCancelled || len(h.decisions) != 1 || h.decisions[0].Approve || h.decisions[0].Actor != "gm" ||
		h.decisions[0].Reason != "withdrawn: proposed by mistake" {
		t.Errorf("result %+v, decisions %+v", res, h.decisions)
	}
	h.wantFinished(t, zhidu.ProcessCancelled, ResultCancelled)
}

// TestMatrixChangeDescriptor: internal — no start hooks, starters or
// bench — and its record is the version it decides.
func TestMatrixChangeDescriptor(t *testing.T) {
	d, ok := Lookup(KindMatrixChange)
	if !ok || !d.Internal || d.Body != nil || d.Prepare != nil || len(d.Starters) != 0 || d.Bench != nil {
		t.Fatalf("descriptor = %+v", d)
	}
	got := d.Record(matrixInput())
	if len(got) != 3 || got["matrix_version"] != 2 || got["base_version"] != 1 || got["proposal_note"] == nil {
		t.Errorf("record = %v", got)
	}
	if d.Owner(secadmin) != zhidu.DeptGMO {
		t.Errorf("owner = %s", d.Owner(secadmin))
	}
}
