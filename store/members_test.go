package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// The viewers of the named-reader tests, as authz.ReadScope would make
// them: a sales head cleared secret (named), a sales rep cleared internal
// (named), a marketing head cleared secret (not named) and an HR
// supervisor, who reads HR's files by department.
var (
	salesHead = store.Viewer{Username: "sales.head", Clearance: zhidu.Secret, Global: true, Member: []string{"sales"},
		Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptSales}}, Confidential: []string{"sales"}}
	salesRep = store.Viewer{Username: "sales.rep", Clearance: zhidu.Internal,
		Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptSales}}}
	mktHead = store.Viewer{Username: "mkt.head", Clearance: zhidu.Secret, Global: true, Member: []string{"mkt"},
		Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptMkt}}, Confidential: []string{"mkt"}}
	hrSuper = store.Viewer{Username: "hr.trainer", Clearance: zhidu.Secret, Global: true, Member: []string{"hr"},
		Roles: []zhidu.RoleGrant{{Role: zhidu.RoleSupervisor, Department: zhidu.DeptHR}}}
)

// putFile starts a process the way the API does (PutProcess) and gives it
// a task, as its workflow would.
func putFile(t *testing.T, s *store.Store, id string, level zhidu.Level, members, barred []string) {
	t.Helper()
	ctx := context.Background()
	readers := []zhidu.Department{zhidu.DeptHR}
	if _, err := s.PutProcess(ctx, store.Process{ID: id, Kind: "probation", Title: id, Level: level, Department: "hr",
		StartedBy: "hr.head", StartedAt: t0, Input: map[string]any{"employee": "newhire"}, Readers: readers, Members: members, Barred: barred},
		"run-"+id, store.AuditEntry{Actor: "hr.head", Action: "process.start", Object: "process:" + id, Decision: "allowed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTask(ctx, zhidu.CreateTaskInput{TaskID: "t-" + id, CreatedAt: t0,
		Process: zhidu.ProcessInfo{ID: id, RunID: "run-" + id, Kind: "probation", Level: level, Department: zhidu.DeptHR,
			StartedBy: "hr.head", Readers: readers, Members: members, Barred: barred},
		Spec: zhidu.TaskSpec{StepKey: "induction", Step: "induction", Department: zhidu.DeptHR, Level: level,
			Candidates: []zhidu.Candidate{{User: "hr.head"}}, Form: zhidu.Form{Outcomes: []string{"done"}}}}); err != nil {
		t.Fatal(err)
	}
}

func listed(t *testing.T, s *store.Store, v store.Viewer) []string {
	t.Helper()
	page, err := s.Processes(context.Background(), v, store.ProcessFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range page.Items {
		ids = append(ids, p.ID)
	}
	if page.Total != len(ids) {
		t.Errorf("%s: total %d for %d items", v.Username, page.Total, len(ids))
	}
	slices.Sort(ids)
	return ids
}

// TestMembersReadRule: the SQL read rule admits a process's named readers
// when cleared for its level, as authz.Decide does — the secret file to
// sales.head, not to sales.rep (internal) nor to mkt.head (not named);
// not a confidential file to a reader cleared secret, not a top-secret one
// to anyone named, not a file that bars the reader. The tasks of a file
// follow it, and PutProcess stores the members the facts carry.
func TestMembersReadRule(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	named := []string{"sales.head", "sales.rep", "mkt.nobody"}
	putFile(t, s, "probation-secret", zhidu.Secret, named, nil)
	putFile(t, s, "probation-conf", zhidu.Confidential, named, nil)
	putFile(t, s, "probation-top", zhidu.TopSecret, []string{"sales.head", "hr.trainer"}, nil)
	putFile(t, s, "probation-barred", zhidu.Secret, named, []string{"sales.head"})
	putFile(t, s, "probation-other", zhidu.Secret, nil, nil)

	cases := []struct {
		viewer store.Viewer
		want   []string
	}{
		{salesHead, []string{"probation-secret"}},
		{salesRep, nil},
		{mktHead, nil},
		// HR by its department: secret files, not the confidential one
		// (no confidential role) nor the top-secret one.
		{hrSuper, []string{"probation-barred", "probation-other", "probation-secret"}},
	}
	for _, tc := range cases {
		if got := listed(t, s, tc.viewer); !slices.Equal(got, tc.want) {
			t.Errorf("%s lists %v, want %v", tc.viewer.Username, got, tc.want)
		}
	}

	p, f, err := s.Process(ctx, salesHead, "probation-secret", t0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Members, named) || !slices.Equal(p.Members, named) {
		t.Errorf("facts members %v, process members %v, want %v", f.Members, p.Members, named)
	}
	if len(p.Tasks) != 1 {
		t.Errorf("a named reader sees %d tasks of the file, want 1", len(p.Tasks))
	}
	if p, _, err := s.Process(ctx, salesRep, "probation-secret", t0); err != nil || len(p.Tasks) != 0 {
		t.Errorf("sales.rep sees %d tasks (%v), want none", len(p.Tasks), err)
	}
	if f, err := s.ObjectFacts(ctx, zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-probation-secret"}); err != nil || !slices.Equal(f.Members, named) {
		t.Errorf("task facts members %v (%v), want the process's %v", f.Members, err, named)
	}
	if f, err := s.ObjectFacts(ctx, zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "probation-other"}); err != nil || len(f.Members) != 0 {
		t.Errorf("a file naming nobody: members %v (%v)", f.Members, err)
	}
}

// TestSetProcessMembers: a change of named readers adds, then removes,
// with one timeline and one audit entry however often it is retried — a
// retry after a later change changes nothing — and the read rule follows
// at once. The API's start, completing the row the workflow's first step
// wrote, keeps the change. An unknown process is not found and leaves no
// timeline entry.
func TestSetProcessMembers(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	// The workflow's first step comes before the API records the start.
	info := zhidu.ProcessInfo{ID: "probation-1", RunID: "run-1", Kind: "probation", Level: zhidu.Secret, Department: zhidu.DeptHR,
		StartedBy: "hr.head", Readers: []zhidu.Department{zhidu.DeptHR}, Members: []string{"sales.rep"}}
	if _, err := s.CreateTask(ctx, zhidu.CreateTaskInput{TaskID: "t-1", CreatedAt: t0, Process: info,
		Spec: zhidu.TaskSpec{StepKey: "induction", Step: "induction", Department: zhidu.DeptHR, Level: zhidu.Secret,
			Candidates: []zhidu.Candidate{{User: "hr.head"}}, Form: zhidu.Form{Outcomes: []string{"done"}}}}); err != nil {
		t.Fatal(err)
	}
	members := func() []string {
		t.Helper()
		f, err := s.ObjectFacts(ctx, zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "probation-1"})
		if err != nil {
			t.Fatal(err)
		}
		return f.Members
	}
	set := func(r zhidu.MemberRecord) {
		t.Helper()
		r.ProcessID, r.Actor, r.At = "probation-1", "sales.head", t0.Add(time.Hour)
		if err := s.SetProcessMembers(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	first := zhidu.MemberRecord{EventKey: "probation-1:mentor:1", Add: []string{"sales.head", "sales.rep", "mkt.head"},
		Reason: "mentor sales.head"}
	for range 2 { // a retried activity
		set(first)
	}
	if got, want := members(), []string{"sales.rep", "sales.head", "mkt.head"}; !slices.Equal(got, want) {
		t.Fatalf("members = %v, want %v", got, want)
	}
	set(zhidu.MemberRecord{EventKey: "probation-1:mentor:2", Add: []string{"cs.head", "mkt.head"}, Remove: []string{"sales.head", "mkt.head"},
		Reason: "mentor cs.head"})
	set(first) // retried after the next change: it must not bring sales.head back
	if got, want := members(), []string{"sales.rep", "cs.head"}; !slices.Equal(got, want) {
		t.Fatalf("after the second change and a late retry of the first: members = %v, want %v", got, want)
	}
	if got := listed(t, s, salesHead); len(got) != 0 {
		t.Errorf("sales.head, removed, still lists %v", got)
	}

	// The API records the start afterwards, from the ProcessInfo of the start.
	created, err := s.PutProcess(ctx, store.Process{ID: "probation-1", Kind: "probation", Title: "probation", Level: zhidu.Secret,
		Department: "hr", StartedBy: "hr.head", StartedAt: t0, Input: map[string]any{"employee": "newhire"},
		Readers: info.Readers, Members: info.Members}, "run-1",
		store.AuditEntry{Actor: "hr.head", Action: "process.start", Object: "process:probation-1", Decision: "allowed"})
	if err != nil || !created {
		t.Fatalf("PutProcess = %v, %v; want it to record the start", created, err)
	}
	if got, want := members(), []string{"sales.rep", "cs.head"}; !slices.Equal(got, want) {
		t.Errorf("after the start was recorded: members = %v, want %v", got, want)
	}

	var timeline, audit int
	var detail map[string]any
	if err := s.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM timeline WHERE action = 'members_changed' AND process_id = 'probation-1'),
        (SELECT count(*) FROM audit WHERE action = 'process.members' AND object = 'process:probation-1'),
        (SELECT detail FROM timeline WHERE event_key = 'probation-1:mentor:2')`).Scan(&timeline, &audit, &detail); err != nil {
		t.Fatal(err)
	}
	if timeline != 2 || audit != 2 {
		t.Errorf("two changes, retried: %d timeline and %d audit entries, want 2 and 2", timeline, audit)
	}
	if detail["reason"] != "mentor cs.head" || len(detail["add"].([]any)) != 2 || len(detail["remove"].([]any)) != 2 {
		t.Errorf("timeline detail = %v", detail)
	}
	var actor string
	var auditDetail map[string]any
	if err := s.Pool.QueryRow(ctx, `SELECT actor, detail FROM audit WHERE action = 'process.members' ORDER BY id LIMIT 1`).
		Scan(&actor, &auditDetail); err != nil {
		t.Fatal(err)
	}
	if actor != "sales.head" || auditDetail["reason"] != "mentor sales.head" {
		t.Errorf("audit entry by %s, detail %v", actor, auditDetail)
	}

	err = s.SetProcessMembers(ctx, zhidu.MemberRecord{EventKey: "nope:1", ProcessID: "nope", Add: []string{"x"}, At: t0})
	if zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Fatalf("a missing process: %v, want not_found", err)
	}
	var left int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM timeline WHERE event_key = 'nope:1'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("a missing process left %d timeline entries (%v)", left, err)
	}
}
