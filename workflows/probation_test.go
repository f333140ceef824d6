package workflows

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

const probationID = "probation-test"

var (
	salesMentor  = person("sales.mentor", zhidu.DeptSales, zhidu.Secret, grant(zhidu.RoleStaff, zhidu.DeptSales))
	salesMentor2 = person("sales.mentor2", zhidu.DeptSales, zhidu.Secret, grant(zhidu.RoleStaff, zhidu.DeptSales))
	hrClerk      = person("hr.clerk", zhidu.DeptHR, zhidu.Secret, grant(zhidu.RoleStaff, zhidu.DeptHR))
	hrHeadSecret = person("hr.head", zhidu.DeptHR, zhidu.Confidential, grant(zhidu.RoleDeptHead, zhidu.DeptHR))
)

// fakeSources answers a start's lookups from a fixed organisation.
type fakeSources struct {
	users   []zhidu.Actor
	running map[string][]string // employee → running probations
}

func (f fakeSources) User(_ context.Context, name string) (zhidu.Actor, error) {
	i := slices.IndexFunc(f.users, func(a zhidu.Actor) bool { return a.Username == name })
	if i < 0 {
		return zhidu.Actor{}, zhidu.Errorf(zhidu.CodeNotFound, "no user %s", name)
	}
	return f.users[i], nil
}

func (f fakeSources) ApprovalMatrix(context.Context) (int, matrix.Matrix, error) {
	return 1, matrix.Seed(), nil
}

func (f fakeSources) Project(_ context.Context, id string) (zhidu.Project, error) {
	return zhidu.Project{}, zhidu.Errorf(zhidu.CodeNotFound, "no project %s", id)
}

func (f fakeSources) Running(_ context.Context, kind, field, value string) ([]string, error) {
	return f.running[value], nil
}

func (f fakeSources) Holders(_ context.Context, r zhidu.Role, d zhidu.Department) ([]string, error) {
	var out []string
	for _, u := range f.users {
		if u.Has(r, d) {
			out = append(out, u.Username)
		}
	}
	return out, nil
}

var probationOrg = fakeSources{users: []zhidu.Actor{newhire, salesMentor, salesMentor2, salesHead, salesRep, hrClerk},
	running: map[string][]string{"sales.rep": {"probation-old"}}}

// startProbation prepares a probation as the API does, at now.
func startProbation(t *testing.T, body probationStart, now time.Time, cfg ProbationConfig) (ProbationInput, error) {
	t.Helper()
	info := zhidu.ProcessInfo{ID: probationID, Kind: KindProbation, Department: zhidu.DeptHR, StartedBy: "hr.clerk"}
	in, err := prepareProbation(context.Background(), body, StartContext{Starter: hrClerk, Process: &info, Config: &cfg,
		Users: probationOrg, Data: probationOrg, Now: now})
	if err != nil {
		return ProbationInput{}, err
	}
	return in.(ProbationInput), nil
}

func newProbationHarness(t *testing.T) *harness[ProbationInput, ProbationResult] {
	t.Helper()
	h := newHarness[ProbationInput, ProbationResult](t, WorkflowProbation, Probation, probationID)
	h.colleagues = []string{"sales.rep", "sales.mentor"}
	h.env.RegisterWorkflowWithOptions(CustomerHandover, workflow.RegisterOptions{Name: WorkflowCustomerHandover})
	return h
}

func saleOf(ref string, amount float64) zhidu.SaleRequest {
	return zhidu.SaleRequest{Reference: ref, Amount: amount, Customer: "客户 " + ref, Actor: newhire}
}

// TestProbationTimes: the written test at 17:00 in the company's time
// zone on day 1, the next working day's when the probation is registered
// at or after 17:00 (a Friday's moves to Monday); day 15 at 09:00; the end
// at midnight after the period.
func TestProbationTimes(t *testing.T) {
	cfg := DefaultProbationConfig()
	sh := companyZone(cfg.TimeZone)
	at := func(s string, loc *time.Location) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name, start, now, test string
		loc                    *time.Location
	}{
		{"morning start", "2026-03-02", "2026-03-02 09:00", "2026-03-02 17:00", sh},
		{"start at 17:00", "2026-03-02", "2026-03-02 17:00", "2026-03-03 17:00", sh},
		{"late Friday", "2026-03-06", "2026-03-06 18:30", "2026-03-09 17:00", sh},
		{"registered on Saturday", "2026-03-07", "2026-03-06 10:00", "2026-03-09 17:00", sh},
		{"future start", "2026-03-10", "2026-03-02 20:00", "2026-03-10 17:00", sh},
	} {
		start := at(c.start+" 00:00", c.loc)
		test, evaluation, end := probationTimes(cfg, start, at(c.now, c.loc), 2)
		if !test.Equal(at(c.test, c.loc)) {
			t.Errorf("%s: test at %v, want %s", c.name, test, c.test)
		}
		if c.name == "morning start" && (!evaluation.Equal(at("2026-03-16 09:00", sh)) || !end.Equal(at("2026-05-02 00:00", sh))) {
			t.Errorf("evaluation %v, end %v", evaluation, end)
		}
	}
	// Another zone: 17:00 is the company's, not UTC's.
	ny := DefaultProbationConfig()
	ny.TimeZone = "America/New_York"
	nyc := companyZone(ny.TimeZone)
	test, _, _ := probationTimes(ny, at("2026-03-02 00:00", nyc), at("2026-03-02 16:59", nyc), 2)
	if !test.Equal(at("2026-03-02 17:00", nyc)) || test.UTC().Hour() != 22 {
		t.Errorf("New York test at %v", test.UTC())
	}
	// A compressed clock (tests, bench runs): days and months of fixed
	// lengths from the registration, no weekends.
	fast := DefaultProbationConfig()
	fast.DayLength, fast.MonthLength = 24*time.Second, time.Hour
	now := at("2026-03-07 10:00", sh) // a Saturday
	test, evaluation, end := probationTimes(fast, now, now, 2)
	if !test.Equal(now.Add(17*time.Second)) || !evaluation.Equal(now.Add(14*24*time.Second+9*time.Second)) || !end.Equal(now.Add(2*time.Hour)) {
		t.Errorf("compressed: test %v, evaluation %v, end %v", test.Sub(now), evaluation.Sub(now), end.Sub(now))
	}
	in, err := startProbation(t, probationStart{Employee: "newhire", Mentor: "sales.mentor"}, now, fast)
	if err != nil || !in.Start.Equal(now) || !in.End.Equal(now.Add(2*time.Hour)) {
		t.Errorf("compressed start %v, end %v, %v; want from the registration", in.Start, in.End, err)
	}
}

// TestProbationStartRefusals: every bad start is a field error.
func TestProbationStartRefusals(t *testing.T) {
	now := t0
	zero, many := 0, 7
	for _, c := range []struct {
		name  string
		body  probationStart
		field string
	}{
		{"no such employee", probationStart{Employee: "ghost", Mentor: "sales.mentor"}, "employee"},
		{"already on probation", probationStart{Employee: "sales.rep", Mentor: "sales.mentor"}, "employee"},
		{"own mentor", probationStart{Employee: "newhire", Mentor: "newhire"}, "mentor"},
		{"mentor not cleared", probationStart{Employee: "newhire", Mentor: "sales.rep"}, "mentor"},
		{"zero months", probationStart{Employee: "newhire", Mentor: "sales.mentor", Months: &zero}, "months"},
		{"too many months", probationStart{Employee: "newhire", Mentor: "sales.mentor", Months: &many}, "months"},
		{"zero target", probationStart{Employee: "newhire", Mentor: "sales.mentor", Target: &zero}, "target"},
		{"a bad date", probationStart{Employee: "newhire", Mentor: "sales.mentor", StartDate: "2026-02-30"}, "start_date"},
		{"another department", probationStart{Employee: "newhire", Mentor: "sales.mentor", Department: "hr"}, "department"},
	} {
		_, err := startProbation(t, c.body, now, DefaultProbationConfig())
		e, ok := err.(*zhidu.Error)
		if !ok || e.FieldCodes[c.field].IsZero() {
			t.Errorf("%s: %v, want a field error on %s", c.name, err, c.field)
		}
	}
	in, err := startProbation(t, probationStart{Employee: "newhire", Mentor: "sales.mentor"}, now, DefaultProbationConfig())
	if err != nil {
		t.Fatal(err)
	}
	if in.Process.Level != zhidu.Secret || !slices.Equal(in.Process.Readers, []zhidu.Department{zhidu.DeptHR}) ||
		!slices.Equal(in.Process.Members, []string{"sales.mentor", "sales.head"}) || in.Target != 5 || in.Months != 2 {
		t.Errorf("input = %+v", in)
	}
}

// TestProbationConverted runs the whole period with time skipping: the
// induction, the test moved to the next working day (registered at
// 17:00), leave refused in the first month and asked after it, a mentor
// change, sales with a duplicate, the conversion — filed only once the
// day-15 evaluation, signed by the head and the new mentor, is archived.
func TestProbationConverted(t *testing.T) {
	h := newProbationHarness(t)
	in, err := startProbation(t, probationStart{Employee: "newhire", Mentor: "sales.mentor", StartDate: "2026-03-02"}, t0, DefaultProbationConfig())
	if err != nil {
		t.Fatal(err)
	}
	var sales []*reply
	h.at(2*aDay, func() {
		for _, s := range []zhidu.SaleRequest{saleOf("S-1", 1000), saleOf("S-2", 2000), saleOf("S-1", 1000), saleOf("S-3", 500)} {
			sales = append(sales, h.send(UpdateRecordSale, "sale "+s.Reference, s))
		}
	})
	var badSale, earlyLeave, leave, ownMentor, mentor *reply
	h.at(2*aDay+time.Minute, func() {
		badSale = h.send(UpdateRecordSale, "a negative sale", saleOf("S-9", -1))
		earlyLeave = h.send(UpdateRequestLeave, "leave in the first month",
			zhidu.LeaveRequest{From: "2026-03-20", Days: 2, Reason: "家事", Actor: newhire})
		leave = h.send(UpdateRequestLeave, "leave after it", zhidu.LeaveRequest{From: "2026-04-06", Days: 1, Reason: "体检", Actor: newhire})
		ownMentor = h.send(UpdateChangeMentor, "own mentor", zhidu.MentorChangeRequest{Mentor: newhire, Reason: "x", Actor: hrClerk})
		mentor = h.send(UpdateChangeMentor, "a new mentor", zhidu.MentorChangeRequest{Mentor: salesMentor2, Reason: "原带教调岗", Actor: hrClerk})
	})
	h.at(6*aDay, func() {
		sales = append(sales, h.send(UpdateRecordSale, "sale S-4", saleOf("S-4", 700)), h.send(UpdateRecordSale, "sale S-5", saleOf("S-5", 800)))
	})
	peer := h.try(14*aDay, "the old mentor evaluates", "evaluation_mentor", salesMentor, OutcomeSigned, map[string]any{"progress": "良好"})
	replies := h.play(
		act{time.Hour, "induction", hrTrainer, OutcomeDone, nil},
		act{25 * time.Hour, "written_test", hrTrainer, OutcomeRecorded, map[string]any{"score": 88}},
		act{3 * aDay, "leave#1", salesHead, OutcomeApprove, nil},
		act{3*aDay + time.Hour, "mentor#1", salesHead, OutcomeApprove, nil},
		act{7 * aDay, "conversion_application", newhire, OutcomeApply, map[string]any{"statement": "已完成 5 单"}},
		act{7*aDay + time.Hour, "conversion_sign", salesHead, OutcomeApprove, map[string]any{"opinion": "同意转正"}},
		act{7*aDay + 2*time.Hour, "conversion_file", hrClerk, OutcomeFiled, nil},
		act{14 * aDay, "evaluation_head", salesHead, OutcomeSigned, map[string]any{"progress": "进步明显"}},
		act{14*aDay + time.Hour, "evaluation_mentor", salesMentor2, OutcomeSigned, map[string]any{"progress": "良好"}},
	)
	badScore := h.try(25*time.Hour-time.Minute, "a score of 120", "written_test", hrTrainer, OutcomeRecorded, map[string]any{"score": 120})
	res := h.run(in)

	wantAllAccepted(t, sales)
	wantAllAccepted(t, replies)
	wantRejectedField(t, badSale, zhidu.CodeInvalid, "amount")
	wantRejected(t, earlyLeave, zhidu.CodeConflict)
	wantAccepted(t, leave)
	wantRejectedField(t, ownMentor, zhidu.CodeInvalid, "mentor")
	wantAccepted(t, mentor)
	wantRejected(t, peer, zhidu.CodeForbidden)
	wantRejectedField(t, badScore, zhidu.CodeInvalid, "data.score")
	if res != (ProbationResult{Outcome: ResultConverted, Sales: 5}) {
		t.Errorf("result = %+v, want converted with 5 sales", res)
	}
	// Filed at 7 days, but converted when the evaluation was archived.
	h.wantCompleted(t, ResultConverted, t0.Add(14*aDay+time.Hour))
	if f := h.flags; len(f) != 2 || !f[0].OnProbation || f[1].OnProbation || f[1].Actor != "hr.clerk" {
		t.Errorf("flags = %+v, want set, then cleared by HR", f)
	}
	// The test: registered at 17:00 Shanghai, so the next day's 17:00.
	if c := h.createdTask(t, "written_test"); !c.CreatedAt.Equal(t0.Add(aDay)) {
		t.Errorf("written test created at %v, want %v", c.CreatedAt, t0.Add(aDay))
	}
	sh := companyZone("Asia/Shanghai")
	if c := h.createdTask(t, "evaluation_head"); !c.CreatedAt.Equal(time.Date(2026, 3, 16, 9, 0, 0, 0, sh)) {
		t.Errorf("evaluation created at %v, want day 15 09:00", c.CreatedAt)
	}
	if c := h.createdTask(t, "evaluation_mentor").Spec.Candidates; !slices.Equal(c, []zhidu.Candidate{{User: "sales.mentor2"}}) {
		t.Errorf("the mentor's evaluation goes to %v, want the new mentor", c)
	}
	app := h.createdTask(t, "conversion_application").Spec
	if app.Level != zhidu.Internal || !app.Subject || app.Context["sales_log"] != nil || app.Context["mentor"] != nil {
		t.Errorf("the employee's own task: level %s, subject %v, context %v", app.Level, app.Subject, app.Context)
	}
	if lvl := h.createdTask(t, "conversion_sign").Spec.Level; lvl != zhidu.Secret {
		t.Errorf("the manager's sign-off at %s, want the file's level", lvl)
	}
	if m := h.memberships; len(m) != 1 || !slices.Equal(m[0].Add, []string{"sales.mentor2"}) || !slices.Equal(m[0].Remove, []string{"sales.mentor"}) {
		t.Errorf("memberships = %+v, want the new mentor in and the old one out", m)
	}
	var actions []string
	for _, e := range h.processEvents {
		actions = append(actions, e.Action)
	}
	want := []string{"sale_recorded", "sale_recorded", "sale_recorded", "leave_approve", "mentor_changed", "sale_recorded", "sale_recorded", "evaluation_archived"}
	if !slices.Equal(actions, want) {
		t.Errorf("timeline events = %v, want %v", actions, want)
	}
}

// TestProbationSeparated: the period ends short of the target; HR
// extends once (a second extension is not offered), and at the new end
// confirms the separation, handing the work to a colleague.
func TestProbationSeparated(t *testing.T) {
	h := newProbationHarness(t)
	in, err := startProbation(t, probationStart{Employee: "newhire", Mentor: "sales.mentor", StartDate: "2026-03-02"}, t0, DefaultProbationConfig())
	if err != nil {
		t.Fatal(err)
	}
	sh := companyZone("Asia/Shanghai")
	end := time.Date(2026, 5, 2, 0, 0, 0, 0, sh).Sub(t0)
	newEnd := time.Date(2026, 6, 1, 0, 0, 0, 0, sh).Sub(t0)
	h.at(aDay, func() { h.send(UpdateRecordSale, "one sale", saleOf("S-1", 100)) })
	early := h.try(end+time.Hour, "an end not later", "separation#1", hrHeadSecret, OutcomeExtend,
		map[string]any{"reason": "客户跟进中", "new_end": "2026-04-30"})
	far := h.try(end+time.Hour+time.Minute, "an end too far", "separation#1", hrHeadSecret, OutcomeExtend,
		map[string]any{"reason": "客户跟进中", "new_end": "2026-12-31"})
	noColleague := h.try(end+time.Hour+2*time.Minute, "no colleague", "separation#1", hrHeadSecret, OutcomeSeparate, nil)
	// newhire holds a task of another process and is named for one of a
	// third: each process is told to hand them over.
	h.plan = zhidu.HandOverPlan{Colleague: salesMentor, Processes: []zhidu.HandOverTarget{
		{ProcessID: "complaint-1", Held: []string{"t-1"}}, {ProcessID: "approval-2"}, {ProcessID: probationID}}}
	var handed []zhidu.HandOverRequest
	h.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", SignalHandOver, mock.Anything).Return(
		func(_, id, _, _ string, arg any) error {
			r := arg.(zhidu.HandOverRequest)
			r.Reason = id // which process it went to
			handed = append(handed, r)
			return nil
		})
	twice := h.try(newEnd+time.Hour, "a second extension", "separation#2", hrHeadSecret, OutcomeExtend,
		map[string]any{"reason": "再给一次机会", "new_end": "2026-06-30"})
	replies := h.play(
		act{time.Hour, "induction", hrTrainer, OutcomeDone, nil},
		act{25 * time.Hour, "written_test", hrTrainer, OutcomeRecorded, map[string]any{"score": 60}},
		act{14 * aDay, "evaluation_head", salesHead, OutcomeSigned, map[string]any{"progress": "一般"}},
		act{14 * aDay, "evaluation_mentor", salesMentor, OutcomeSigned, map[string]any{"progress": "一般"}},
		act{end + 2*time.Hour, "separation#1", hrHeadSecret, OutcomeExtend, map[string]any{"reason": "客户跟进中", "new_end": "2026-05-31"}},
		act{newEnd + 2*time.Hour, "separation#2", hrHeadSecret, OutcomeSeparate, map[string]any{"colleague": "sales.mentor"}},
	)
	res := h.run(in)
	wantAllAccepted(t, replies)
	wantRejectedField(t, early, zhidu.CodeInvalid, "data.new_end")
	wantRejectedField(t, far, zhidu.CodeInvalid, "data.new_end")
	wantRejectedField(t, noColleague, zhidu.CodeInvalid, "data.colleague")
	wantRejectedField(t, twice, zhidu.CodeInvalid, "outcome")
	if res != (ProbationResult{Outcome: ResultSeparated, Sales: 1, Extended: true}) {
		t.Errorf("result = %+v", res)
	}
	if s := h.separations; len(s) != 1 || s[0].Employee != "newhire" || s[0].Colleague != "sales.mentor" || s[0].Actor != "hr.head" {
		t.Errorf("separations = %+v", s)
	}
	if len(handed) != 2 || handed[0].Reason != "complaint-1" || !slices.Equal(handed[0].Held, []string{"t-1"}) ||
		handed[1].Reason != "approval-2" || handed[0].Employee != "newhire" || handed[0].Colleague.Username != "sales.mentor" ||
		handed[0].By != "hr.head" {
		t.Errorf("hand-overs signalled: %+v", handed)
	}
	if c := h.createdTask(t, "separation#1"); !c.CreatedAt.Equal(t0.Add(end)) {
		t.Errorf("confirmation at %v, want the end of the period", c.CreatedAt)
	}
	if ex := h.createdTask(t, "separation#2").Spec.Form.Outcomes; slices.Contains(ex, OutcomeExtend) {
		t.Errorf("the second confirmation offers %v", ex)
	}
}
