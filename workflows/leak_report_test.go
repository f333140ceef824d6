package workflows

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

const leakID = "leak-test"

func leakInput(found *ObjectInfo) LeakInput {
	return LeakInput{
		Process: zhidu.ProcessInfo{ID: leakID, Kind: KindLeak, Title: "泄密报告", Level: zhidu.Secret, Department: zhidu.DeptGMO,
			StartedBy: salesRep.Username, Readers: []zhidu.Department{zhidu.DeptBMO}, Barred: []string{salesRep.Username}},
		What: "客户名单", Object: "process:p-top", Found: found, FoundAt: t0, How: "遗落在会议室", Config: DefaultLeakConfig(),
	}
}

// TestLeakReport: one urgent task for the deputy GM and the GM at once,
// escalating; it shows the object's level and designations; remedies
// outside the list are refused; the handler's remedies are the result.
func TestLeakReport(t *testing.T) {
	h := newHarness[LeakInput, LeakResult](t, WorkflowLeak, LeakReport, leakID)
	bad := h.try(time.Minute, "an unknown remedy", "leadership", gm, OutcomeRemedied, map[string]any{"remedies": []any{"pray"}})
	none := h.try(2*time.Minute, "no remedy", "leadership", gm, OutcomeRemedied, map[string]any{"remedies": []any{}})
	vp := h.try(3*time.Minute, "a VP handles", "leadership", vpOps, OutcomeRemedied, map[string]any{"remedies": []any{"recall"}})
	replies := h.play(act{10 * time.Minute, "leadership", deputy, OutcomeRemedied,
		map[string]any{"remedies": []any{"recall", "change_credentials"}, "notes": "已收回"}})
	res := h.run(leakInput(&ObjectInfo{Ref: "process:p-top", Level: zhidu.TopSecret, Department: zhidu.DeptFin, Designated: []string{"hr.head"}}))

	wantRejected(t, bad, zhidu.CodeInvalid)
	wantRejected(t, none, zhidu.CodeInvalid)
	wantRejected(t, vp, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	if res.Outcome != ResultRemedied || res.HandledBy != "deputy" || !slices.Equal(res.Remedies, []string{"recall", "change_credentials"}) {
		t.Errorf("result = %+v", res)
	}
	wantSpecs(t, h, spec{key: "leadership", step: StepLeakHandling, dept: zhidu.DeptGMO, candidates: []zhidu.Candidate{deputyGMO, gmGMO},
		escalations: []zhidu.Escalation{esc(time.Hour, gmGMO)}, excluded: []string{"sales.rep"}})
	s := h.createdTask(t, "leadership").Spec
	if s.Priority != zhidu.PriorityUrgent || s.Due != 2*time.Hour || s.Context["object_level"] != "top_secret" ||
		!slices.Equal(s.Context["object_designated"].([]string), []string{"hr.head"}) {
		t.Errorf("task spec = priority %d due %v context %v", s.Priority, s.Due, s.Context)
	}
	h.wantCompleted(t, ResultRemedied, t0.Add(10*time.Minute))
}

// TestLeakStart: the reporter is barred unless of the GM's office or
// compliance; found_at is a time not in the future; a named object is
// looked up, and a missing one is accepted with nothing found.
func TestLeakStart(t *testing.T) {
	d, _ := Lookup(KindLeak)
	objects := fakeObjects{"process:p-top": {Level: zhidu.TopSecret, Department: zhidu.DeptFin, Designated: []string{"hr.head"}, Readable: true}}
	now := t0
	prepare := func(starter zhidu.Actor, b leakStart) (LeakInput, error) {
		info := &zhidu.ProcessInfo{ID: "leak-1", Kind: KindLeak, Department: zhidu.DeptGMO, StartedBy: starter.Username}
		in, err := d.Prepare(t.Context(), &b, StartContext{Starter: starter, Process: info, Config: d.NewConfig(), Objects: objects, Now: now})
		li, _ := in.(LeakInput)
		return li, err
	}
	for _, tc := range []struct {
		b     leakStart
		field string
	}{
		{leakStart{"", "", now.Format(time.RFC3339), "how"}, "what"},
		{leakStart{"w", "", now.Format(time.RFC3339), ""}, "how"},
		{leakStart{"w", "", "yesterday", "how"}, "found_at"},
		{leakStart{"w", "", now.Add(time.Hour).Format(time.RFC3339), "how"}, "found_at"},
		{leakStart{"w", "customer", now.Format(time.RFC3339), "how"}, "object"},
	} {
		_, err := prepare(salesRep, tc.b)
		var e *zhidu.Error
		if !errors.As(err, &e) || e.Code != zhidu.CodeInvalid || e.Fields[tc.field] == "" {
			t.Errorf("%+v: error %v, want %s", tc.b, err, tc.field)
		}
	}
	in, err := prepare(salesRep, leakStart{"名单", "process:p-top", now.Format(time.RFC3339), "遗落"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in.Process.Barred, []string{"sales.rep"}) || in.Process.Level != zhidu.Secret || in.Found == nil ||
		in.Found.Level != zhidu.TopSecret || in.Found.Readable || !slices.Equal(in.Process.Readers, []zhidu.Department{zhidu.DeptBMO}) {
		t.Errorf("input = %+v, found %+v", in, in.Found)
	}
	in, err = prepare(salesRep, leakStart{"名单", "process:missing", now.Format(time.RFC3339), "遗落"})
	if err != nil || in.Found != nil || in.Object != "process:missing" {
		t.Errorf("a missing object: %+v, %v", in, err)
	}
	if in, _ = prepare(gm, leakStart{"名单", "", now.Format(time.RFC3339), "遗落"}); len(in.Process.Barred) != 0 {
		t.Errorf("the GM reporting is barred: %v", in.Process.Barred)
	}
}
