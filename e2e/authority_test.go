package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/zhidu/zhidu/workflows"
)

// The security review's attacks on approval authority (核决权限) and on
// integrity, replayed over HTTP against PostgreSQL and Temporal.

// wantNoReassignment fails if the task was reassigned (timeline, audit or
// the row itself) and checks the refusals were audited as denied.
func (s *stack) wantNoReassignment(taskID string, denials int) {
	s.t.Helper()
	if n := s.count(`SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_reassigned'`, taskID); n != 0 {
		s.t.Errorf("%d task_reassigned timeline entries for %s, want none", n, taskID)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE object = 'task:' || $1 AND action = 'task.reassign' AND decision = 'allowed'`, taskID); n != 0 {
		s.t.Errorf("%d allowed task.reassign audit entries for %s, want none", n, taskID)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE object = 'task:' || $1 AND action = 'task.reassign' AND decision = 'denied'`, taskID); n != denials {
		s.t.Errorf("%d denied task.reassign audit entries for %s, want %d", n, taskID, denials)
	}
}

// TestReassignmentCannotMoveApprovalAuthority: cs.super started an
// approval of her own (¥40,000), reassigned the head's step to cs.agent
// and the VP's step to cs.head; both approved and the VP never saw it.
func TestReassignmentCannotMoveApprovalAuthority(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.super", "付款 ¥40,000", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")
	s.wantError(s.call("cs.super", "POST", "/api/v1/tasks/"+t1+"/reassign", map[string]any{"to": "cs.agent"}), 403, "forbidden")
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/reassign", map[string]any{"to": "cs.agent"}), 403, "forbidden")
	s.wantError(s.call("vp.ops", "POST", "/api/v1/tasks/"+t1+"/reassign", map[string]any{"to": "sales.head"}), 403, "forbidden")
	s.wantNoReassignment(t1, 3)
	if r := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/tasks?scope=mine", nil)); len(r["items"].([]any)) != 0 {
		t.Fatalf("cs.agent holds tasks after the refused reassignments: %v", r["items"])
	}
	s.claimComplete("cs.head", t1, "approve", nil)

	t2 := s.waitTask(pid, "vp_approval")
	s.wantError(s.call("cs.super", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "cs.head"}), 403, "forbidden")
	s.wantError(s.call("vp.ops", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "cs.head"}), 403, "forbidden")  // approved the first step
	s.wantError(s.call("vp.ops", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "vp.admin"}), 403, "forbidden") // VP of other departments
	s.wantNoReassignment(t2, 3)
	// The ladder is authority: the VP's step may go to the deputy GM.
	r := s.must(http.StatusOK, s.call("vp.ops", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "deputy"}))
	if r["assignee"] != "deputy" {
		t.Fatalf("after reassignment to the deputy GM: assignee %v", r["assignee"])
	}
	s.must(http.StatusOK, s.call("deputy", "POST", "/api/v1/tasks/"+t2+"/complete", map[string]any{"outcome": "approve"}))
	s.waitProcess(pid, "completed")
	p := s.must(http.StatusOK, s.call("cs.super", "GET", "/api/v1/processes/"+pid, nil))
	if p["result"] != "approved" {
		t.Fatalf("result %v, want approved", p["result"])
	}
}

// complaintAtApproval drives a fees complaint handled by sales to the VP's
// approval with compensation amount, and returns the process and task.
func (s *stack) complaintAtApproval(body map[string]any, dept string, amount float64) (string, string) {
	s.t.Helper()
	pid := s.startComplaint("cs.agent", body)
	s.claimComplete("cs.super", s.waitTask(pid, workflows.StepTriage), "valid", map[string]any{"responsible_department": dept})
	s.claimComplete("sales.rep", s.waitTask(pid, workflows.StepInvestigation), "submit",
		map[string]any{"cause": "a price error", "responsibility": "the sales office", "remedy": "compensate", "compensation_amount": amount})
	return pid, s.waitTask(pid, workflows.StepApproval)
}

func feesComplaint() map[string]any {
	return map[string]any{"complainant": map[string]any{"name": "刘先生", "contact": "liu@example.com"},
		"channel": "letter", "category": "fees", "subject": "发票金额", "content": "按原价收费 (charged the list price)"}
}

// TestComplaintApprovalsStayWithTheirHolders: sales.head reassigned the
// VP's and the GM's approval of an ¥80,000 compensation to newhire.
func TestComplaintApprovalsStayWithTheirHolders(t *testing.T) {
	s := newStack(t)
	pid, appr := s.complaintAtApproval(feesComplaint(), "sales", 80000)
	s.wantError(s.call("sales.head", "POST", "/api/v1/tasks/"+appr+"/reassign", map[string]any{"to": "newhire"}), 403, "forbidden")
	s.wantNoReassignment(appr, 1)
	s.claimComplete("vp.ops", appr, "approve", nil)
	gmTask := s.waitTask(pid, workflows.StepGMApproval)
	s.wantError(s.call("sales.head", "POST", "/api/v1/tasks/"+gmTask+"/reassign", map[string]any{"to": "newhire"}), 403, "forbidden")
	s.wantError(s.call("gm", "POST", "/api/v1/tasks/"+gmTask+"/reassign", map[string]any{"to": "vp.ops"}), 403, "forbidden") // approved the VP step
	s.wantNoReassignment(gmTask, 2)
	s.claimComplete("gm", gmTask, "approve", nil)
	s.waitTask(pid, workflows.StepRemedy)
}

// TestMisconductAccusedIsKeptOut: a misconduct complaint names sales.head;
// he works none of its steps and reads none of it, though he heads the
// department handling it.
func TestMisconductAccusedIsKeptOut(t *testing.T) {
	s := newStack(t)
	body := map[string]any{"complainant": map[string]any{"name": "李女士", "contact": "138-0000-0000"},
		"channel": "visit", "category": "misconduct", "subject": "销售经理态度恶劣", "content": "在展厅大声呵斥",
		"course_of_events": "11月3日15时", "signature": "李", "accused": "sales.head"}

	for _, tt := range []struct {
		name, accused string
		category      string
	}{
		{"an unknown user", "nobody.here", "misconduct"},
		{"oneself", "cs.agent", "misconduct"},
		{"not misconduct", "sales.rep", "fees"},
	} {
		bad := map[string]any{}
		for k, v := range body {
			bad[k] = v
		}
		bad["accused"], bad["category"] = tt.accused, tt.category
		before := s.count(`SELECT count(*) FROM processes`)
		e := s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/complaint", bad), 400, "invalid")
		if f, _ := e["fields"].(map[string]any); f["accused"] == nil {
			t.Errorf("%s: error %v, want one for accused", tt.name, e)
		}
		if after := s.count(`SELECT count(*) FROM processes`); after != before {
			t.Errorf("%s: %d processes after a refused start, want %d", tt.name, after, before)
		}
	}

	pid := s.startComplaint("cs.agent", body)
	s.claimComplete("cs.super", s.waitTask(pid, workflows.StepTriage), "valid", map[string]any{"responsible_department": "sales"})
	inv := s.waitTask(pid, workflows.StepInvestigation)
	s.wantError(s.call("sales.head", "GET", "/api/v1/processes/"+pid, nil), 404, "not_found")
	s.wantError(s.call("sales.head", "GET", "/api/v1/tasks/"+inv, nil), 404, "not_found")
	s.wantError(s.call("sales.head", "POST", "/api/v1/tasks/"+inv+"/claim", nil), 404, "not_found")
	if slices.Contains(s.inbox("sales.head", ""), inv) {
		t.Fatal("the accused sees the investigation in his inbox")
	}
	for _, path := range []string{"/api/v1/processes", "/api/v1/complaints"} {
		page := s.must(http.StatusOK, s.call("sales.head", "GET", path, nil))
		for _, it := range page["items"].([]any) {
			row := it.(map[string]any)
			if row["id"] == pid || row["process_id"] == pid {
				t.Fatalf("%s lists the complaint to the accused: %v", path, row)
			}
		}
	}
	// Nor can anyone hand it to him: he is barred, by reassignment or delegation.
	s.wantError(s.call("vp.ops", "POST", "/api/v1/tasks/"+inv+"/reassign", map[string]any{"to": "sales.head"}), 403, "forbidden")
	s.must(http.StatusOK, s.call("hr.trainer", "POST", "/api/v1/tasks/"+inv+"/claim", nil))
	s.wantError(s.call("hr.trainer", "POST", "/api/v1/tasks/"+inv+"/delegate", map[string]any{"to": "sales.head"}), 403, "forbidden")
	// Others still read it: the GM, and the HR supervisor investigating.
	s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/processes/"+pid, nil))
	s.must(http.StatusOK, s.call("hr.trainer", "GET", "/api/v1/tasks/"+inv, nil))
	if n := s.count(`SELECT count(*) FROM processes WHERE id = $1 AND barred = '{sales.head}'`, pid); n != 1 {
		t.Fatalf("the process row does not bar the accused")
	}
	exp := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/explain?"+url.Values{
		"user": {"sales.head"}, "object": {"process:" + pid}, "action": {"read"}}.Encode(), nil))
	if exp["allowed"] != false {
		t.Fatalf("explain for the accused: %v, want denied", exp)
	}
}

// TestControlCharactersAreRefused: NUL and control characters are 400
// everywhere and change nothing; a cancel PostgreSQL cannot record never
// ends the process.
func TestControlCharactersAreRefused(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "headsets", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")
	processes := s.count(`SELECT count(*) FROM processes`)
	audit := s.count(`SELECT count(*) FROM audit`)

	for _, tt := range []struct {
		name, method, path string
		body               any
	}{
		{"NUL in a cancel reason", "POST", "/api/v1/processes/" + pid + "/cancel", map[string]any{"reason": "withdrawn\u0000"}},
		{"NUL in a title", "POST", "/api/v1/processes/approval", map[string]any{"title": "a\u0000b"}},
		{"a line break in a title", "POST", "/api/v1/processes/approval", map[string]any{"title": "a\nb"}},
		{"an escape in a comment", "POST", "/api/v1/tasks/" + t1 + "/comments", map[string]any{"body": "look \u001b[31mhere"}},
		{"NUL in form data", "POST", "/api/v1/tasks/" + t1 + "/complete", map[string]any{"outcome": "reject", "data": map[string]any{"opinion": "no\u0000"}}},
		{"NUL in a data key", "POST", "/api/v1/tasks/" + t1 + "/complete", map[string]any{"outcome": "approve", "data": map[string]any{"a\u0000": "x"}}},
		{"NUL in a task ID", "GET", "/api/v1/tasks/t-%00", nil},
		{"NUL in a process ID", "POST", "/api/v1/processes/" + pid + "%00/cancel", map[string]any{"reason": "x"}},
		{"NUL in a query", "GET", "/api/v1/tasks?q=%00", nil},
		{"a C1 control in a reassignment", "POST", "/api/v1/tasks/" + t1 + "/reassign", map[string]any{"to": "cs.head\u0085"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.wantError(s.call("cs.head", tt.method, tt.path, tt.body), 400, "invalid")
		})
	}
	if got := s.count(`SELECT count(*) FROM processes`); got != processes {
		t.Errorf("%d processes, want %d: a refused start left one behind", got, processes)
	}
	if got := s.count(`SELECT count(*) FROM audit`); got != audit {
		t.Errorf("%d audit entries, want %d: refused input changed the trail", got, audit)
	}
	// Long text keeps its line breaks and tabs.
	s.must(http.StatusCreated, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/comments", map[string]any{"body": "line one\r\n\tline two"}))
	// The process still runs, the task works, and the cancel that failed never happened.
	s.claimComplete("cs.head", t1, "approve", nil)
	s.claimComplete("vp.ops", s.waitTask(pid, "vp_approval"), "approve", nil)
	s.waitProcess(pid, "completed")
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'process_cancelled'`, pid); n != 0 {
		t.Fatalf("%d cancel entries in the timeline, want none", n)
	}
}
