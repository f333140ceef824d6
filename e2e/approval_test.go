package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestApprovalEndToEnd follows an approval from start to finish: the task
// reaches the right inboxes only, exactly one of many simultaneous claims
// wins, completion moves the process on, and the rows, timeline and audit
// trail say who did what.
func TestApprovalEndToEnd(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "买打印机 printer", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")

	for _, tc := range []struct {
		user string
		want bool
	}{
		{"cs.head", true}, {"cs.agent", false}, {"cs.super", false}, {"vp.ops", false},
		{"quality.head", false}, {"gm", false}, {"sales.head", false}, {"sysadmin", false}, {"secadmin", false}, {"secaudit", false},
	} {
		if got := slices.Contains(s.inbox(tc.user, ""), t1); got != tc.want {
			t.Errorf("task in %s's inbox = %v, want %v", tc.user, got, tc.want)
		}
		// Narrowed to the process, the inbox holds that task or nothing.
		want := []string(nil)
		if tc.want {
			want = []string{t1}
		}
		if got := s.inbox(tc.user, "?process="+pid); !slices.Equal(got, want) {
			t.Errorf("%s's inbox narrowed to the process = %v, want %v", tc.user, got, want)
		}
	}

	// Of 50 simultaneous claims exactly one wins.
	var wg sync.WaitGroup
	statuses := make([]int, 50)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil).Status
		}()
	}
	wg.Wait()
	won, lost := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusOK:
			won++
		case http.StatusConflict:
			lost++
		default:
			t.Errorf("claim status %d", st)
		}
	}
	if won != 1 || lost != 49 {
		t.Fatalf("claims: %d won, %d got 409; want 1 and 49", won, lost)
	}
	done := s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/complete",
		map[string]any{"outcome": "approve", "data": map[string]any{"opinion": "同意"}, "comment": "fine"}))
	s.sameAsRead("cs.head", t1, done)
	if done["state"] != "completed" || done["outcome"] != "approve" || done["completed_by"] != "cs.head" {
		t.Fatalf("completed task = %v", done)
	}

	t2 := s.waitTask(pid, "vp_approval")
	if !slices.Contains(s.inbox("vp.ops", ""), t2) || slices.Contains(s.inbox("vp.admin", ""), t2) {
		t.Fatalf("vp task should be in vp.ops's inbox only")
	}
	s.work("vp.ops", t2, "approve", nil)
	s.waitProcess(pid, "completed")

	p := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/processes/"+pid, nil))
	if p["state"] != "completed" || p["result"] != "approved" || p["started_by"] != "cs.agent" || p["level"] != "internal" {
		t.Fatalf("process = %v", p)
	}
	if n := len(p["tasks"].([]any)); n != 2 {
		t.Fatalf("process has %d tasks, want 2", n)
	}
	var actions []string
	for _, e := range p["timeline"].([]any) {
		ev := e.(map[string]any)
		actions = append(actions, ev["actor"].(string)+":"+ev["action"].(string))
	}
	want := []string{"system:task_created", "cs.head:task_claimed", "cs.head:task_completed",
		"system:task_created", "vp.ops:task_claimed", "vp.ops:task_completed", "system:process_completed"}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Fatalf("timeline = %v\nwant       %v", actions, want)
	}
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1 AND state = 'completed'`, pid); n != 2 {
		t.Fatalf("completed task rows = %d, want 2", n)
	}
	var outcome, by, data string
	if err := s.pool.QueryRow(context.Background(), `SELECT outcome, completed_by, data->>'opinion' FROM tasks WHERE id = $1`, t1).
		Scan(&outcome, &by, &data); err != nil || outcome != "approve" || by != "cs.head" || data != "同意" {
		t.Fatalf("task row = %q %q %q (%v)", outcome, by, data, err)
	}
	for _, a := range []string{"process.start", "task.claim", "task.complete"} {
		if n := s.count(`SELECT count(*) FROM audit WHERE action = $1 AND decision = 'allowed'`, a); n == 0 {
			t.Errorf("no %s audit entry", a)
		}
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'task.complete' AND actor = 'vp.ops' AND object = $1`, "task:"+t2); n != 1 {
		t.Errorf("audit entries for vp.ops completing %s = %d, want 1", t2, n)
	}
	// Finished tasks leave the default inbox but stay in "completed by me".
	if slices.Contains(s.inbox("cs.head", ""), t1) || !slices.Contains(s.inbox("cs.head", "?scope=completed"), t1) {
		t.Fatalf("completed task should move to cs.head's completed scope")
	}
}

func TestApprovalRejected(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("sales.rep", "new laptop", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")
	s.work("sales.head", t1, "reject", map[string]any{"opinion": "not this quarter"})
	s.waitProcess(pid, "completed")
	p := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes/"+pid, nil))
	if p["result"] != "rejected" {
		t.Fatalf("result = %v, want rejected", p["result"])
	}
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1`, pid); n != 1 {
		t.Fatalf("tasks = %d, want 1 (no VP step after a rejection)", n)
	}
}

// TestIdempotentStart: a start retried with the same Idempotency-Key
// returns the same process and starts nothing new: the first answer
// replayed while it is kept, and once it is not (past the retention) the
// process the key's ID finds, 200.
func TestIdempotentStart(t *testing.T) {
	s := newStack(t)
	body := map[string]any{"title": "chairs", "level": "internal"}
	key := s.key("chairs")
	first := s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/approval", body, "Idempotency-Key", key))
	again := s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/approval", body, "Idempotency-Key", key))
	if first["id"] != again["id"] {
		t.Fatalf("retried start gave %v, want %v", again["id"], first["id"])
	}
	if _, err := s.pool.Exec(context.Background(), `DELETE FROM idempotency_keys`); err != nil {
		t.Fatal(err)
	}
	again = s.must(http.StatusOK, s.call("cs.agent", "POST", "/api/v1/processes/approval", body, "Idempotency-Key", key))
	if first["id"] != again["id"] {
		t.Fatalf("start retried past the retention gave %v, want %v", again["id"], first["id"])
	}
	other := s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/approval", body, "Idempotency-Key", s.key("desks")))
	if other["id"] == first["id"] {
		t.Fatal("a different key must start a different process")
	}
	// The same key from another user is another request.
	theirs := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/processes/approval", body, "Idempotency-Key", key))
	if theirs["id"] == first["id"] {
		t.Fatal("keys are per user")
	}
	// The same key with a different request is refused, not answered with the first process.
	s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"title": "tables", "level": "internal"},
		"Idempotency-Key", key), 409, "conflict")
	if n := s.count(`SELECT count(*) FROM processes`); n != 3 {
		t.Fatalf("processes = %d, want 3", n)
	}
	s.waitTask(first["id"].(string), "dept_head_approval")
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1`, first["id"]); n != 1 {
		t.Fatalf("tasks of the retried process = %d, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'process.start'`); n != 3 {
		t.Fatalf("process.start audit entries = %d, want one per process", n)
	}
}

// TestWorkerRestart: a worker stopped mid-process and restarted finishes
// the process, with no duplicate task.
func TestWorkerRestart(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "restart", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")
	s.work("cs.head", t1, "approve", nil)
	s.stopWorker()
	s.startWorker()
	t2 := s.waitTask(pid, "vp_approval")
	s.stopWorker()
	s.startWorker()
	s.work("vp.ops", t2, "approve", nil)
	s.waitProcess(pid, "completed")
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1`, pid); n != 2 {
		t.Fatalf("tasks = %d, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'task_created'`, pid); n != 2 {
		t.Fatalf("task_created entries = %d, want 2", n)
	}
}

func TestCancel(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "to cancel", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")

	s.wantError(s.call("cs.super", "POST", "/api/v1/processes/"+pid+"/cancel", map[string]any{"reason": "no"}), 403, "forbidden")
	s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/"+pid+"/cancel", map[string]any{}), 400, "invalid")
	s.wantError(s.call("quality.eng", "POST", "/api/v1/processes/"+pid+"/cancel", map[string]any{"reason": "x"}), 404, "not_found")

	p := s.must(http.StatusOK, s.call("cs.agent", "POST", "/api/v1/processes/"+pid+"/cancel", map[string]any{"reason": "bought one already"}))
	if p["state"] != "cancelled" {
		t.Fatalf("state = %v", p["state"])
	}
	var state string
	if err := s.pool.QueryRow(context.Background(), `SELECT state FROM tasks WHERE id = $1`, t1).Scan(&state); err != nil || state != "cancelled" {
		t.Fatalf("task state = %q (%v), want cancelled", state, err)
	}
	if slices.Contains(s.inbox("cs.head", ""), t1) {
		t.Fatal("a cancelled task stays out of the inbox")
	}
	s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/"+pid+"/cancel", map[string]any{"reason": "again"}), 409, "conflict")
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil), 409, "conflict")
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'process.cancel' AND decision = 'denied' AND actor = 'cs.super'`); n != 1 {
		t.Fatalf("denied cancel audit entries = %d, want 1", n)
	}
	// A manager of the department may cancel another's process.
	pid2 := s.startApproval("cs.agent", "manager cancels", "internal")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/processes/"+pid2+"/cancel", map[string]any{"reason": "duplicate"}))
}

// TestDelegateAndReassign: the owner delegates and stays accountable;
// a manager reassigns.
func TestDelegateAndReassign(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "delegation", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")
	c := s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil))
	s.sameAsRead("cs.head", t1, c)
	if perms, _ := c["permissions"].(map[string]any); c["state"] != "claimed" || c["assignee"] != "cs.head" || perms["complete"] != true {
		t.Fatalf("after a claim: state=%v assignee=%v permissions=%v", c["state"], c["assignee"], c["permissions"])
	}
	// Unclaim puts it back in the pool, leaving a timeline and an audit entry.
	s.wantError(s.call("cs.super", "POST", "/api/v1/tasks/"+t1+"/unclaim", nil), 409, "conflict") // not theirs
	u := s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/unclaim", nil))
	if u["state"] != "open" || u["assignee"] != nil {
		t.Fatalf("after unclaim: state=%v assignee=%v", u["state"], u["assignee"])
	}
	if !slices.Contains(s.inbox("cs.head", "?scope=claimable"), t1) {
		t.Fatal("an unclaimed task is claimable again")
	}
	if s.count(`SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_unclaimed'`, t1) != 1 ||
		s.count(`SELECT count(*) FROM audit WHERE object = 'task:' || $1 AND action = 'task.unclaim' AND actor = 'cs.head'`, t1) != 1 {
		t.Fatal("the unclaim left no timeline or audit entry")
	}
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil))

	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/delegate", map[string]any{"to": "cs.agent"}), 403, "forbidden") // the requester
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/delegate", map[string]any{"to": "nobody"}), 400, "invalid")
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/delegate", map[string]any{}), 400, "invalid")
	s.wantError(s.call("cs.super", "POST", "/api/v1/tasks/"+t1+"/delegate", map[string]any{"to": "cs.super"}), 403, "forbidden")

	d := s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/delegate", map[string]any{"to": "cs.super", "note": "please handle"}))
	if d["assignee"] != "cs.head" || d["delegate"] != "cs.super" {
		t.Fatalf("after delegation assignee=%v delegate=%v", d["assignee"], d["delegate"])
	}
	if !slices.Contains(s.inbox("cs.super", "?scope=mine"), t1) {
		t.Fatal("the delegate should see the task as theirs")
	}
	done := s.must(http.StatusOK, s.call("cs.super", "POST", "/api/v1/tasks/"+t1+"/complete",
		map[string]any{"outcome": "approve", "comment": "for the head", "data": map[string]any{"opinion": "同意，代为审批"}}))
	if done["completed_by"] != "cs.super" || done["on_behalf_of"] != "cs.head" {
		t.Fatalf("completed_by=%v on_behalf_of=%v", done["completed_by"], done["on_behalf_of"])
	}
	// Claim and complete answer without reading the task again: what they
	// answer is what a read finds.
	s.sameAsRead("cs.super", t1, done)

	// Reassign: only managers of the task's department.
	t2 := s.waitTask(pid, "vp_approval")
	s.wantError(s.call("cs.agent", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "vp.admin"}), 403, "forbidden") // sees it as the starter
	s.wantError(s.call("fin.head", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "vp.admin"}), 404, "not_found")
	s.wantError(s.call("bmo.auditor", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "vp.admin"}), 403, "forbidden")
	s.wantError(s.call("gm", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "cs.agent"}), 403, "forbidden") // the requester
	s.wantError(s.call("gm", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "vp.admin"}), 403, "forbidden") // not in charge of cs
	r := s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "deputy"}))
	if r["assignee"] != "deputy" || r["state"] != "claimed" {
		t.Fatalf("after reassignment assignee=%v state=%v", r["assignee"], r["state"])
	}
	s.must(http.StatusOK, s.call("deputy", "POST", "/api/v1/tasks/"+t2+"/complete", map[string]any{"outcome": "approve"}))
	s.waitProcess(pid, "completed")
	var actions []string
	rows, err := s.pool.Query(context.Background(), `SELECT action FROM timeline WHERE process_id = $1 ORDER BY at, id`, pid)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	for _, a := range []string{"task_delegated", "task_reassigned"} {
		if !slices.Contains(actions, a) {
			t.Errorf("timeline %v lacks %s", actions, a)
		}
	}
}

// sameAsRead fails unless answer, the task as an action answered with it,
// is what user reads at GET /tasks/ID now.
func (s *stack) sameAsRead(user, taskID string, answer map[string]any) {
	s.t.Helper()
	read := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/tasks/"+taskID, nil))
	a, _ := json.Marshal(answer)
	r, _ := json.Marshal(read)
	if string(a) != string(r) {
		s.t.Fatalf("the answer differs from a read:\nanswer %s\nread   %s", a, r)
	}
}
