package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/zhidu/zhidu"
)

// TestShareProcess: sharing a confined process adds departments to its
// readers once, in order, with one timeline and one audit entry however
// often the activity is retried; an unknown process is an error.
func TestShareProcess(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := zhidu.CreateTaskInput{TaskID: "t-slip", CreatedAt: t0,
		Process: zhidu.ProcessInfo{ID: "return-1", RunID: "run", Kind: "return", Level: zhidu.Internal, Department: zhidu.DeptSales,
			StartedBy: "sales.rep", Readers: []zhidu.Department{zhidu.DeptSales}},
		Spec: zhidu.TaskSpec{StepKey: "s", Step: "manager_approval", Form: zhidu.Form{Outcomes: []string{"approve"}}}}
	if _, err := s.CreateTask(ctx, in); err != nil {
		t.Fatal(err)
	}
	rec := zhidu.ShareRecord{EventKey: "copies", ProcessID: "return-1", Actor: "sales.head", Reason: "copies 2–4", At: t0,
		Departments: []zhidu.Department{zhidu.DeptWH, zhidu.DeptFin, zhidu.DeptSales}}
	for range 2 { // a retried activity
		if err := s.ShareProcess(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	f, err := s.ObjectFacts(ctx, zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "return-1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []zhidu.Department{zhidu.DeptSales, zhidu.DeptWH, zhidu.DeptFin}
	if !slices.Equal(f.Readers, want) {
		t.Fatalf("readers = %v, want %v", f.Readers, want)
	}
	var timeline, audit int
	if err := s.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM timeline WHERE action = 'process_shared'),
        (SELECT count(*) FROM audit WHERE action = 'process.share' AND object = 'process:return-1')`).Scan(&timeline, &audit); err != nil {
		t.Fatal(err)
	}
	if timeline != 1 || audit != 1 {
		t.Fatalf("after a retried share: %d timeline and %d audit entries, want 1 and 1", timeline, audit)
	}
	if err := s.ShareProcess(ctx, zhidu.ShareRecord{EventKey: "x", ProcessID: "nope", Departments: want, At: t0}); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Fatalf("sharing a missing process: %v, want not_found", err)
	}
}

// TestIssueVoucher: vouchers are numbered per year without gaps; asked
// twice for the same process and key, the same number, one timeline and
// one audit entry.
func TestIssueVoucher(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, id := range []string{"return-a", "return-b"} {
		in := zhidu.CreateTaskInput{TaskID: "t-" + id, CreatedAt: t0,
			Process: zhidu.ProcessInfo{ID: id, RunID: "run", Kind: "return", Level: zhidu.Internal, Department: zhidu.DeptSales, StartedBy: "sales.rep"},
			Spec:    zhidu.TaskSpec{StepKey: "s", Step: "reconcile", Form: zhidu.Form{Outcomes: []string{"match"}}}}
		if _, err := s.CreateTask(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	issue := func(id string, year int) string {
		t.Helper()
		n, err := s.IssueVoucher(ctx, zhidu.VoucherRequest{ProcessID: id, Key: id + ":voucher", Year: year, Actor: "fin.clerk", At: t0})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	got := []string{issue("return-a", 2026), issue("return-a", 2026), issue("return-b", 2026), issue("return-b", 2026)}
	want := []string{"PZ-2026-000001", "PZ-2026-000001", "PZ-2026-000002", "PZ-2026-000002"}
	if !slices.Equal(got, want) {
		t.Fatalf("vouchers = %v, want %v", got, want)
	}
	var timeline, audit int
	if err := s.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM timeline WHERE action = 'voucher_issued'),
        (SELECT count(*) FROM audit WHERE action = 'voucher.issue')`).Scan(&timeline, &audit); err != nil {
		t.Fatal(err)
	}
	if timeline != 2 || audit != 2 {
		t.Fatalf("%d timeline and %d audit entries for two vouchers", timeline, audit)
	}
}

// TestRecordChildStart: a child process is recorded once with its input,
// its start audited, and the parent's timeline names it.
func TestRecordChildStart(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	parent := zhidu.CreateTaskInput{TaskID: "t-c", CreatedAt: t0,
		Process: zhidu.ProcessInfo{ID: "complaint-1", RunID: "run", Kind: "complaint", Level: zhidu.Internal, Department: zhidu.DeptCS, StartedBy: "cs.agent"},
		Spec:    zhidu.TaskSpec{StepKey: "s", Step: "remedy", Form: zhidu.Form{Outcomes: []string{"done"}}}}
	if _, err := s.CreateTask(ctx, parent); err != nil {
		t.Fatal(err)
	}
	r := zhidu.ChildStart{Parent: "complaint-1", Actor: "quality.eng", At: t0, Input: map[string]any{"product": "月饼"},
		Process: zhidu.ProcessInfo{ID: "return-c1", RunID: "run-c", Kind: "return", Title: "月饼", Level: zhidu.Internal,
			Department: zhidu.DeptCS, StartedBy: "cs.agent", Readers: []zhidu.Department{zhidu.DeptCS}}}
	for range 2 {
		if err := s.RecordChildStart(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.ProcessInternal(ctx, "return-c1")
	if err != nil || p.Input["product"] != "月饼" {
		t.Fatalf("child = %+v, %v", p, err)
	}
	var started, audited int
	if err := s.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM timeline WHERE process_id = 'complaint-1' AND action = 'child_started'),
        (SELECT count(*) FROM audit WHERE action = 'process.start' AND object = 'process:return-c1')`).Scan(&started, &audited); err != nil {
		t.Fatal(err)
	}
	if started != 1 || audited != 1 {
		t.Fatalf("child_started %d, audit %d; want 1 and 1", started, audited)
	}
}
