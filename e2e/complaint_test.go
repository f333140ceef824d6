package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/workflows"
)

// quickComplaints shortens the complaint process's waits for tests.
func quickComplaints(spotCheck int) func(*api.Config) {
	return func(c *api.Config) {
		cfg := complaintConfig(c)
		cfg.FollowUpAfter = 300 * time.Millisecond
		cfg.SpotCheckPercent = spotCheck
	}
}

// complaintConfig is the complaint's configuration in c, to set in place.
func complaintConfig(c *api.Config) *workflows.ComplaintConfig {
	return c.Processes[workflows.KindComplaint].(*workflows.ComplaintConfig)
}

func productComplaint() map[string]any {
	return map[string]any{
		"complainant": map[string]any{"name": "李女士", "contact": "138-0000-0000"},
		"channel":     "phone", "category": "product_quality",
		"subject": "酱油有异味", "content": "新买的酱油有异味 (odd smell)", "product": "生抽 500ml", "batch": "B2026-11-03",
	}
}

// claimComplete claims a task and completes it, expecting 200.
func (s *stack) claimComplete(user, taskID, outcome string, data map[string]any) {
	s.t.Helper()
	s.work(user, taskID, outcome, data)
}

func (s *stack) startComplaint(user string, body map[string]any) string {
	s.t.Helper()
	p := s.must(http.StatusCreated, s.call(user, "POST", "/api/v1/processes/complaint", body))
	return p["id"].(string)
}

// register returns the caller's complaint register rows by process ID.
func (s *stack) register(user, query string) map[string]map[string]any {
	s.t.Helper()
	page := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/complaints"+query, nil))
	out := map[string]map[string]any{}
	for _, it := range page["items"].([]any) {
		row := it.(map[string]any)
		out[row["process_id"].(string)] = row
	}
	return out
}

// TestComplaintValidToArchive follows a valid product complaint from
// intake to archive and spot check.
func TestComplaintValidToArchive(t *testing.T) {
	s := newStackWith(t, quickComplaints(100))
	pid := s.startComplaint("cs.agent", productComplaint())
	if row := s.register("cs.agent", "")[pid]; row == nil || row["stage"] != "triage" || row["category"] != "product_quality" {
		t.Fatalf("register right after intake: %v", row)
	}

	triage := s.waitTask(pid, workflows.StepTriage)
	if !slices.Contains(s.inbox("cs.super", ""), triage) || slices.Contains(s.inbox("cs.agent", ""), triage) {
		t.Fatal("triage belongs to the CS supervisor")
	}
	s.claimComplete("cs.super", triage, "valid", map[string]any{"responsible_department": "quality"})

	inv := s.waitTask(pid, workflows.StepInvestigation)
	if !slices.Contains(s.inbox("quality.eng", ""), inv) || slices.Contains(s.inbox("cs.agent", ""), inv) {
		t.Fatal("the investigation belongs to quality")
	}
	task := s.must(http.StatusOK, s.call("quality.eng", "GET", "/api/v1/tasks/"+inv, nil))
	if ctx, _ := task["context"].(map[string]any); ctx == nil || ctx["intake"] == nil {
		t.Fatalf("the investigator sees the intake: %v", task["context"])
	}
	s.claimComplete("quality.eng", inv, "submit", map[string]any{"cause": "a faulty seal", "responsibility": "packaging line 2", "remedy": "apologise"})

	appr := s.waitTask(pid, workflows.StepApproval)
	s.claimComplete("vp.ops", appr, "approve", map[string]any{"comments": "同意"})
	rem := s.waitTask(pid, workflows.StepRemedy)
	s.claimComplete("quality.eng", rem, "done", map[string]any{"actions": "replaced two bottles"})

	reply := s.waitTask(pid, workflows.StepReply)
	s.claimComplete("cs.agent", reply, "sent", map[string]any{"method": "letter", "reply": "We have replaced your product. 我们已为您更换。",
		"feedback": "thanked us"})
	r := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/processes/"+pid+"/reply", nil))
	if r["reply"] != "We have replaced your product. 我们已为您更换。" || r["level"] != "public" || len(r) != 5 {
		t.Fatalf("public reply = %v", r)
	}
	for _, internal := range []string{"faulty seal", "packaging line", "138-0000"} {
		if strings.Contains(string(s.call("cs.agent", "GET", "/api/v1/processes/"+pid+"/reply", nil).Body), internal) {
			t.Fatalf("the public reply leaks %q", internal)
		}
	}

	follow := s.waitTask(pid, workflows.StepFollowUp)
	s.claimComplete("cs.agent", follow, "done", map[string]any{"satisfaction": "satisfied"})
	spot := s.waitTask(pid, workflows.StepSpotCheck)
	if !slices.Contains(s.inbox("bmo.auditor", ""), spot) {
		t.Fatal("the spot check belongs to the Business Management Office")
	}
	s.claimComplete("bmo.auditor", spot, "done", map[string]any{"verified": true, "findings": "handled by the rules"})
	s.waitProcess(pid, "completed")

	row := s.register("cs.super", "?state=completed")[pid]
	if row == nil || row["stage"] != "closed" || row["satisfaction"] != "satisfied" || row["remedy"] != "apologise" ||
		row["responsible_department"] != "quality" || row["retain_until"] == nil || row["closed_at"] == nil {
		t.Fatalf("register after archive: %v", row)
	}
	closed, _ := time.Parse(time.RFC3339Nano, row["closed_at"].(string))
	retain, _ := time.Parse(time.RFC3339Nano, row["retain_until"].(string))
	if d := retain.Sub(closed); d < 364*24*time.Hour || d > 366*24*time.Hour {
		t.Fatalf("retained for %s, want a year", d)
	}
	if _, err := s.pool.Exec(context.Background(), `DELETE FROM register_entries WHERE process_id = $1`, pid); err == nil {
		t.Fatal("a complaint under retention was deleted")
	}
	if _, err := s.pool.Exec(context.Background(), `DELETE FROM processes WHERE id = $1`, pid); err == nil {
		t.Fatal("a complaint's process under retention was deleted")
	}
	csv := s.call("cs.super", "GET", "/api/v1/complaints?format=csv", nil)
	if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(string(csv.Body), pid) || !strings.HasPrefix(string(csv.Body), "process_id,received_at") {
		t.Fatalf("CSV export: %d %s\n%s", csv.Status, csv.Header.Get("Content-Type"), csv.Body)
	}
	var spotChecked bool
	if err := s.pool.QueryRow(context.Background(), `SELECT (fields->>'spot_checked')::boolean FROM register_entries WHERE process_id = $1`, pid).Scan(&spotChecked); err != nil || !spotChecked {
		t.Fatalf("spot checked = %v (%v)", spotChecked, err)
	}
}

// TestComplaintInvalid: an invalid complaint is closed with a reason, the
// customer is still told, sales collects on normal terms, and a dispute
// goes to the superior.
func TestComplaintInvalid(t *testing.T) {
	s := newStackWith(t, quickComplaints(0))
	body := productComplaint()
	body["category"], body["subject"] = "fees", "运费太贵"
	pid := s.startComplaint("cs.agent", body)
	triage := s.waitTask(pid, workflows.StepTriage)
	s.must(http.StatusOK, s.call("cs.super", "POST", "/api/v1/tasks/"+triage+"/claim", nil))
	s.wantError(s.call("cs.super", "POST", "/api/v1/tasks/"+triage+"/complete", map[string]any{"outcome": "invalid"}), 400, "invalid")
	s.must(http.StatusOK, s.call("cs.super", "POST", "/api/v1/tasks/"+triage+"/complete",
		map[string]any{"outcome": "invalid", "data": map[string]any{"reason": "the fee is as contracted"}}))

	reply := s.waitTask(pid, workflows.StepReply)
	s.claimComplete("cs.agent", reply, "sent", map[string]any{"method": "phone", "reply": "运费按合同收取。", "disputed": true})
	recv := s.waitTask(pid, workflows.StepReceivables)
	if !slices.Contains(s.inbox("sales.rep", ""), recv) {
		t.Fatal("receivables belong to sales")
	}
	s.claimComplete("sales.rep", recv, "done", map[string]any{"notes": "invoice on normal terms"})
	sup := s.waitTask(pid, workflows.StepSuperior)
	if !slices.Contains(s.inbox("cs.head", ""), sup) {
		t.Fatal("a dispute goes to the superior (签呈)")
	}
	s.claimComplete("cs.head", sup, "uphold", map[string]any{"comments": "the contract is clear"})
	s.waitProcess(pid, "completed")
	p := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/processes/"+pid, nil))
	if p["result"] != "invalid" {
		t.Fatalf("result = %v", p["result"])
	}
	row := s.register("cs.agent", "")[pid]
	if row["valid"] != false || row["stage"] != "closed" {
		t.Fatalf("register: %v", row)
	}
}

// TestMisconductComplaintIsSecret: a misconduct complaint is secret by
// default: invisible to cs.agent (who registered it, cleared for internal
// only) and quality.eng, visible to its participants.
func TestMisconductComplaintIsSecret(t *testing.T) {
	s := newStackWith(t, quickComplaints(0))
	body := map[string]any{
		"complainant": map[string]any{"name": "王先生", "contact": "wang@example.com"}, "channel": "visit",
		"category": "misconduct", "subject": "送货员态度恶劣", "content": "the courier shouted at me",
		"course_of_events": "on delivery, 3 pm", "witnesses": []string{"neighbour"}, "evidence": "video", "signature": "王",
	}
	noSignature := map[string]any{}
	for k, v := range body {
		noSignature[k] = v
	}
	delete(noSignature, "signature")
	s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/complaint", noSignature), 400, "invalid")
	lower := map[string]any{"level": "internal"}
	for k, v := range body {
		lower[k] = v
	}
	s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/complaint", lower), 400, "invalid")

	started := s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/complaint", body))
	pid := started["id"].(string)
	if started["level"] != "secret" || started["note"] == nil || started["tasks"] != nil {
		t.Fatalf("the starter learns only that it is registered: %v", started)
	}
	triage := s.waitTask(pid, workflows.StepTriage)
	for _, u := range []string{"cs.agent", "quality.eng", "sales.rep", "bmo.auditor"} {
		s.wantError(s.call(u, "GET", "/api/v1/processes/"+pid, nil), 404, "not_found")
		s.wantError(s.call(u, "GET", "/api/v1/tasks/"+triage, nil), 404, "not_found")
		if s.register(u, "")[pid] != nil {
			t.Errorf("%s's register lists the misconduct complaint", u)
		}
	}
	s.must(http.StatusOK, s.call("cs.super", "GET", "/api/v1/processes/"+pid, nil))
	if s.register("cs.super", "")[pid] == nil {
		t.Fatal("the triaging supervisor's register lists it")
	}
	s.claimComplete("cs.super", triage, "valid", map[string]any{"responsible_department": "wh"})
	inv := s.waitTask(pid, workflows.StepInvestigation)
	// HR takes part in misconduct cases; the warehouse clerk is cleared for internal only.
	if !slices.Contains(s.inbox("hr.head", ""), inv) || slices.Contains(s.inbox("wh.clerk", ""), inv) {
		t.Fatal("HR investigates misconduct; an internal-cleared clerk does not see it")
	}
	s.must(http.StatusOK, s.call("hr.head", "GET", "/api/v1/processes/"+pid, nil))
	s.claimComplete("hr.head", inv, "submit", map[string]any{"cause": "courier misconduct", "responsibility": "courier", "remedy": "discipline"})
	appr := s.waitTask(pid, workflows.StepApproval)
	s.claimComplete("vp.ops", appr, "approve", nil)
	rem := s.waitTask(pid, workflows.StepRemedy)
	if !slices.Contains(s.inbox("hr.trainer", ""), rem) {
		t.Fatal("discipline is an HR task")
	}
}

// TestComplaintSentBackAndGMApproval: the VP sends the investigation back
// with comments; compensation above the threshold needs the GM as well.
func TestComplaintSentBackAndGMApproval(t *testing.T) {
	s := newStackWith(t, quickComplaints(0))
	pid := s.startComplaint("cs.agent", productComplaint())
	s.claimComplete("cs.super", s.waitTask(pid, workflows.StepTriage), "valid", map[string]any{"responsible_department": "quality"})
	inv := s.waitTask(pid, workflows.StepInvestigation)
	s.must(http.StatusOK, s.call("quality.eng", "POST", "/api/v1/tasks/"+inv+"/claim", nil))
	for _, bad := range []map[string]any{
		{"cause": "x", "responsibility": "y", "remedy": "compensate"},
		{"cause": "x", "responsibility": "y", "remedy": "compensate", "compensation_amount": -5},
		{"cause": "x", "responsibility": "y", "remedy": "replace", "compensation_amount": 100},
		{"responsibility": "y", "remedy": "none"},
		{"cause": "x", "responsibility": "y", "remedy": "refund"},
	} {
		s.wantError(s.call("quality.eng", "POST", "/api/v1/tasks/"+inv+"/complete", map[string]any{"outcome": "submit", "data": bad}), 400, "invalid")
	}
	s.must(http.StatusOK, s.call("quality.eng", "POST", "/api/v1/tasks/"+inv+"/complete", map[string]any{"outcome": "submit",
		"data": map[string]any{"cause": "spoiled batch", "responsibility": "quality", "remedy": "compensate", "compensation_amount": 8000}}))

	appr := s.waitTask(pid, workflows.StepApproval)
	s.must(http.StatusOK, s.call("vp.ops", "POST", "/api/v1/tasks/"+appr+"/claim", nil))
	s.wantError(s.call("vp.ops", "POST", "/api/v1/tasks/"+appr+"/complete", map[string]any{"outcome": "send_back"}), 400, "invalid")
	s.must(http.StatusOK, s.call("vp.ops", "POST", "/api/v1/tasks/"+appr+"/complete",
		map[string]any{"outcome": "send_back", "data": map[string]any{"comments": "找到根本原因"}}))

	inv2 := s.waitTask(pid, workflows.StepInvestigation)
	if inv2 == inv {
		t.Fatal("a send-back opens a new investigation task")
	}
	task := s.must(http.StatusOK, s.call("quality.eng", "GET", "/api/v1/tasks/"+inv2, nil))
	if ctx := task["context"].(map[string]any); ctx["sent_back"] != "找到根本原因" || ctx["round"].(float64) != 2 {
		t.Fatalf("second round context = %v", ctx)
	}
	s.claimComplete("quality.eng", inv2, "submit", map[string]any{"cause": "seal supplier", "responsibility": "purchasing",
		"remedy": "compensate", "compensation_amount": 8000})
	s.claimComplete("vp.ops", s.waitTask(pid, workflows.StepApproval), "approve", nil)
	gm := s.waitTask(pid, workflows.StepGMApproval)
	if !slices.Contains(s.inbox("gm", ""), gm) || slices.Contains(s.inbox("deputy", ""), gm) {
		t.Fatal("above the threshold the GM approves")
	}
	s.claimComplete("gm", gm, "approve", nil)
	s.waitTask(pid, workflows.StepRemedy)
	var approvedBy []string
	if err := s.pool.QueryRow(context.Background(), `SELECT ARRAY(SELECT jsonb_array_elements_text(fields->'approved_by')) FROM register_entries WHERE process_id = $1`, pid).Scan(&approvedBy); err != nil ||
		!slices.Equal(approvedBy, []string{"vp.ops", "gm"}) {
		t.Fatalf("approved by %v (%v)", approvedBy, err)
	}
}

// TestComplaintEscalation: a missed investigation deadline reminds, then
// escalates to the department head and then the VP.
func TestComplaintEscalation(t *testing.T) {
	s := newStackWith(t, func(c *api.Config) {
		quickComplaints(0)(c)
		complaintConfig(c).Investigation = workflows.SLA{Due: 1500 * time.Millisecond, Reminder: 500 * time.Millisecond,
			Escalate: []time.Duration{1500 * time.Millisecond, 2500 * time.Millisecond}}
	})
	pid := s.startComplaint("cs.agent", productComplaint())
	s.claimComplete("cs.super", s.waitTask(pid, workflows.StepTriage), "valid", map[string]any{"responsible_department": "quality"})
	inv := s.waitTask(pid, workflows.StepInvestigation)
	if slices.Contains(s.inbox("quality.head", ""), inv) {
		t.Fatal("before the deadline the head is not a candidate")
	}
	deadline := time.Now().Add(20 * time.Second)
	for s.count(`SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_escalated'`, inv) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no escalation to the VP")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s.count(`SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_reminded'`, inv) != 1 {
		t.Fatal("a reminder comes before the deadline")
	}
	for _, u := range []string{"quality.head", "vp.ops"} {
		if !slices.Contains(s.inbox(u, ""), inv) {
			t.Errorf("after escalation the task is in %s's inbox", u)
		}
	}
	if s.register("cs.super", "?overdue=true")[pid] == nil || s.register("cs.super", "?overdue=false")[pid] != nil {
		t.Fatal("the register shows the complaint overdue")
	}
	s.claimComplete("quality.head", inv, "submit", map[string]any{"cause": "c", "responsibility": "r", "remedy": "none"})
	s.waitTask(pid, workflows.StepApproval)
}

// TestComplaintIntakeRules: who may register a complaint, and the
// register's fields.
func TestComplaintIntakeRules(t *testing.T) {
	s := newStackWith(t, quickComplaints(0))
	for _, u := range []string{"sales.rep", "quality.eng", "sysadmin", "secadmin", "secaudit", "fin.head"} {
		s.wantError(s.call(u, "POST", "/api/v1/processes/complaint", productComplaint()), 403, "forbidden")
	}
	for _, u := range []string{"cs.agent", "cs.super", "cs.head", "vp.ops", "gm"} {
		s.startComplaint(u, productComplaint())
	}
	for field, value := range map[string]any{"channel": "fax", "category": "weather", "subject": "", "product": "",
		"witnesses": []string{""}, "complainant": map[string]any{"name": "x"}, "level": "top_secret"} {
		body := productComplaint()
		body[field] = value
		e := s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/complaint", body), 400, "invalid")
		if len(e["fields"].(map[string]any)) == 0 {
			t.Errorf("%s: no field errors: %v", field, e)
		}
	}
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = 'complaint'`); n != 5 {
		t.Fatalf("complaints = %d, want 5: refused ones change nothing", n)
	}
	s.wantError(s.call("cs.agent", "GET", "/api/v1/complaints?category=weather", nil), 400, "invalid")
	s.wantError(s.call("cs.agent", "GET", "/api/v1/complaints?format=pdf", nil), 400, "invalid")
	// A process that is not a complaint has no reply.
	pid := s.startApproval("cs.agent", "not a complaint", "internal")
	s.wantError(s.call("cs.agent", "GET", "/api/v1/processes/"+pid+"/reply", nil), 404, "not_found")
}
