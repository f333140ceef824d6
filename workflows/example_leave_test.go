//go:build example

package workflows

import (
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

const exampleLeaveID = "example-leave-test"

func exampleLeaveInput(days int, cfg ExampleLeaveConfig) ExampleLeaveInput {
	return ExampleLeaveInput{
		Process: zhidu.ProcessInfo{ID: exampleLeaveID, Kind: KindExampleLeave, Title: "探亲", Level: zhidu.Internal,
			Department: zhidu.DeptCS, StartedBy: csAgent.Username},
		Days: days, Reason: "探亲", Config: cfg,
	}
}

func newExampleLeaveHarness(t *testing.T) *harness[ExampleLeaveInput, ExampleLeaveResult] {
	t.Helper()
	return newHarness[ExampleLeaveInput, ExampleLeaveResult](t, WorkflowExampleLeave, ExampleLeave, exampleLeaveID)
}

// TestExampleLeaveGranted: a leave longer than VPAbove days goes to the
// head, then to the VP in charge; the requester grants nothing, nobody
// grants twice, and the register entry says granted.
func TestExampleLeaveGranted(t *testing.T) {
	h := newExampleLeaveHarness(t)
	own := h.try(30*time.Second, "the requester grants", "head", csAgent, OutcomeGrant, nil)
	replies := h.play(
		act{time.Minute, "head", csHead, OutcomeGrant, nil},
		act{time.Hour, "vp", vpOps, OutcomeGrant, map[string]any{"remark": "同意"}},
	)
	res := h.run(exampleLeaveInput(5, DefaultExampleLeaveConfig()))

	wantRejected(t, own, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	if res.Outcome != ResultGranted || !slices.Equal(res.DecidedBy, []string{"cs.head", "vp.ops"}) {
		t.Errorf("result = %+v, want granted by cs.head and vp.ops", res)
	}
	h.wantCompleted(t, ResultGranted, t0.Add(time.Hour))
	h.wantCompletions(t, StepLeaveHead+":cs.head", StepLeaveVP+":vp.ops")
	day := 24 * time.Hour
	wantSpecs(t, h,
		spec{key: "head", step: StepLeaveHead, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{deptHeadCS},
			escalations: []zhidu.Escalation{esc(day, vpCS), esc(2*day, deputyGMO, gmGMO)}, excluded: []string{"cs.agent"}, approval: true},
		spec{key: "vp", step: StepLeaveVP, dept: zhidu.DeptCS, candidates: []zhidu.Candidate{vpCS},
			escalations: []zhidu.Escalation{esc(day, deputyGMO), esc(2*day, gmGMO)}, excluded: []string{"cs.agent", "cs.head"}, approval: true},
	)
	wantFields(t, h.register(t, KindExampleLeave), map[string]any{"result": ResultGranted})
	if last := h.entries[len(h.entries)-1]; last.ClosedAt == nil || !last.ClosedAt.Equal(t0.Add(time.Hour)) ||
		last.RetainUntil == nil || !last.RetainUntil.Equal(t0.Add(time.Hour).AddDate(1, 0, 0)) {
		t.Errorf("closing record = %+v, want closed at the grant and kept a year", last)
	}
}

// TestExampleLeaveDeclined: a short leave needs the head only; declining
// needs a remark of one line.
func TestExampleLeaveDeclined(t *testing.T) {
	h := newExampleLeaveHarness(t)
	bare := h.try(30*time.Second, "decline without a remark", "head", csHead, OutcomeDecline, nil)
	twoLines := h.try(40*time.Second, "a remark of two lines", "head", csHead, OutcomeGrant, map[string]any{"remark": "a\nb"})
	unknown := h.try(50*time.Second, "an outcome the form lacks", "head", csHead, OutcomeApprove, nil)
	replies := h.play(act{time.Minute, "head", csHead, OutcomeDecline, map[string]any{"remark": "月底结账，请改期"}})
	res := h.run(exampleLeaveInput(3, DefaultExampleLeaveConfig()))

	wantRejectedField(t, bare, zhidu.CodeInvalid, "data.remark")
	wantRejectedField(t, twoLines, zhidu.CodeInvalid, "data.remark")
	wantRejectedField(t, unknown, zhidu.CodeInvalid, "outcome")
	wantAllAccepted(t, replies)
	if res.Outcome != ResultDeclined {
		t.Errorf("result = %+v, want declined", res)
	}
	h.wantCompleted(t, ResultDeclined, t0.Add(time.Minute))
	wantKeys(t, h, "head")
	wantFields(t, h.register(t, KindExampleLeave), map[string]any{"result": ResultDeclined})
}

// TestExampleLeaveVPAbove: the setting moves the line between a short and
// a long leave.
func TestExampleLeaveVPAbove(t *testing.T) {
	cfg := DefaultExampleLeaveConfig()
	cfg.VPAbove = 10
	h := newExampleLeaveHarness(t)
	replies := h.play(act{time.Minute, "head", csHead, OutcomeGrant, nil})
	if res := h.run(exampleLeaveInput(5, cfg)); res.Outcome != ResultGranted {
		t.Errorf("result = %+v, want granted by the head alone", res)
	}
	wantAllAccepted(t, replies)
	wantKeys(t, h, "head")
}

// TestExampleLeaveCancelled: a cancelled request closes its register
// entry as cancelled.
func TestExampleLeaveCancelled(t *testing.T) {
	h := newExampleLeaveHarness(t)
	var r *reply
	h.at(time.Minute, func() {
		r = h.cancel("cs.agent cancels", zhidu.CancelProcessRequest{Actor: csAgent, Reason: "plans changed"})
	})
	if res := h.run(exampleLeaveInput(2, DefaultExampleLeaveConfig())); res.Outcome != ResultCancelled {
		t.Errorf("result = %+v, want cancelled", res)
	}
	wantAccepted(t, r)
	wantFields(t, h.register(t, KindExampleLeave), map[string]any{"result": ResultCancelled})
}

// TestExampleLeaveStart: the start hook's field messages (the process's
// own, from DefineMessages, and the shared ones) and the facts it fills.
func TestExampleLeaveStart(t *testing.T) {
	d, ok := Lookup(KindExampleLeave)
	if !ok {
		t.Fatal("no example_leave descriptor")
	}
	cfg := d.NewConfig()
	prepare := func(days float64, reason string) (any, *zhidu.ProcessInfo, error) {
		info := &zhidu.ProcessInfo{ID: "example_leave-1", Kind: KindExampleLeave, Department: zhidu.DeptCS, StartedBy: "cs.agent"}
		in, err := d.Prepare(t.Context(), &exampleLeaveStart{Days: days, Reason: reason}, StartContext{Starter: csAgent, Process: info, Config: cfg})
		return in, info, err
	}
	for _, tc := range []struct {
		days   float64
		reason string
		want   map[string]string
	}{
		{0, "探亲", map[string]string{"days": "must be a whole number of days from 1 to 30"}},
		{2.5, "探亲", map[string]string{"days": "must be a whole number of days from 1 to 30"}},
		{31, "探亲", map[string]string{"days": "must be a whole number of days from 1 to 30"}},
		{2, "  ", map[string]string{"reason": "is required"}},
		{2, strings.Repeat("长", 201), map[string]string{"reason": "must be at most 200 characters"}},
	} {
		_, _, err := prepare(tc.days, tc.reason)
		var e *zhidu.Error
		if !errors.As(err, &e) || e.Code != zhidu.CodeInvalid || e.Message != "cannot request the leave" || len(e.Fields) != len(tc.want) {
			t.Errorf("%v %q: error = %v, want invalid with %v", tc.days, tc.reason, err, tc.want)
			continue
		}
		for f, m := range tc.want {
			if e.Fields[f] != m {
				t.Errorf("%v %q: %s = %q, want %q", tc.days, tc.reason, f, e.Fields[f], m)
			}
		}
		if zh, ok := zhidu.DefinedChinese(e.MessageCode.Code); !ok || zh != "无法提交请假申请" {
			t.Errorf("the message's Chinese = %q, %v", zh, ok)
		}
	}
	in, info, err := prepare(3, "探亲")
	if err != nil {
		t.Fatal(err)
	}
	got := in.(ExampleLeaveInput)
	if got.Days != 3 || got.Reason != "探亲" || !reflect.DeepEqual(got.Config, *cfg.(*ExampleLeaveConfig)) || got.Process.Title != "探亲" ||
		got.Process.Level != zhidu.Internal || info.Title != "探亲" {
		t.Errorf("input = %+v, facts %+v", got, info)
	}
	if rec := d.Record(got); len(rec) != 2 || rec["days"] != 3 || rec["reason"] != "探亲" {
		t.Errorf("record = %v", rec)
	}
}

// TestExampleLeaveReplay replays the example's own fixtures, recorded with
// go run -tags example ./cmd/record-histories -run '^example-'.
func TestExampleLeaveReplay(t *testing.T) { replayHistories(t, filepath.Join("testdata", "example")) }
