package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

var salesStaff = zhidu.RoleGrant{Role: zhidu.RoleStaff, Department: zhidu.DeptSales}

// taskIn creates an open task of process pid, keeping excluded off it.
func taskIn(t *testing.T, s *store.Store, id, pid string, excluded []string, cands ...zhidu.Candidate) {
	t.Helper()
	in := zhidu.CreateTaskInput{TaskID: id, CreatedAt: t0,
		Process: zhidu.ProcessInfo{ID: pid, RunID: "run-" + pid, Kind: "approval", Level: zhidu.Internal, Department: zhidu.DeptSales, StartedBy: "starter"},
		Spec: zhidu.TaskSpec{StepKey: id, Step: "dept_head_approval", Title: zhidu.Text{Zh: id, En: id}, Department: zhidu.DeptSales,
			Candidates: cands, Excluded: excluded, Level: zhidu.Internal, Form: zhidu.Form{Outcomes: []string{"approve"}}}}
	if _, err := s.CreateTask(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, s *store.Store, sql string, args ...any) {
	t.Helper()
	if _, err := s.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func countOf(t *testing.T, s *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestSetProbation: the flag is set and cleared with its timeline and
// audit entries; setting it again writes nothing; an unknown user is not
// found.
func TestSetProbation(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "newhire", zhidu.DeptSales, zhidu.Internal, salesStaff)
	taskIn(t, s, "t-p", "probation-1", nil, zhidu.Candidate{User: "hr.trainer"}) // the process row
	flag := zhidu.ProbationFlag{Employee: "newhire", OnProbation: true, ProcessID: "probation-1", Actor: "hr.trainer", At: t0}
	for range 2 { // a retry
		if err := s.SetProbation(ctx, flag); err != nil {
			t.Fatal(err)
		}
	}
	if on, err := s.OnProbation(ctx, "newhire"); err != nil || !on {
		t.Fatalf("newhire on probation: %v, %v", on, err)
	}
	// Another probation does not clear this one's flag.
	other := flag
	other.OnProbation, other.ProcessID = false, "probation-0"
	if err := s.SetProbation(ctx, other); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.OnProbation(ctx, "newhire"); !on {
		t.Fatal("another probation cleared the flag")
	}
	flag.OnProbation, flag.Actor = false, "hr.clerk"
	if err := s.SetProbation(ctx, flag); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.OnProbation(ctx, "newhire"); on {
		t.Fatal("the flag was not cleared")
	}
	if n := countOf(t, s, `SELECT count(*) FROM audit WHERE action = 'user.probation' AND object = 'user:newhire'`); n != 2 {
		t.Errorf("%d user.probation audit entries, want 2 (set once, cleared once)", n)
	}
	if n := countOf(t, s, `SELECT count(*) FROM timeline WHERE process_id = 'probation-1' AND action LIKE 'probation_flag_%'`); n != 2 {
		t.Errorf("%d flag entries in the timeline, want 2", n)
	}
	flag.Employee = "ghost"
	if err := s.SetProbation(ctx, flag); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("an unknown employee: %v, want not found", err)
	}
}

// TestSeparateEmployee: one transaction disables the account (its token
// and sessions refused), clears the flag, records the customer handover
// and the audit entry, and leaves the tasks to their processes; a retry
// changes nothing; a bad colleague changes nothing either. The hand-over
// plan then lists, per process, the open tasks the employee holds or is
// named for, and a release gives a held task back to its candidates.
func TestSeparateEmployee(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "newhire", zhidu.DeptSales, zhidu.Internal, salesStaff)
	putUser(t, s, "sales.rep", zhidu.DeptSales, zhidu.Internal, salesStaff)
	putUser(t, s, "sales.gone", zhidu.DeptSales, zhidu.Internal, salesStaff)
	exec(t, s, `UPDATE users SET disabled = true WHERE username = 'sales.gone'`)
	if err := s.SetToken(ctx, "newhire", "zd_newhire"); err != nil {
		t.Fatal(err)
	}
	se, err := s.CreateSession(ctx, "newhire", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	taskIn(t, s, "t-probation", "probation-1", []string{"newhire"}, zhidu.Candidate{Role: zhidu.RoleSupervisor, Department: zhidu.DeptHR})
	exec(t, s, `INSERT INTO probation_flags (username, process_id, since) VALUES ('newhire', 'probation-1', $1)`, t0)
	staff := zhidu.Candidate{Role: zhidu.RoleStaff, Department: zhidu.DeptSales}
	taskIn(t, s, "t-held", "approval-1", nil, staff)
	taskIn(t, s, "t-named", "approval-2", nil, zhidu.Candidate{User: "newhire"})
	taskIn(t, s, "t-held-off", "approval-3", []string{"sales.rep"}, staff)
	taskIn(t, s, "t-named-off", "approval-4", []string{"sales.rep"}, zhidu.Candidate{User: "newhire"})
	taskIn(t, s, "t-other", "approval-5", nil, staff)
	exec(t, s, `UPDATE tasks SET state = 'claimed', assignee = 'newhire', claimed_at = $1 WHERE id IN ('t-held', 't-held-off')`, t0)
	exec(t, s, `UPDATE tasks SET state = 'claimed', assignee = 'sales.rep', claimed_at = $1 WHERE id = 't-other'`, t0)

	bad := zhidu.SeparationRecord{EventKey: "probation-1:separated", Employee: "newhire", ProcessID: "probation-1", Actor: "hr.head",
		Reason: "未完成销售任务者自动离职", At: t0.Add(time.Hour)}
	for _, colleague := range []string{"ghost", "sales.gone", "newhire"} {
		bad.Colleague = colleague
		if err := s.SeparateEmployee(ctx, bad); zhidu.ErrorCode(err) != zhidu.CodeInvalid {
			t.Errorf("colleague %s: %v, want invalid", colleague, err)
		}
	}
	if n := countOf(t, s, `SELECT count(*) FROM users WHERE username = 'newhire' AND NOT disabled`); n != 1 {
		t.Fatal("a refused separation disabled the account")
	}
	if _, err := s.UserByToken(ctx, "zd_newhire"); err != nil {
		t.Fatalf("before the separation the token works: %v", err)
	}

	rec := bad
	rec.Colleague = "sales.rep"
	for range 2 { // a retry
		if err := s.SeparateEmployee(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if n := countOf(t, s, `SELECT count(*) FROM users WHERE username = 'newhire' AND disabled
        AND NOT EXISTS (SELECT 1 FROM probation_flags WHERE username = 'newhire')`); n != 1 {
		t.Error("newhire is not disabled with the flag cleared")
	}
	if _, err := s.UserByToken(ctx, "zd_newhire"); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("the token after the separation: %v, want refused", err)
	}
	if _, err := s.Session(ctx, se.ID, time.Now()); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("the web session after the separation: %v, want gone", err)
	}
	if _, err := s.CheckPassword(ctx, "newhire", "whatever"); zhidu.ErrorCode(err) != zhidu.CodeUnauthenticated {
		t.Errorf("sign-in after the separation: %v", err)
	}
	type taskState struct{ state, assignee string }
	tasksAre := func(want map[string]taskState) {
		t.Helper()
		for id, want := range want {
			var got taskState
			if err := s.Pool.QueryRow(ctx, `SELECT state, COALESCE(assignee, '') FROM tasks WHERE id = $1`, id).Scan(&got.state, &got.assignee); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: %+v, want %+v", id, got, want)
			}
		}
	}
	tasksAre(map[string]taskState{"t-held": {"claimed", "newhire"}, "t-named": {"open", ""}, "t-other": {"claimed", "sales.rep"}})
	plan, err := s.HandOverPlan(ctx, zhidu.HandOverPlanRequest{Employee: "newhire", Colleague: "sales.rep"})
	if err != nil {
		t.Fatal(err)
	}
	want := []zhidu.HandOverTarget{{ProcessID: "approval-1", Held: []string{"t-held"}}, {ProcessID: "approval-2"},
		{ProcessID: "approval-3", Held: []string{"t-held-off"}}, {ProcessID: "approval-4"}}
	if plan.Colleague.Username != "sales.rep" || plan.Colleague.Department != zhidu.DeptSales ||
		!slices.EqualFunc(plan.Processes, want, func(a, b zhidu.HandOverTarget) bool {
			return a.ProcessID == b.ProcessID && slices.Equal(a.Held, b.Held)
		}) {
		t.Errorf("hand-over plan = %+v, want %+v", plan, want)
	}
	release := zhidu.AssignRecord{EventKey: "t-held-off:handover:probation-1:separated", TaskID: "t-held-off", ProcessID: "approval-3",
		Step: "dept_head_approval", Kind: zhidu.AssignRelease, By: "hr.head", Owner: "newhire", Note: "the step does not name sales.rep", At: rec.At}
	for range 2 {
		if err := s.AssignTask(ctx, release); err != nil {
			t.Fatal(err)
		}
	}
	tasksAre(map[string]taskState{"t-held-off": {"open", ""}})
	if n := countOf(t, s, `SELECT count(*) FROM timeline WHERE process_id = 'approval-3' AND action = 'task_released'`); n != 1 {
		t.Errorf("%d task_released entries, want 1", n)
	}
	if drift := inboxDrift(t, s); len(drift) > 0 {
		t.Errorf("the inbox differs from inbox_source: %v", drift)
	}
	// The customer files' handover is recorded and applied at once.
	if hs, err := s.PendingHandovers(ctx); err != nil || len(hs) != 0 {
		t.Fatalf("pending handovers %+v, %v; want none", hs, err)
	}
	if n := countOf(t, s, `SELECT count(*) FROM customer_handovers WHERE process_id = 'probation-1' AND employee = 'newhire'
        AND colleague = 'sales.rep' AND at = $1 AND applied_at = $1`, rec.At); n != 1 {
		t.Errorf("%d applied handovers, want 1", n)
	}
	entries, err := s.AuditEntries(ctx, store.Viewer{Leadership: true}, store.AuditFilter{Action: "user.separate"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("user.separate audit entries %+v, %v; want one", entries, err)
	}
	if e := entries[0]; e.Actor != "hr.head" || e.Object != "user:newhire" || e.Detail["colleague"] != "sales.rep" {
		t.Errorf("audit entry = %+v", e)
	}
	if n := countOf(t, s, `SELECT count(*) FROM timeline WHERE process_id = 'probation-1' AND action = 'separated'`); n != 1 {
		t.Errorf("%d separated entries, want 1", n)
	}
	if v, err := s.VerifyAudit(ctx); err != nil || !v.OK {
		t.Errorf("audit chain: %+v, %v", v, err)
	}
	got, err := s.Colleagues(ctx, zhidu.DeptSales, "sales.rep")
	if err != nil || len(got) != 0 {
		t.Errorf("colleagues of sales.rep: %v, %v; want none (newhire and sales.gone are disabled)", got, err)
	}
}

// inboxTasks lists the tasks in a user's inbox rows.
func inboxTasks(t *testing.T, s *store.Store, user string) []string {
	t.Helper()
	rows, err := s.Pool.Query(context.Background(), `SELECT DISTINCT task_id FROM inbox WHERE key = 'u:' || $1 ORDER BY task_id`, user)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestColleagues: the active users of a department but one.
func TestColleagues(t *testing.T) {
	s := newStore(t)
	putUser(t, s, "newhire", zhidu.DeptSales, zhidu.Internal, salesStaff)
	putUser(t, s, "sales.rep", zhidu.DeptSales, zhidu.Internal, salesStaff)
	putUser(t, s, "sales.head", zhidu.DeptSales, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptSales})
	putUser(t, s, "cs.agent", zhidu.DeptCS, zhidu.Internal)
	got, err := s.Colleagues(context.Background(), zhidu.DeptSales, "newhire")
	if want := []string{"sales.head", "sales.rep"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("colleagues = %v, %v; want %v", got, err, want)
	}
}

// TestProbationReadings: an employee's own status, and the report per
// department under the read rule.
func TestProbationReadings(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, u := range []string{"newhire", "hire.b", "hire.c", "hire.d"} {
		putUser(t, s, u, zhidu.DeptSales, zhidu.Internal, salesStaff)
	}
	putUser(t, s, "hire.cs", zhidu.DeptCS, zhidu.Internal)
	ends := t0.AddDate(0, 2, 0)
	put := func(id, employee, dept string, startedAt time.Time, level zhidu.Level) {
		t.Helper()
		p := store.Process{ID: id, Kind: "probation", Title: employee, Level: level, Department: "hr", StartedBy: "hr.trainer", StartedAt: startedAt,
			Readers: []zhidu.Department{zhidu.DeptHR},
			Input:   map[string]any{"employee": employee, "department": dept, "target": 5, "start_date": startedAt.Format(time.DateOnly), "ends_at": ends}}
		if _, err := s.PutProcess(ctx, p, "run-"+id, store.AuditEntry{Actor: "hr.trainer", Action: "process.start", Object: "process:" + id, Decision: "allowed"}); err != nil {
			t.Fatal(err)
		}
	}
	record := func(id string, fields map[string]any) {
		t.Helper()
		if err := s.RecordRegister(ctx, zhidu.RegisterRecord{ProcessID: id, Kind: "probation", Fields: fields, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	finish := func(id, result string, at time.Time) {
		t.Helper()
		if err := s.FinishProcess(ctx, zhidu.FinishRecord{ProcessID: id, State: zhidu.ProcessCompleted, Result: result, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	put("probation-a", "newhire", "sales", t0, zhidu.Secret)
	record("probation-a", map[string]any{"stage": "probation", "sales_count": 3})
	put("probation-b", "hire.b", "sales", t0, zhidu.Secret)
	record("probation-b", map[string]any{"extended": true})
	finish("probation-b", "converted", t0.AddDate(0, 3, 0))
	put("probation-c", "hire.c", "sales", t0, zhidu.Secret)
	finish("probation-c", "separated", t0.AddDate(0, 2, 0))
	put("probation-d", "hire.cs", "cs", t0, zhidu.Secret)
	finish("probation-d", "converted", t0.AddDate(0, 1, 0))
	put("probation-old", "hire.d", "sales", t0.AddDate(-1, 0, 0), zhidu.Secret)
	finish("probation-old", "converted", t0.AddDate(-1, 2, 0))
	put("probation-e", "hire.d", "sales", t0, zhidu.Confidential) // too high for the HR clerk below

	st, err := s.OwnProbation(ctx, "newhire")
	if err != nil {
		t.Fatal(err)
	}
	if st.ProcessID != "probation-a" || st.State != "running" || st.Sales != 3 || st.Target != 5 || st.Stage != "probation" || !st.EndsAt.Equal(ends) {
		t.Errorf("newhire's status = %+v", st)
	}
	if st, err := s.OwnProbation(ctx, "hire.d"); err != nil || st.ProcessID != "probation-e" {
		t.Errorf("hire.d's status = %+v, %v; want the running one", st, err)
	}
	if _, err := s.OwnProbation(ctx, "sales.rep"); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("no probation: %v, want not found", err)
	}

	hr := store.Viewer{Username: "hr.clerk", Clearance: zhidu.Secret, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptHR}},
		Member: []string{"hr"}}
	r, err := s.ProbationReport(ctx, hr, t0, t0.AddDate(0, 6, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.ProbationFigures{
		{Department: "cs", Started: 1, Converted: 1, ConversionRate: 1},
		{Department: "sales", Started: 3, Converted: 1, Separated: 1, Extended: 1, Open: 1, ConversionRate: 0.5, SeparationRate: 0.5, ExtensionRate: 0.5},
	}
	if !slices.Equal(r.Departments, want) {
		t.Errorf("report = %+v\nwant %+v", r.Departments, want)
	}
	if tot := r.Total; tot.Started != 4 || tot.Converted != 2 || tot.ConversionRate != 0.6667 {
		t.Errorf("total = %+v", tot)
	}
	gm := store.Viewer{Username: "gm", Clearance: zhidu.TopSecret, Leadership: true}
	if r, err := s.ProbationReport(ctx, gm, t0, t0.AddDate(0, 6, 0)); err != nil || r.Total.Started != 5 {
		t.Errorf("the GM's report: %+v, %v; want the confidential probation too", r.Total, err)
	}
	nobody := store.Viewer{Username: "sales.rep", Clearance: zhidu.Internal, Roles: []zhidu.RoleGrant{salesStaff}, Member: []string{"sales"}}
	if r, err := s.ProbationReport(ctx, nobody, t0, t0.AddDate(0, 6, 0)); err != nil || len(r.Departments) != 0 {
		t.Errorf("a reader of none: %+v, %v", r, err)
	}
}
