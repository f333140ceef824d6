package workflows

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

const secretCopyID = "secret-copy-test"

func secretCopyInput() SecretCopyInput {
	return SecretCopyInput{
		Process: zhidu.ProcessInfo{ID: secretCopyID, Kind: KindSecretCopy, Title: "摘抄 process:p-top", Level: zhidu.TopSecret,
			Department: zhidu.DeptFin, StartedBy: "fin.head"},
		Source: "process:p-top", Mode: zhidu.CopyExcerpt, Content: "第三条", Reason: "起草报告", Config: DefaultSecretCopyConfig(),
	}
}

// TestSecretCopyApproved: the GM or a deputy GM approves (not the
// requester, not a VP), naming the copy's readers in the same step; the
// copy is registered at the source's level with who made and approved
// it; readers who are no user are left out.
func TestSecretCopyApproved(t *testing.T) {
	finHead := person("fin.head", zhidu.DeptFin, zhidu.TopSecret, grant(zhidu.RoleDeptHead, zhidu.DeptFin))
	h := newHarness[SecretCopyInput, SecretCopyResult](t, WorkflowSecretCopy, SecretCopy, secretCopyID)
	own := h.try(10*time.Second, "the requester approves", "leadership", also(finHead, grant(zhidu.RoleDeputyGM, zhidu.DeptGMO)), OutcomeApprove,
		map[string]any{"readers": []any{"fin.head"}})
	vp := h.try(20*time.Second, "a VP approves", "leadership", vpOps, OutcomeApprove, map[string]any{"readers": []any{"fin.head"}})
	noReaders := h.try(30*time.Second, "no readers", "leadership", gm, OutcomeApprove, nil)
	twice := h.try(40*time.Second, "a reader twice", "leadership", gm, OutcomeApprove, map[string]any{"readers": []any{"a", "a"}})
	replies := h.play(act{time.Minute, "leadership", gm, OutcomeApprove, map[string]any{"readers": []any{"fin.head", "nobody"}}})
	res := h.run(secretCopyInput())

	wantRejected(t, own, zhidu.CodeForbidden)
	wantRejected(t, vp, zhidu.CodeForbidden)
	wantRejected(t, noReaders, zhidu.CodeInvalid)
	wantRejected(t, twice, zhidu.CodeInvalid)
	wantAllAccepted(t, replies)
	if len(h.copies) != 1 {
		t.Fatalf("copies = %+v", h.copies)
	}
	c := h.copies[0]
	if c.ID != secretCopyID || c.Source != "process:p-top" || c.Level != zhidu.TopSecret || c.MadeBy != "fin.head" || c.ApprovedBy != "gm" ||
		c.Mode != zhidu.CopyExcerpt || c.Reason != "起草报告" || !slices.Equal(c.Readers, []string{"fin.head", "nobody"}) {
		t.Errorf("copy = %+v", c)
	}
	if res.Outcome != ResultCopied || !slices.Equal(res.Readers, []string{"fin.head"}) || !slices.Equal(res.Skipped, []string{"nobody"}) {
		t.Errorf("result = %+v", res)
	}
	wantSpecs(t, h, spec{key: "leadership", step: StepCopyApproval, dept: zhidu.DeptGMO, candidates: []zhidu.Candidate{deputyGMO, gmGMO},
		excluded: []string{"fin.head"}, approval: true})
	if s := h.createdTask(t, "leadership").Spec; s.Level != zhidu.TopSecret {
		t.Errorf("the approval task's level = %v", s.Level)
	}
	h.wantCompleted(t, ResultCopied, t0.Add(time.Minute))
}

// TestSecretCopyDenied: a denied request registers no copy.
func TestSecretCopyDenied(t *testing.T) {
	h := newHarness[SecretCopyInput, SecretCopyResult](t, WorkflowSecretCopy, SecretCopy, secretCopyID)
	replies := h.play(act{time.Minute, "leadership", deputy, OutcomeDenyCopy, map[string]any{"remark": "不必复制"}})
	res := h.run(secretCopyInput())
	wantAllAccepted(t, replies)
	if res.Outcome != ResultCopyDenied || len(h.copies) != 0 {
		t.Errorf("result = %+v, copies %+v", res, h.copies)
	}
}

// TestSecretCopyStart: a source the requester cannot read is not found,
// as a missing one; one that is not top secret is a field error.
func TestSecretCopyStart(t *testing.T) {
	d, _ := Lookup(KindSecretCopy)
	objects := fakeObjects{
		"process:p-top":    {Level: zhidu.TopSecret, Readable: true},
		"process:p-hidden": {Level: zhidu.TopSecret},
		"process:p-conf":   {Level: zhidu.Confidential, Readable: true},
	}
	prepare := func(b secretCopyStart) (any, error) {
		info := &zhidu.ProcessInfo{ID: "secret-copy-1", Kind: KindSecretCopy, Department: zhidu.DeptFin, StartedBy: "fin.head"}
		return d.Prepare(t.Context(), &b, StartContext{Starter: salesHead, Process: info, Config: d.NewConfig(), Objects: objects})
	}
	for _, tc := range []struct {
		b     secretCopyStart
		code  zhidu.Code
		field string
	}{
		{secretCopyStart{"process:p-missing", "copy", "x", "y"}, zhidu.CodeNotFound, ""},
		{secretCopyStart{"process:p-hidden", "copy", "x", "y"}, zhidu.CodeNotFound, ""},
		{secretCopyStart{"process:p-conf", "copy", "x", "y"}, zhidu.CodeInvalid, "source"},
		{secretCopyStart{"p-top", "copy", "x", "y"}, zhidu.CodeInvalid, "source"},
		{secretCopyStart{"process:p-top", "print", "x", "y"}, zhidu.CodeInvalid, "mode"},
		{secretCopyStart{"process:p-top", "copy", "", "y"}, zhidu.CodeInvalid, "content"},
		{secretCopyStart{"process:p-top", "copy", "x", ""}, zhidu.CodeInvalid, "reason"},
	} {
		_, err := prepare(tc.b)
		var e *zhidu.Error
		if !errors.As(err, &e) || e.Code != tc.code || tc.field != "" && e.Fields[tc.field] == "" {
			t.Errorf("%+v: error %v, want %s %s", tc.b, err, tc.code, tc.field)
		}
	}
	in, err := prepare(secretCopyStart{"process:p-top", "excerpt", "第三条", "起草"})
	if err != nil {
		t.Fatal(err)
	}
	if sc := in.(SecretCopyInput); sc.Process.Level != zhidu.TopSecret || sc.Source != "process:p-top" || sc.Mode != "excerpt" {
		t.Errorf("input = %+v", sc)
	}
}
