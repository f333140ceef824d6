package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	pool, err := store.Connect(ctx, pgtest.URL(t), 60)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := store.Migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, pool, nil); err != nil {
		t.Fatalf("a second migrate must be a no-op: %v", err)
	}
	return store.New(pool)
}

func putUser(t *testing.T, s *store.Store, name string, dept zhidu.Department, clr zhidu.Level, grants ...zhidu.RoleGrant) {
	t.Helper()
	if err := s.PutUser(context.Background(), store.User{Username: name, Name: name, Department: dept, Clearance: clr, Roles: grants}); err != nil {
		t.Fatal(err)
	}
}

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func createTask(t *testing.T, s *store.Store, n int, level zhidu.Level, cands ...zhidu.Candidate) string {
	t.Helper()
	id := fmt.Sprintf("t-%04d", n)
	due := t0.Add(time.Duration(n%7) * time.Hour)
	in := zhidu.CreateTaskInput{TaskID: id, CreatedAt: t0.Add(time.Duration(n) * time.Minute), DueAt: &due,
		Process: zhidu.ProcessInfo{ID: fmt.Sprintf("approval-%04d", n), RunID: "run", Kind: "approval", Level: level, Department: zhidu.DeptCS, StartedBy: "starter"},
		Spec: zhidu.TaskSpec{StepKey: id, Step: "dept_head_approval", Title: zhidu.Text{Zh: fmt.Sprintf("审批 %d", n), En: fmt.Sprintf("approval %d", n)},
			Department: zhidu.DeptCS, Candidates: cands, Level: level, Priority: 1 + n%4,
			Form: zhidu.Form{Outcomes: []string{"approve"}}}}
	if _, err := s.CreateTask(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCreateTaskIsIdempotent(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	putUser(t, s, "off", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	if err := s.PutUser(ctx, store.User{Username: "off", Name: "off", Department: zhidu.DeptCS, Clearance: zhidu.Secret, Disabled: true,
		Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}}}); err != nil {
		t.Fatal(err)
	}
	cand := zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}
	createTask(t, s, 1, zhidu.Internal, cand)
	createTask(t, s, 1, zhidu.Internal, cand) // a retried activity
	var tasks, created int
	if err := s.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM tasks), (SELECT count(*) FROM timeline WHERE action = 'task_created')`).Scan(&tasks, &created); err != nil {
		t.Fatal(err)
	}
	if tasks != 1 || created != 1 {
		t.Fatalf("after a retried create: %d tasks, %d timeline entries; want 1 and 1", tasks, created)
	}
	// Eligible counts active, cleared users only.
	in := zhidu.CreateTaskInput{TaskID: "t-secret", CreatedAt: t0,
		Process: zhidu.ProcessInfo{ID: "p-secret", RunID: "run", Kind: "approval", Level: zhidu.Confidential, Department: zhidu.DeptCS},
		Spec:    zhidu.TaskSpec{StepKey: "s", Step: "s", Candidates: []zhidu.Candidate{cand}, Form: zhidu.Form{Outcomes: []string{"ok"}}}}
	n, err := s.CreateTask(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("eligible for a confidential task = %d, want 0 (clearance secret)", n)
	}
	var level int
	if err := s.Pool.QueryRow(ctx, `SELECT level FROM tasks WHERE id = 't-secret'`).Scan(&level); err != nil || zhidu.Level(level) != zhidu.Confidential {
		t.Fatalf("task level = %d (%v), want the process's level", level, err)
	}
}

// TestClaimRace: of 50 candidates claiming at once, exactly one wins.
func TestClaimRace(t *testing.T) {
	s := newStore(t)
	var users []string
	for i := range 50 {
		u := fmt.Sprintf("agent%02d", i)
		putUser(t, s, u, zhidu.DeptCS, zhidu.Internal, zhidu.RoleGrant{Role: zhidu.RoleStaff, Department: zhidu.DeptCS})
		users = append(users, u)
	}
	id := createTask(t, s, 1, zhidu.Internal, zhidu.Candidate{Role: zhidu.RoleStaff, Department: zhidu.DeptCS})
	d, err := s.TaskDetail(context.Background(), id, t0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	codes := make([]zhidu.Code, len(users))
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Claim(context.Background(), store.Viewer{Username: u, Clearance: zhidu.Internal, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptCS}}}, d, t0)
			codes[i] = "ok"
			if err != nil {
				codes[i] = zhidu.ErrorCode(err)
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case "ok":
			won++
		case zhidu.CodeConflict:
		default:
			t.Errorf("claim failed with %s", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d claims won, want exactly 1", won)
	}
	// The losers left no trace: one timeline entry, one audit entry.
	var timeline, audit int
	if err := s.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_claimed'),
        (SELECT count(*) FROM audit WHERE object = 'task:' || $1 AND action = 'task.claim')`, id).Scan(&timeline, &audit); err != nil {
		t.Fatal(err)
	}
	if timeline != 1 || audit != 1 {
		t.Fatalf("after the race: %d timeline and %d audit entries of the claim, want 1 and 1", timeline, audit)
	}
}

// TestInboxPagination walks every sort order page by page: each task
// appears once, in order, and every page reports the exact total.
func TestInboxPagination(t *testing.T) {
	s := newStore(t)
	putUser(t, s, "head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	cand := zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}
	var all []string
	for i := range 53 {
		all = append(all, createTask(t, s, i, zhidu.Internal, cand))
	}
	createTask(t, s, 900, zhidu.Confidential, cand) // above head's clearance
	createTask(t, s, 901, zhidu.Internal, zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptFin})
	v := store.Viewer{Username: "head", Clearance: zhidu.Secret, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}}}
	for _, sort := range []string{"created_at", "-created_at", "due_at", "-due_at", "priority", "-priority"} {
		t.Run(sort, func(t *testing.T) {
			var got []string
			var prev *store.Task
			cursor := ""
			for pages := 0; ; pages++ {
				page, err := s.Tasks(context.Background(), v, store.TaskFilter{Sort: sort, Limit: 7, Cursor: cursor}, t0)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != len(all) {
					t.Fatalf("total = %d, want %d", page.Total, len(all))
				}
				for i := range page.Items {
					it := page.Items[i]
					if prev != nil && !inOrder(sort, *prev, it) {
						t.Fatalf("%s before %s breaks order %s", prev.ID, it.ID, sort)
					}
					prev = &it
					got = append(got, it.ID)
				}
				if page.NextCursor == "" {
					break
				}
				if pages > 20 {
					t.Fatal("pagination does not end")
				}
				cursor = page.NextCursor
			}
			slices.Sort(got)
			if !slices.Equal(got, all) {
				t.Fatalf("pages hold %d tasks, want %d, each once", len(got), len(all))
			}
		})
	}
}

func inOrder(sort string, a, b store.Task) bool {
	desc := sort[0] == '-'
	cmp := 0
	switch sort {
	case "created_at", "-created_at":
		cmp = a.CreatedAt.Compare(b.CreatedAt)
	case "due_at", "-due_at":
		cmp = a.DueAt.Compare(*b.DueAt)
	default:
		cmp = a.Priority - b.Priority
	}
	if cmp == 0 {
		if a.ID < b.ID {
			cmp = -1
		} else {
			cmp = 1
		}
	}
	return (cmp < 0) != desc
}

func TestInboxFilters(t *testing.T) {
	s := newStore(t)
	putUser(t, s, "head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	cand := zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}
	for i := range 14 {
		createTask(t, s, i, zhidu.Internal, cand)
	}
	v := store.Viewer{Username: "head", Clearance: zhidu.Secret, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}}}
	now := t0.Add(3*time.Hour + 30*time.Minute) // due times are t0 + (n%7)h: 0..3h are overdue
	yes, no := true, false
	before := t0.Add(2 * time.Hour)
	cases := []struct {
		name string
		f    store.TaskFilter
		want int
	}{
		{"all", store.TaskFilter{}, 14},
		{"overdue", store.TaskFilter{Overdue: &yes}, 8},
		{"not overdue", store.TaskFilter{Overdue: &no}, 6},
		{"due before", store.TaskFilter{DueBefore: &before}, 4},
		{"due after", store.TaskFilter{DueAfter: &before}, 10},
		{"priority", store.TaskFilter{Priority: 2}, 4},
		{"kind", store.TaskFilter{Kind: "approval"}, 14},
		{"other kind", store.TaskFilter{Kind: "complaint"}, 0},
		{"department", store.TaskFilter{Department: "fin"}, 0},
		{"q zh", store.TaskFilter{Q: "审批 1"}, 5},
		{"q like chars are literal", store.TaskFilter{Q: "%"}, 0},
		{"process", store.TaskFilter{Process: "approval-0003"}, 1},
		{"process is exact", store.TaskFilter{Process: "approval-000"}, 0},
		{"process of completed tasks", store.TaskFilter{Process: "approval-0003", Scope: store.ScopeCompleted}, 0},
		{"claimable", store.TaskFilter{Scope: store.ScopeClaimable}, 14},
		{"mine", store.TaskFilter{Scope: store.ScopeMine}, 0},
		{"completed", store.TaskFilter{Scope: store.ScopeCompleted}, 0},
		{"state completed", store.TaskFilter{States: []zhidu.TaskState{zhidu.TaskCompleted}}, 0},
	}
	// A saved view's count is the same count, all of them in one batch.
	var fs []store.TaskFilter
	for _, tc := range cases {
		fs = append(fs, tc.f)
	}
	counts, err := s.TaskCounts(context.Background(), v, fs, now)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range cases {
		if counts[i] != tc.want {
			t.Errorf("TaskCounts %s = %d, want %d", tc.name, counts[i], tc.want)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.Tasks(context.Background(), v, tc.f, now)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != tc.want || len(page.Items) != tc.want {
				t.Fatalf("total %d, items %d; want %d", page.Total, len(page.Items), tc.want)
			}
		})
	}
	d, err := s.TaskDetail(context.Background(), "t-0001", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(context.Background(), v, d, now); err != nil {
		t.Fatal(err)
	}
	page, err := s.Tasks(context.Background(), v, store.TaskFilter{Scope: store.ScopeMine}, now)
	if err != nil || page.Total != 1 || page.Items[0].Assignee == nil || *page.Items[0].Assignee != "head" {
		t.Fatalf("mine after a claim: %+v (%v)", page, err)
	}
	for pid, want := range map[string]int{"approval-0001": 1, "approval-0002": 0} {
		page, err = s.Tasks(context.Background(), v, store.TaskFilter{Scope: store.ScopeMine, Process: pid}, now)
		if err != nil || page.Total != want || len(page.Items) != want {
			t.Errorf("mine in %s after a claim: total %d, %d items (%v); want %d", pid, page.Total, len(page.Items), err, want)
		}
	}
	// Another user sees none of it.
	putUser(t, s, "clerk", zhidu.DeptFin, zhidu.Internal, zhidu.RoleGrant{Role: zhidu.RoleStaff, Department: zhidu.DeptFin})
	page, err = s.Tasks(context.Background(), store.Viewer{Username: "clerk", Clearance: zhidu.Internal, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptFin}}}, store.TaskFilter{}, now)
	if err != nil || page.Total != 0 {
		t.Fatalf("clerk's inbox: %d tasks (%v), want 0", page.Total, err)
	}
	if p, _, err := s.Process(context.Background(), store.Viewer{Username: "clerk", Clearance: zhidu.Internal, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptFin}}}, "approval-0001", now); err != nil || len(p.Tasks) != 0 {
		t.Fatalf("clerk reading the process of head's task: %d tasks (%v), want none", len(p.Tasks), err)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if err := s.Audit(ctx, store.AuditEntry{Actor: "a", Action: "x", Object: "task:1", Decision: "denied"}); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{`UPDATE audit SET decision = 'allowed'`, `DELETE FROM audit`, `TRUNCATE audit`} {
		if _, err := s.Pool.Exec(ctx, sql); err == nil {
			t.Errorf("%s succeeded; the audit trail must be append-only", sql)
		}
	}
	es, err := s.AuditEntries(ctx, store.Viewer{Leadership: true}, store.AuditFilter{Decision: "denied"})
	if err != nil || len(es) != 1 || es[0].Object != "task:1" {
		t.Fatalf("audit entries = %+v (%v)", es, err)
	}
}

// TestInboxTotals: the total holds on a page past the end (nothing after
// the cursor) and for searches that match one task or none.
func TestInboxTotals(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	cand := zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}
	for i := range 3 {
		createTask(t, s, i, zhidu.Internal, cand)
	}
	v := store.Viewer{Username: "head", Clearance: zhidu.Secret, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}}}
	first, err := s.Tasks(ctx, v, store.TaskFilter{Sort: "created_at", Limit: 1}, t0)
	if err != nil || first.Total != 3 || len(first.Items) != 1 || first.Items[0].ID != "t-0000" || first.NextCursor == "" {
		t.Fatalf("first page: %+v (%v)", first, err)
	}
	for _, pid := range []string{"approval-0001", "approval-0002"} {
		if err := s.FinishProcess(ctx, zhidu.FinishRecord{ProcessID: pid, State: zhidu.ProcessCancelled, Actor: "head", At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	past, err := s.Tasks(ctx, v, store.TaskFilter{Sort: "created_at", Limit: 1, Cursor: first.NextCursor}, t0)
	if err != nil || past.Total != 1 || len(past.Items) != 0 || past.NextCursor != "" {
		t.Fatalf("a page past the end: %+v (%v), want total 1 and no items", past, err)
	}
	for q, want := range map[string]int{"approval-0000": 1, "审批 0": 1, "no such task": 0, "approval-0001": 0} {
		page, err := s.Tasks(ctx, v, store.TaskFilter{Q: q}, t0)
		if err != nil || page.Total != want || len(page.Items) != want {
			t.Errorf("search %q: total %d, %d items (%v); want %d", q, page.Total, len(page.Items), err, want)
		}
	}
}

// TestNoStatisticsForDocuments: ANALYZE skips the jsonb documents no query
// filters on (migration 010) and still gathers the columns queries use.
func TestNoStatisticsForDocuments(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "head", zhidu.DeptCS, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	createTask(t, s, 0, zhidu.Internal, zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS})
	if _, err := s.Pool.Exec(ctx, `ANALYZE tasks, timeline, audit`); err != nil {
		t.Fatal(err)
	}
	got := lines(t, s, `SELECT tablename || '.' || attname FROM pg_stats
        WHERE schemaname = current_schema() AND tablename IN ('tasks', 'timeline', 'audit')
          AND attname IN ('form', 'context', 'data', 'detail', 'state') ORDER BY 1`)
	if want := []string{"tasks.state"}; !slices.Equal(got, want) {
		t.Fatalf("columns with statistics = %v, want %v", got, want)
	}
}
