package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/api"
)

// bulkResults posts a bulk call and returns "status code" per task, in
// order ("200", "409 conflict").
func (s *stack) bulk(user string, body map[string]any, headers ...string) ([]string, response) {
	s.t.Helper()
	r := s.call(user, "POST", "/api/v1/tasks/bulk", body, headers...)
	if r.Status != http.StatusOK {
		s.t.Fatalf("bulk %v: status %d: %s", body["action"], r.Status, r.Body)
	}
	var out struct {
		Action  string `json:"action"`
		Results []struct {
			Task   string `json:"task"`
			Status int    `json:"status"`
			Error  *struct {
				Code string `json:"code"`
			} `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		s.t.Fatal(err)
	}
	tasks := body["tasks"].([]string)
	if len(out.Results) != len(tasks) || out.Action != body["action"] {
		s.t.Fatalf("bulk answered %s for %v", r.Body, tasks)
	}
	var got []string
	for i, res := range out.Results {
		if res.Task != tasks[i] {
			s.t.Fatalf("result %d is for %s, want %s (request order)", i, res.Task, tasks[i])
		}
		g := fmt.Sprint(res.Status)
		if res.Error != nil {
			g += " " + res.Error.Code
		}
		got = append(got, g)
	}
	return got, r
}

func (s *stack) wantBulk(got []string, want ...string) {
	s.t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		s.t.Fatalf("bulk results %v, want %v", got, want)
	}
}

// TestBulkTasks runs each bulk action on a mix of tasks: each result is
// what the single-task call answers, a task the caller may not see is
// not_found, each success leaves its own timeline and audit entries, a
// replay under the Idempotency-Key runs nothing again, and bad input is
// a 400 that changes nothing.
func TestBulkTasks(t *testing.T) {
	s := newStack(t)
	a := s.startApproval("cs.agent", "bulk a", "internal")
	b := s.startApproval("cs.agent", "bulk b", "internal")
	c := s.startApproval("cs.agent", "bulk c", "internal")
	f := s.startApproval("sales.rep", "bulk hidden", "internal")
	t1, t2, t3 := s.waitTask(a, "dept_head_approval"), s.waitTask(b, "dept_head_approval"), s.waitTask(c, "dept_head_approval")
	tf := s.waitTask(f, "dept_head_approval")
	s.wantError(s.call("cs.head", "GET", "/api/v1/tasks/"+tf, nil), 404, "not_found")
	single := s.call("cs.head", "POST", "/api/v1/tasks/"+t2+"/claim", nil)
	s.must(http.StatusOK, single)
	again := s.call("cs.head", "POST", "/api/v1/tasks/"+t2+"/claim", nil) // what the single call says now

	timeline := func(task, action string) int {
		return s.count(`SELECT count(*) FROM timeline WHERE task_id = $1 AND action = $2`, task, action)
	}
	audit := func(task, action string) int {
		return s.count(`SELECT count(*) FROM audit WHERE object = 'task:' || $1 AND action = $2 AND actor = 'cs.head'`, task, action)
	}

	// Bad input: 400, nothing claimed.
	long := make([]string, 101)
	for i := range long {
		long[i] = fmt.Sprintf("t%d", i)
	}
	for _, body := range []map[string]any{
		{"action": "claim", "tasks": long},
		{"action": "claim", "tasks": []string{t1, t1}},
		{"action": "claim", "tasks": []string{}},
		{"action": "claim"},
		{"action": "approve", "tasks": []string{t1}},
		{"tasks": []string{t1}},
		{"action": "complete", "tasks": []string{t1}},
		{"action": "reassign", "tasks": []string{t1}},
		{"action": "claim", "tasks": []string{t1 + "/unclaim"}},
		{"action": "claim", "tasks": []string{t1}, "extra": true},
		{"action": "claim", "tasks": []string{"a\x00b"}},
	} {
		s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/bulk", body), 400, "invalid")
	}
	if timeline(t1, "task_claimed") != 0 {
		t.Fatal("a refused bulk call claimed a task")
	}

	// Claim: one succeeds, one is already claimed, one hidden, one missing.
	claim := map[string]any{"action": "claim", "tasks": []string{t1, t2, tf, "no-such-task"}}
	got, first := s.bulk("cs.head", claim, "Idempotency-Key", s.key("bulk-claim"))
	s.wantBulk(got, "200", fmt.Sprintf("%d %s", again.Status, again.JSON(t)["error"].(map[string]any)["code"]), "404 not_found", "404 not_found")
	if again.Status != 409 {
		t.Fatalf("claiming a claimed task answered %d", again.Status)
	}
	got, replay := s.bulk("cs.head", claim, "Idempotency-Key", s.key("bulk-claim"))
	if string(replay.Body) != string(first.Body) || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the replay answered %s (replayed %q), first %s", replay.Body, replay.Header.Get("Idempotent-Replayed"), first.Body)
	}
	if timeline(t1, "task_claimed") != 1 || audit(t1, "task.claim") != 1 || timeline(tf, "task_claimed") != 0 {
		t.Fatalf("claims: timeline %d audit %d (hidden %d), want 1 1 0", timeline(t1, "task_claimed"), audit(t1, "task.claim"), timeline(tf, "task_claimed"))
	}

	// Unclaim: t1 is mine, t3 is open, tf hidden.
	got, _ = s.bulk("cs.head", map[string]any{"action": "unclaim", "tasks": []string{t1, t3, tf}})
	one := s.call("cs.head", "POST", "/api/v1/tasks/"+t3+"/unclaim", nil)
	s.wantBulk(got, "200", fmt.Sprintf("%d %s", one.Status, one.JSON(t)["error"].(map[string]any)["code"]), "404 not_found")
	if timeline(t1, "task_unclaimed") != 1 || audit(t1, "task.unclaim") != 1 {
		t.Fatal("the bulk unclaim left no timeline or audit entry")
	}

	// Complete: t1 claimed again and t2 claimed; t3 open (claim first).
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil))
	got, _ = s.bulk("cs.head", map[string]any{"action": "complete", "tasks": []string{t1, t3, t2, tf},
		"outcome": "approve", "data": map[string]any{"opinion": "同意"}})
	s.wantBulk(got, "200", "409 conflict", "200", "404 not_found")
	for _, task := range []string{t1, t2} {
		if timeline(task, "task_completed") != 1 {
			t.Fatalf("task %s: %d task_completed entries", task, timeline(task, "task_completed"))
		}
	}
	v1, v2 := s.waitTask(a, "vp_approval"), s.waitTask(b, "vp_approval")

	// Reassign: gm may move the vp tasks; the requester may not receive
	// them (403 from the single call's own rule); a hidden one is 404.
	got, _ = s.bulk("gm", map[string]any{"action": "reassign", "to": "deputy", "tasks": []string{v1, v2}})
	s.wantBulk(got, "200", "200")
	got, _ = s.bulk("gm", map[string]any{"action": "reassign", "to": "cs.agent", "tasks": []string{v1, "no-such-task"}})
	s.wantBulk(got, "403 forbidden", "404 not_found")
	for _, task := range []string{v1, v2} {
		if s.count(`SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_reassigned'`, task) != 1 ||
			s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND assignee = 'deputy'`, task) != 1 {
			t.Fatalf("task %s was not reassigned to deputy once", task)
		}
	}
}

// TestBulkTasksRateLimit: a bulk call is one call for the per-user rate
// limit, however many tasks it names.
func TestBulkTasksRateLimit(t *testing.T) {
	s := newStackWith(t, func(c *api.Config) { c.RatePerUser = api.Rate{N: 3, Per: time.Hour} })
	var tasks []string
	for i := range 3 {
		tasks = append(tasks, s.waitTask(s.startApproval("cs.agent", fmt.Sprintf("limit %d", i), "internal"), "dept_head_approval"))
	}
	got, _ := s.bulk("cs.head", map[string]any{"action": "claim", "tasks": tasks})
	s.wantBulk(got, "200", "200", "200")
	got, _ = s.bulk("cs.head", map[string]any{"action": "unclaim", "tasks": tasks})
	s.wantBulk(got, "200", "200", "200")
	got, _ = s.bulk("cs.head", map[string]any{"action": "claim", "tasks": tasks})
	s.wantBulk(got, "200", "200", "200")
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/bulk", map[string]any{"action": "unclaim", "tasks": tasks}), 429, "too_many_requests")
}
