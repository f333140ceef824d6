package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

const fileAccessID = "file-access-test"

func fileAccessInput(d time.Duration, cfg FileAccessConfig) FileAccessInput {
	return FileAccessInput{
		Process: zhidu.ProcessInfo{ID: fileAccessID, Kind: KindFileAccess, Title: "查阅 department:cs", Level: zhidu.Internal,
			Department: zhidu.DeptSales, StartedBy: salesRep.Username},
		Target: "department:cs", Reason: "核对投诉", Duration: d, Config: cfg,
	}
}

func newFileAccessHarness(t *testing.T) *harness[FileAccessInput, FileAccessResult] {
	t.Helper()
	return newHarness[FileAccessInput, FileAccessResult](t, WorkflowFileAccess, FileAccess, fileAccessID)
}

// endGrant schedules a return or revocation; its reply is filled in as
// the workflow answers.
func (h *harness[In, Out]) endGrant(at time.Duration, update string, a zhidu.Actor, reason string) *reply {
	r := &reply{what: update + " by " + a.Username}
	h.at(at, func() {
		h.env.UpdateWorkflow(update, "", r.callback(), zhidu.GrantEndRequest{Actor: a, Reason: reason})
	})
	return r
}

// TestFileAccessExpires: only the GM approves (not the requester, not a
// deputy GM by default); the grant runs from the approval for the asked
// duration, and the durable timer takes it back at its expiry. Nobody
// but the grantee returns it, nobody but the GM line revokes it, and a
// second approval is refused.
func TestFileAccessExpires(t *testing.T) {
	h := newFileAccessHarness(t)
	own := h.try(10*time.Second, "the requester approves", "gm", salesRep, OutcomeApprove, nil)
	dep := h.try(20*time.Second, "a deputy GM approves (not configured)", "gm", deputy, OutcomeApprove, nil)
	replies := h.play(act{time.Minute, "gm", gm, OutcomeApprove, nil})
	again := h.try(2*time.Minute, "a second approval", "gm", gm, OutcomeApprove, nil)
	notHis := h.endGrant(time.Hour, UpdateReturnGrant, salesHead, "")
	notGM := h.endGrant(2*time.Hour, UpdateRevokeGrant, salesHead, "enough")
	var mid ProcessSnapshot
	h.at(3*time.Hour, func() { mid = h.state() })
	res := h.run(fileAccessInput(72*time.Hour, DefaultFileAccessConfig()))

	wantRejected(t, own, zhidu.CodeForbidden)
	wantRejected(t, dep, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	wantRejected(t, again, zhidu.CodeConflict)
	wantRejected(t, notHis, zhidu.CodeForbidden)
	wantRejected(t, notGM, zhidu.CodeForbidden)
	granted, expires := t0.Add(time.Minute), t0.Add(time.Minute+72*time.Hour)
	if len(h.grants) != 1 {
		t.Fatalf("grants = %+v, want one", h.grants)
	}
	g := h.grants[0]
	if g.ID != fileAccessID || g.Grantee != "sales.rep" || g.Target != "department:cs" || g.ApprovedBy != "gm" ||
		!g.GrantedAt.Equal(granted) || !g.ExpiresAt.Equal(expires) || g.Reason != "核对投诉" {
		t.Errorf("grant = %+v", g)
	}
	if !g.Opens("sales.rep", granted) || g.Opens("sales.rep", expires) || g.Opens("sales.head", granted) {
		t.Errorf("the grant opens outside its window or to someone else")
	}
	if len(mid.Tasks) != 1 || mid.Finished {
		t.Errorf("during the grant: %d tasks, finished %v", len(mid.Tasks), mid.Finished)
	}
	if len(h.revocations) != 1 || h.revocations[0].Ending != zhidu.GrantExpired || h.revocations[0].By != "system" ||
		!h.revocations[0].At.Equal(expires) {
		t.Errorf("revocations = %+v, want one expiry by system at %v", h.revocations, expires)
	}
	if res.Outcome != ResultGrantExpired || res.DecidedBy != "gm" || res.ExpiresAt == nil || !res.ExpiresAt.Equal(expires) {
		t.Errorf("result = %+v", res)
	}
	h.wantCompleted(t, ResultGrantExpired, expires)
	wantSpecs(t, h, spec{key: "gm", step: StepAccessApproval, dept: zhidu.DeptGMO, candidates: []zhidu.Candidate{gmGMO},
		excluded: []string{"sales.rep"}, approval: true})
}

// TestFileAccessReturned: the grantee gives the grant back early; it ends
// then, once, and the timer writes nothing more.
func TestFileAccessReturned(t *testing.T) {
	h := newFileAccessHarness(t)
	h.play(act{time.Minute, "gm", gm, OutcomeApprove, nil})
	back := h.endGrant(2*time.Hour, UpdateReturnGrant, salesRep, "看完了")
	twice := h.endGrant(3*time.Hour, UpdateRevokeGrant, gm, "late")
	res := h.run(fileAccessInput(72*time.Hour, DefaultFileAccessConfig()))

	wantAccepted(t, back)
	if twice.accepted {
		t.Errorf("a revocation after the return was accepted")
	}
	if len(h.revocations) != 1 || h.revocations[0].Ending != zhidu.GrantReturned || h.revocations[0].By != "sales.rep" ||
		!h.revocations[0].At.Equal(t0.Add(2*time.Hour)) || h.revocations[0].Reason != "看完了" {
		t.Errorf("revocations = %+v, want the return", h.revocations)
	}
	if res.Outcome != ResultGrantReturned || res.RevokedBy != "sales.rep" {
		t.Errorf("result = %+v", res)
	}
	h.wantCompleted(t, ResultGrantReturned, t0.Add(2*time.Hour))
}

// TestFileAccessRevoked: the GM line takes the grant back, saying why; a
// deputy GM may revoke even when only the GM approves.
func TestFileAccessRevoked(t *testing.T) {
	h := newFileAccessHarness(t)
	h.play(act{time.Minute, "gm", gm, OutcomeApprove, nil})
	noWhy := h.endGrant(time.Hour, UpdateRevokeGrant, deputy, " ")
	revoke := h.endGrant(2*time.Hour, UpdateRevokeGrant, deputy, "不再需要")
	res := h.run(fileAccessInput(72*time.Hour, DefaultFileAccessConfig()))

	wantRejectedField(t, noWhy, zhidu.CodeInvalid, "reason")
	wantAccepted(t, revoke)
	if len(h.revocations) != 1 || h.revocations[0].Ending != zhidu.GrantRevoked || h.revocations[0].By != "deputy" {
		t.Errorf("revocations = %+v", h.revocations)
	}
	if res.Outcome != ResultGrantRevoked || res.EndReason != "不再需要" {
		t.Errorf("result = %+v", res)
	}
}

// TestFileAccessDeclined: a declined request writes no grant; there is
// nothing to return.
func TestFileAccessDeclined(t *testing.T) {
	h := newFileAccessHarness(t)
	noRemark := h.try(30*time.Second, "decline without a remark", "gm", gm, OutcomeDenyAccess, nil)
	ret := h.endGrant(40*time.Second, UpdateReturnGrant, salesRep, "")
	h.play(act{time.Minute, "gm", gm, OutcomeDenyAccess, map[string]any{"remark": "无必要"}})
	res := h.run(fileAccessInput(72*time.Hour, DefaultFileAccessConfig()))

	wantRejectedField(t, noRemark, zhidu.CodeInvalid, "data.remark")
	wantRejected(t, ret, zhidu.CodeConflict)
	if len(h.grants) != 0 || len(h.revocations) != 0 {
		t.Errorf("a declined request wrote grants %+v, revocations %+v", h.grants, h.revocations)
	}
	if res.Outcome != ResultAccessDeclined {
		t.Errorf("result = %+v", res)
	}
	h.wantCompleted(t, ResultAccessDeclined, t0.Add(time.Minute))
}

// TestFileAccessDeputy: configured so, a deputy GM approves too.
func TestFileAccessDeputy(t *testing.T) {
	h := newFileAccessHarness(t)
	cfg := DefaultFileAccessConfig()
	cfg.Approvers = "gm,deputy_gm"
	replies := h.play(act{time.Minute, "gm", deputy, OutcomeApprove, nil})
	res := h.run(fileAccessInput(time.Hour, cfg))
	wantAllAccepted(t, replies)
	if res.Outcome != ResultGrantExpired || res.DecidedBy != "deputy" || len(h.grants) != 1 || h.grants[0].ApprovedBy != "deputy" {
		t.Errorf("result = %+v, grants %+v", res, h.grants)
	}
}

// TestFileAccessCancelled: cancelling a granted request takes its grant
// back.
func TestFileAccessCancelled(t *testing.T) {
	h := newFileAccessHarness(t)
	h.play(act{time.Minute, "gm", gm, OutcomeApprove, nil})
	var c *reply
	h.at(time.Hour, func() {
		c = h.cancel("cancel", zhidu.CancelProcessRequest{Actor: salesRep, Reason: "撤回"})
	})
	res := h.run(fileAccessInput(72*time.Hour, DefaultFileAccessConfig()))
	wantAccepted(t, c)
	if res.Outcome != ResultCancelled || len(h.revocations) != 1 || h.revocations[0].Ending != zhidu.GrantCancelled {
		t.Errorf("result = %+v, revocations %+v", res, h.revocations)
	}
}

// fakeObjects answers Objects from a map; missing refs are not found.
type fakeObjects map[string]ObjectInfo

func (f fakeObjects) Object(_ context.Context, _ zhidu.Actor, ref string) (ObjectInfo, error) {
	o, ok := f[ref]
	if !ok {
		return ObjectInfo{}, zhidu.Errorf(zhidu.CodeNotFound, "no %s", ref)
	}
	return o, nil
}

// TestFileAccessStart: the duration (above zero, at most the maximum), the
// target's form, existence and readability, and the request's level.
func TestFileAccessStart(t *testing.T) {
	d, ok := Lookup(KindFileAccess)
	if !ok {
		t.Fatal("no file-access descriptor")
	}
	objects := fakeObjects{
		"department:cs":  {Level: zhidu.Internal},
		"department:own": {Level: zhidu.Internal, Readable: true},
		"process:p-sec":  {Level: zhidu.Secret},
		"process:p-conf": {Level: zhidu.Confidential},
		"process:p-top":  {Level: zhidu.TopSecret},
		"process:p-bars": {Level: zhidu.Internal, Barred: true},
	}
	prepare := func(starter zhidu.Actor, b fileAccessStart) (any, error) {
		info := &zhidu.ProcessInfo{ID: "file-access-1", Kind: KindFileAccess, Department: starter.Department, StartedBy: starter.Username}
		return d.Prepare(t.Context(), &b, StartContext{Starter: starter, Process: info, Config: d.NewConfig(), Objects: objects})
	}
	for _, tc := range []struct {
		b     fileAccessStart
		field string
		code  zhidu.Code
	}{
		{fileAccessStart{"department:cs", "查", "0s"}, "duration", zhidu.CodeInvalid},
		{fileAccessStart{"department:cs", "查", "-1h"}, "duration", zhidu.CodeInvalid},
		{fileAccessStart{"department:cs", "查", "721h"}, "duration", zhidu.CodeInvalid},
		{fileAccessStart{"department:cs", "查", "three days"}, "duration", zhidu.CodeInvalid},
		{fileAccessStart{"department:cs", "查", ""}, "duration", zhidu.CodeInvalid},
		{fileAccessStart{"department:cs", " ", "1h"}, "reason", zhidu.CodeInvalid},
		{fileAccessStart{"cs", "查", "1h"}, "target", zhidu.CodeInvalid},
		{fileAccessStart{"task:t-1", "查", "1h"}, "target", zhidu.CodeInvalid},
		{fileAccessStart{"process:missing", "查", "1h"}, "target", zhidu.CodeInvalid},
		{fileAccessStart{"process:p-conf", "查", "1h"}, "target", zhidu.CodeInvalid}, // above clearance: as missing
		{fileAccessStart{"process:p-top", "查", "1h"}, "target", zhidu.CodeInvalid},  // top secret: as missing
		{fileAccessStart{"process:p-bars", "查", "1h"}, "target", zhidu.CodeInvalid}, // bars the requester: as missing
		{fileAccessStart{"department:own", "查", "1h"}, "", zhidu.CodeConflict},
	} {
		_, err := prepare(salesHead, tc.b)
		var e *zhidu.Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("%+v: error = %v, want %s", tc.b, err, tc.code)
			continue
		}
		if _, ok := e.Fields[tc.field]; tc.field != "" && (!ok || len(e.Fields) != 1) {
			t.Errorf("%+v: fields = %v, want %s only", tc.b, e.Fields, tc.field)
		}
	}
	missing, _ := prepare(salesHead, fileAccessStart{"process:missing", "查", "1h"})
	_, errMissing := prepare(salesHead, fileAccessStart{"process:missing", "查", "1h"})
	_, errAbove := prepare(salesHead, fileAccessStart{"process:p-conf", "查", "1h"})
	if missing != nil || errMissing.Error() != errAbove.Error() {
		t.Errorf("a missing and an above-clearance process answer differently: %v / %v", errMissing, errAbove)
	}
	in, err := prepare(salesHead, fileAccessStart{"process:p-sec", "查看处理经过", "720h"})
	if err != nil {
		t.Fatal(err)
	}
	fa := in.(FileAccessInput)
	if fa.Duration != 720*time.Hour || fa.Target != "process:p-sec" || fa.Process.Level != zhidu.Secret || fa.Process.StartedBy != "sales.head" {
		t.Errorf("input = %+v", fa)
	}
	if rec := d.Record(in); rec["duration"] != "720h0m0s" || rec["target"] != "process:p-sec" {
		t.Errorf("record = %v", rec)
	}
}
