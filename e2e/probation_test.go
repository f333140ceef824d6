package e2e

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/workflows"
)

// The probation (试用期) through the HTTP API as the demo users: hr.trainer
// (HR's training supervisor) registers newhire with the mentor
// sales.mentor. The calendar is compressed by configuration
// (ProbationConfig.DayLength, MonthLength: tests and bench runs only), so
// day 1, day 15 and the end of the period come within seconds.

// quickProbations compresses the probation's calendar: a day lasts day, a
// month month.
func quickProbations(day, month time.Duration) func(*api.Config) {
	return func(c *api.Config) {
		cfg := c.Processes[workflows.KindProbation].(*workflows.ProbationConfig)
		cfg.DayLength, cfg.MonthLength = day, month
	}
}

// startProbation registers a probation as hr.trainer and returns its ID.
func (s *stack) startProbation(body map[string]any) string {
	s.t.Helper()
	p := s.must(http.StatusCreated, s.call("hr.trainer", "POST", "/api/v1/processes/probation", body))
	return p["id"].(string)
}

// sale records a sale of newhire as user and returns the answer.
func (s *stack) sale(user, employee, ref string) response {
	s.t.Helper()
	return s.call(user, "POST", "/api/v1/employees/"+employee+"/sales", map[string]any{"reference": ref, "amount": 1280.5, "customer": "华联超市"})
}

// probationFlag reads a user's probation and disabled flags.
func (s *stack) probationFlag(user string) (onProbation, disabled bool) {
	s.t.Helper()
	if err := s.pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM probation_flags f WHERE f.username = u.username), disabled
        FROM users u WHERE username = $1`, user).
		Scan(&onProbation, &disabled); err != nil {
		s.t.Fatal(err)
	}
	return onProbation, disabled
}

// waitFor polls cond for up to 20 s.
func (s *stack) waitFor(what string, cond func() bool) {
	s.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: not after 20s", what)
		}
	}
}

// dayOne works the induction and the written test as the training
// supervisor, and the day-15 evaluation as the head and the mentor.
func (s *stack) dayOneAndFifteen(pid, mentor string) {
	s.t.Helper()
	s.work("hr.trainer", s.waitTask(pid, workflows.StepInduction), "done", map[string]any{"notes": "制度、产品培训"})
	s.work("hr.trainer", s.waitTask(pid, workflows.StepWrittenTest), "recorded", map[string]any{"score": 86})
	s.work("sales.head", s.waitTask(pid, workflows.StepEvaluationHead), "signed", map[string]any{"progress": "进步明显"})
	s.work(mentor, s.waitTask(pid, workflows.StepEvaluationMentor), "signed", map[string]any{"progress": "良好"})
}

// TestProbationConverted: HR registers newhire's probation; the file is
// read by HR, the GM's office, the department head and the mentor, not by
// a peer nor by newhire, who sees only their own status and their own
// task; sales recorded over the API (a repeat is idempotent), no leave in
// the first month, a change of mentor, and the conversion: the employee
// applies, the sales manager signs, HR files. Every refusal is checked.
func TestProbationConverted(t *testing.T) {
	s := newStackWith(t, quickProbations(50*time.Millisecond, time.Minute))
	body := func(kv ...any) map[string]any {
		b := map[string]any{"employee": "newhire", "mentor": "sales.mentor", "target": 2}
		for i := 0; i+1 < len(kv); i += 2 {
			b[kv[i].(string)] = kv[i+1]
		}
		return b
	}
	// Who may start, and bad starts: each a 400 naming the field.
	s.wantError(s.call("sales.head", "POST", "/api/v1/processes/probation", body()), http.StatusForbidden, "forbidden")
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{body("employee", "ghost"), "employee"},
		{body("mentor", "newhire"), "mentor"},
		{body("mentor", "sales.rep"), "mentor"}, // cleared internal: not for a secret file
		{body("months", 0), "months"},
		{body("months", 7), "months"},
		{body("start_date", "2026-02-30"), "start_date"},
		{body("department", "hr"), "department"},
	} {
		e := s.wantError(s.call("hr.trainer", "POST", "/api/v1/processes/probation", c.body), http.StatusBadRequest, "invalid")
		if fields, _ := e["fields"].(map[string]any); fields[c.field] == nil {
			t.Errorf("start %v: fields %v, want one on %s", c.body, e["fields"], c.field)
		}
	}
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = 'probation'`); n != 0 {
		t.Fatalf("refused starts left %d processes", n)
	}
	pid := s.startProbation(body())
	e := s.wantError(s.call("hr.head", "POST", "/api/v1/processes/probation", body()), http.StatusBadRequest, "invalid")
	if fc, _ := e["field_codes"].(map[string]any); fc["employee"].(map[string]any)["code"] != "probation.on_probation" {
		t.Errorf("a second probation of newhire: %v", e)
	}
	s.waitFor("newhire flagged on probation", func() bool { on, _ := s.probationFlag("newhire"); return on })

	// Readers: HR, the GM's office, the department head and the mentor.
	for user, want := range map[string]int{"hr.trainer": 200, "hr.head": 200, "gm": 200, "sales.head": 200, "sales.mentor": 200,
		"sales.rep": 404, "newhire": 404, "cs.head": 404, "vp.ops": 404} {
		if r := s.call(user, "GET", "/api/v1/processes/"+pid, nil); r.Status != want {
			t.Errorf("GET the file as %s: %d, want %d", user, r.Status, want)
		}
	}
	me := s.must(http.StatusOK, s.call("newhire", "GET", "/api/v1/me/probation", nil))
	if me["process_id"] != pid || me["sales"] != 0.0 || me["target"] != 2.0 || me["state"] != "running" || me["stage"] != "probation" {
		t.Errorf("newhire's status = %v", me)
	}
	s.wantError(s.call("sales.rep", "GET", "/api/v1/me/probation", nil), http.StatusNotFound, "not_found")

	// No leave in the first month; after it, a task of the head.
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	later := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 3).Format(time.DateOnly)
	leave := func(from string) map[string]any { return map[string]any{"from": from, "days": 1, "reason": "体检"} }
	e = s.wantError(s.call("newhire", "POST", "/api/v1/employees/newhire/leave", leave(today)), http.StatusConflict, "conflict")
	if mc, _ := e["message_code"].(map[string]any); mc["code"] != "probation.no_leave_first_month" {
		t.Errorf("leave in the first month: %v", e)
	}
	s.wantError(s.call("sales.rep", "POST", "/api/v1/employees/newhire/leave", leave(later)), http.StatusForbidden, "forbidden")
	s.wantError(s.call("hr.trainer", "POST", "/api/v1/employees/sales.rep/leave", leave(later)), http.StatusNotFound, "not_found")
	s.wantError(s.call("newhire", "POST", "/api/v1/employees/newhire/leave", map[string]any{"from": later, "days": 0, "reason": "x"}),
		http.StatusBadRequest, "invalid")
	lv := s.must(http.StatusCreated, s.call("newhire", "POST", "/api/v1/employees/newhire/leave", leave(later)))
	leaveTask, _ := lv["task_id"].(string)
	if s.waitTask(pid, workflows.StepLeaveApproval) != leaveTask {
		t.Errorf("the leave request's task %q is not the head's", leaveTask)
	}
	s.work("sales.head", leaveTask, "approve", map[string]any{"opinion": "同意"})

	// Sales: by the employee, their head or HR; idempotent by reference.
	first := s.must(http.StatusCreated, s.sale("newhire", "newhire", "S-1"))
	if first["recorded"] != true || first["count"] != 1.0 || first["target"] != 2.0 {
		t.Errorf("the first sale: %v", first)
	}
	again := s.must(http.StatusOK, s.sale("newhire", "newhire", "S-1"))
	if again["recorded"] != false || again["count"] != 1.0 {
		t.Errorf("a repeated reference: %v", again)
	}
	s.wantError(s.sale("sales.rep", "newhire", "S-9"), http.StatusForbidden, "forbidden")
	s.wantError(s.sale("cs.head", "newhire", "S-9"), http.StatusForbidden, "forbidden")
	s.wantError(s.sale("hr.trainer", "ghost", "S-9"), http.StatusNotFound, "not_found")
	s.wantError(s.sale("sales.head", "sales.rep", "S-9"), http.StatusNotFound, "not_found")
	for name, bad := range map[string]map[string]any{
		"reference": {"amount": 10, "customer": "华联超市"},
		"amount":    {"reference": "S-9", "amount": -1, "customer": "华联超市"},
		"customer":  {"reference": "S-9", "amount": 10},
	} {
		e := s.wantError(s.call("newhire", "POST", "/api/v1/employees/newhire/sales", bad), http.StatusBadRequest, "invalid")
		if fields, _ := e["fields"].(map[string]any); fields[name] == nil {
			t.Errorf("bad %s: %v", name, e)
		}
	}
	s.wantError(s.call("newhire", "POST", "/api/v1/employees/newhire/sales", `{"reference":"S-\u0000","amount":1,"customer":"x"}`),
		http.StatusBadRequest, "invalid")
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'sale_recorded'`, pid); n != 1 {
		t.Fatalf("%d sales in the timeline after one sale and its repeat, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'probation.sale' AND decision = 'denied'`); n != 2 {
		t.Errorf("%d denied sales audited, want 2", n)
	}

	// Day 1 and day 15.
	s.dayOneAndFifteen(pid, "sales.mentor")

	// A change of mentor: HR or the head asks, the head decides.
	mentor := func(user, who string) response {
		return s.call(user, "POST", "/api/v1/processes/"+pid+"/mentor", map[string]any{"mentor": who, "reason": "原带教调岗"})
	}
	s.wantError(mentor("sales.rep", "cs.super"), http.StatusNotFound, "not_found") // may not read the file
	s.wantError(mentor("sales.mentor", "cs.super"), http.StatusForbidden, "forbidden")
	s.wantError(mentor("hr.trainer", "ghost"), http.StatusBadRequest, "invalid")
	s.wantError(mentor("hr.trainer", "cs.agent"), http.StatusBadRequest, "invalid") // not cleared for the file
	s.wantError(mentor("hr.trainer", "sales.mentor"), http.StatusBadRequest, "invalid")
	mc := s.must(http.StatusCreated, mentor("sales.head", "cs.super"))
	change := s.waitTask(pid, workflows.StepMentorChange)
	if mc["task_id"] != change {
		t.Errorf("mentor change task %v, want %s", mc["task_id"], change)
	}
	s.work("sales.head", change, "approve", map[string]any{"opinion": "同意"})
	s.waitFor("the new mentor reads the file", func() bool {
		return s.call("cs.super", "GET", "/api/v1/processes/"+pid, nil).Status == http.StatusOK
	})
	// The old mentor is no longer a named reader (they still read it as a
	// participant: they signed the evaluation).
	if n := s.count(`SELECT count(*) FROM processes WHERE id = $1 AND members @> '{cs.super}' AND NOT members @> '{sales.mentor}'`, pid); n != 1 {
		t.Error("the named readers did not follow the mentor change")
	}

	// The target reached: the employee's own application, at their level.
	s.must(http.StatusCreated, s.sale("sales.head", "newhire", "S-2"))
	app := s.waitTask(pid, workflows.StepConversionApply)
	if !slices.Contains(s.inbox("newhire", ""), app) {
		t.Fatal("newhire's conversion application is not in their inbox")
	}
	task := s.must(http.StatusOK, s.call("newhire", "GET", "/api/v1/tasks/"+app, nil))
	ctx, _ := task["context"].(map[string]any)
	if task["level"] != "internal" || ctx["sales"] != 2.0 || ctx["target"] != 2.0 || ctx["sales_log"] != nil || ctx["mentor"] != nil {
		t.Errorf("newhire's own task: level %v, context %v", task["level"], ctx)
	}
	s.work("newhire", app, "apply", map[string]any{"statement": "已完成销售任务，申请转正"})
	sign := s.waitTask(pid, workflows.StepConversionSign)
	s.wantError(s.call("newhire", "POST", "/api/v1/tasks/"+sign+"/claim", nil), http.StatusNotFound, "not_found")
	s.work("sales.head", sign, "approve", map[string]any{"opinion": "同意转正"})
	s.work("hr.trainer", s.waitTask(pid, workflows.StepConversionFile), "filed", nil)
	s.waitProcess(pid, "completed")
	if on, disabled := s.probationFlag("newhire"); on || disabled {
		t.Errorf("after the conversion: on probation %v, disabled %v", on, disabled)
	}
	me = s.must(http.StatusOK, s.call("newhire", "GET", "/api/v1/me/probation", nil))
	if me["state"] != "completed" || me["result"] != "converted" || me["sales"] != 2.0 || me["stage"] != "closed" {
		t.Errorf("newhire's status at the end = %v", me)
	}
	s.wantError(s.sale("newhire", "newhire", "S-3"), http.StatusNotFound, "not_found") // no longer on probation

	// The register follows the read rule.
	row := s.must(http.StatusOK, s.call("hr.trainer", "GET", "/api/v1/registers/probation/"+pid, nil))
	if r, _ := row["row"].(map[string]any); r["result"] != "converted" || r["sales_count"] != 2.0 || r["mentor"] != "cs.super" {
		t.Errorf("register row = %v", row)
	}
	s.wantError(s.call("sales.rep", "GET", "/api/v1/registers/probation/"+pid, nil), http.StatusNotFound, "not_found")

	// The report: HR and the GM's office only.
	rep := s.must(http.StatusOK, s.call("hr.head", "GET", "/api/v1/reports/probation", nil))
	deps, _ := rep["departments"].([]any)
	if len(deps) != 1 || deps[0].(map[string]any)["department"] != "sales" || deps[0].(map[string]any)["converted"] != 1.0 ||
		deps[0].(map[string]any)["conversion_rate"] != 1.0 {
		t.Errorf("report = %v", rep)
	}
	s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/reports/probation?from=2026-01-01&to=2099-12-31", nil))
	for _, u := range []string{"sales.head", "vp.admin", "newhire"} {
		s.wantError(s.call(u, "GET", "/api/v1/reports/probation", nil), http.StatusForbidden, "forbidden")
	}
	s.wantError(s.call("hr.head", "GET", "/api/v1/reports/probation?from=yesterday", nil), http.StatusBadRequest, "invalid")
	s.wantError(s.call("hr.head", "GET", "/api/v1/reports/probation?from=2026-05-01&to=2026-04-01", nil), http.StatusBadRequest, "invalid")
}

// TestProbationSeparatedAcrossRestart: the period ends short of the
// target while the worker is down; nothing is lost (the end's timer, a
// sale recorded before and one sent while it was down); HR confirms the
// separation: newhire's token stops working at once, the task they held
// goes to the colleague, who completes it, and the customer handover is
// recorded.
func TestProbationSeparatedAcrossRestart(t *testing.T) {
	const month = 4 * time.Second
	s := newStackWith(t, quickProbations(20*time.Millisecond, month))
	s.watchUsers()

	// newhire holds a task of another process: sales' receivables of an
	// invalid complaint.
	complaint := productComplaint()
	complaint["category"], complaint["subject"] = "fees", "运费太贵"
	cid := s.startComplaint("cs.agent", complaint)
	s.work("cs.super", s.waitTask(cid, workflows.StepTriage), "invalid", map[string]any{"reason": "the fee is as contracted"})
	s.work("cs.agent", s.waitTask(cid, workflows.StepReply), "sent", map[string]any{"method": "phone", "reply": "运费按合同收取。"})
	recv := s.waitTask(cid, workflows.StepReceivables)
	s.must(http.StatusOK, s.call("newhire", "POST", "/api/v1/tasks/"+recv+"/claim", nil))

	// newhire is responsible for a customer.
	client := s.fileCustomer("newhire", "金城贸易", zhidu.ClassPreferred, "025-8888 0101", zhidu.Internal).Customer

	started := time.Now()
	pid := s.startProbation(map[string]any{"employee": "newhire", "mentor": "sales.mentor", "months": 1})
	s.must(http.StatusCreated, s.sale("newhire", "newhire", "S-1"))
	session, err := s.store.CreateSession(context.Background(), "newhire", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	// The worker goes down before the end; a sale sent meanwhile waits.
	s.stopWorker()
	late := make(chan response, 1)
	go func() { late <- s.sale("sales.head", "newhire", "S-2") }()
	time.Sleep(time.Until(started.Add(month + time.Second)))
	s.startWorker()
	if r := <-late; r.Status != http.StatusCreated {
		t.Fatalf("the sale sent while the worker was down: %d %s", r.Status, r.Body)
	}
	s.dayOneAndFifteen(pid, "sales.mentor")

	confirm := s.waitTask(pid, workflows.StepSeparation)
	task := s.must(http.StatusOK, s.call("hr.head", "GET", "/api/v1/tasks/"+confirm, nil))
	var choices []any
	for _, f := range task["form"].(map[string]any)["fields"].([]any) {
		if f := f.(map[string]any); f["name"] == "colleague" {
			choices, _ = f["choices"].([]any)
		}
	}
	if want := []any{"sales.head", "sales.mentor", "sales.rep"}; !slices.Equal(choices, want) {
		t.Errorf("colleagues offered %v, want %v", choices, want)
	}
	s.waitFor("both sales in the register", func() bool {
		return s.count(`SELECT count(*) FROM register_entries WHERE process_id = $1 AND (fields->>'sales_count')::int = 2`, pid) == 1
	})
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'sale_recorded'`, pid); n != 2 {
		t.Errorf("%d sales in the timeline, want 2", n)
	}
	s.must(http.StatusOK, s.call("newhire", "GET", "/api/v1/me", nil)) // the token works, and is cached
	s.wantError(s.call("hr.trainer", "POST", "/api/v1/tasks/"+confirm+"/claim", nil), http.StatusForbidden, "forbidden")
	s.work("hr.head", confirm, "separate", map[string]any{"colleague": "sales.rep"})

	s.waitFor("newhire's token refused", func() bool {
		return s.call("newhire", "GET", "/api/v1/me", nil).Status == http.StatusUnauthorized
	})
	if _, err := s.store.Session(context.Background(), session.ID, time.Now()); err == nil {
		t.Error("newhire's web session still works")
	}
	if on, disabled := s.probationFlag("newhire"); on || !disabled {
		t.Errorf("after the separation: on probation %v, disabled %v", on, disabled)
	}
	s.waitProcess(pid, "completed")
	p := s.must(http.StatusOK, s.call("hr.head", "GET", "/api/v1/processes/"+pid, nil))
	if p["result"] != "separated" {
		t.Errorf("result = %v", p["result"])
	}
	// The task newhire held is handed to sales.rep by the complaint's own
	// workflow (the step's authority reaches sales staff), who completes it.
	s.waitFor("the complaint hands newhire's task to sales.rep", func() bool {
		return s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND assignee = 'sales.rep' AND state = 'claimed'`, recv) == 1
	})
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'task_reassigned' AND actor = 'hr.head'
        AND detail->>'owner' = 'newhire' AND detail->>'to' = 'sales.rep'`, cid); n != 1 {
		t.Errorf("%d hand-over entries in the complaint's timeline, want 1", n)
	}
	s.must(http.StatusOK, s.call("sales.rep", "POST", "/api/v1/tasks/"+recv+"/complete",
		map[string]any{"outcome": "done", "data": map[string]any{"notes": "invoice on normal terms"}}))
	if n := s.count(`SELECT count(*) FROM customer_handovers WHERE process_id = $1 AND employee = 'newhire' AND colleague = 'sales.rep'
        AND applied_at IS NOT NULL`, pid); n != 1 {
		t.Errorf("%d customer handovers recorded and applied, want 1", n)
	}
	// The customer is sales.rep's at once, who is asked to tell the customer.
	if n := s.count(`SELECT count(*) FROM customers WHERE id = $1 AND responsible = 'sales.rep'`, client.ID); n != 1 {
		t.Error("newhire's customer was not handed over to sales.rep")
	}
	handover := workflows.ProcessID(workflows.KindCustomerHandover, pid, "child")
	notice := s.waitTask(handover, workflows.StepNotifyCustomer)
	s.wantError(s.call("sales.head", "POST", "/api/v1/tasks/"+notice+"/claim", nil), http.StatusForbidden, "forbidden")
	s.work("sales.rep", notice, workflows.OutcomeNotified, map[string]any{"method": "phone"})
	s.waitProcess(handover, "completed")
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'user.separate' AND object = 'user:newhire' AND actor = 'hr.head'`); n != 1 {
		t.Errorf("%d user.separate audit entries, want 1", n)
	}
	row := s.must(http.StatusOK, s.call("hr.head", "GET", "/api/v1/registers/probation/"+pid, nil))
	if r, _ := row["row"].(map[string]any); r["result"] != "separated" || r["handed_over_to"] != "sales.rep" || r["sales_count"] != 2.0 {
		t.Errorf("register row = %v", row)
	}
	rep := s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/reports/probation", nil))
	if tot := rep["total"].(map[string]any); tot["separated"] != 1.0 || tot["separation_rate"] != 1.0 {
		t.Errorf("report total = %v", tot)
	}
}
