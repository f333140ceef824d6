package e2e

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestSubstitution: out-of-office substitution through the API. Before
// the window the substitute (sales.head, of another department) cannot
// see the absent user's (cs.head's) task; during it they see it, claim it
// for cs.head and complete it, recorded as "sales.head for cs.head"; a
// secret task stays out of their reach; their own substitute gets nothing
// of it (no cascade); a cycle and an overlap are refused; after the window
// ends (DELETE) access ends with it. Bad input changes nothing.
func TestSubstitution(t *testing.T) {
	s := newStack(t)
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	window := func(sub string, from, to time.Duration) map[string]any {
		return map[string]any{"substitute": sub, "from": at(from), "to": at(to)}
	}
	pid := s.startApproval("cs.agent", "代理 substitution", "internal")
	task := s.waitTask(pid, "dept_head_approval")
	s.wantError(s.call("sales.head", "GET", "/api/v1/tasks/"+task, nil), http.StatusNotFound, "not_found") // before

	// Bad input: a 400 each, nothing recorded.
	for name, body := range map[string]map[string]any{
		"oneself":          window("cs.head", -time.Minute, time.Hour),
		"unknown":          window("nobody.here", -time.Minute, time.Hour),
		"end before start": window("sales.head", time.Hour, time.Minute),
		"over":             window("sales.head", -2*time.Hour, -time.Hour),
		"unknown scope":    {"substitute": "sales.head", "from": at(0), "to": at(time.Hour), "scope": map[string]any{"departments": []string{"nowhere"}}},
		"unknown field":    {"substitute": "sales.head", "from": at(0), "to": at(time.Hour), "assignee": "gm"},
	} {
		r := s.call("cs.head", "PUT", "/api/v1/me/substitute", body)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, r.Status, r.Body)
		}
	}
	if n := s.count(`SELECT count(*) FROM substitutions`); n != 0 {
		t.Fatalf("%d windows recorded by refused requests", n)
	}

	w := s.must(http.StatusOK, s.call("cs.head", "PUT", "/api/v1/me/substitute", window("sales.head", -time.Minute, time.Hour)))
	if w["substitute"] != "sales.head" {
		t.Fatalf("window: %v", w)
	}
	s.one("substitute.set audit", `SELECT count(*) FROM audit WHERE action = 'substitute.set' AND object = 'user:cs.head'`)
	s.wantError(s.call("cs.head", "PUT", "/api/v1/me/substitute", window("cs.super", 0, 2*time.Hour)), http.StatusConflict, "conflict") // overlap
	s.wantError(s.call("sales.head", "PUT", "/api/v1/me/substitute", window("cs.head", 0, time.Hour)), http.StatusConflict, "conflict") // cycle
	mine := s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/me/substitute", nil))
	if c, _ := mine["covering"].([]any); len(c) != 1 {
		t.Fatalf("sales.head covers: %v", mine)
	}

	// During the window: sales.head sees, claims for cs.head and completes.
	got := s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/tasks/"+task, nil))
	if perms, _ := got["permissions"].(map[string]any); perms["complete"] != true {
		t.Fatalf("the substitute may not work the task: %v", got["permissions"])
	}
	c := s.must(http.StatusOK, s.call("sales.head", "POST", "/api/v1/tasks/"+task+"/claim", nil))
	if c["assignee"] != "cs.head" {
		t.Fatalf("claimed for the absent user: %v", c)
	}
	s.one("claimed by sales.head for cs.head", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_claimed'
        AND actor = 'sales.head' AND on_behalf_of = 'cs.head'`, task)
	done := s.must(http.StatusOK, s.call("sales.head", "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"outcome": "approve"}))
	if done["completed_by"] != "sales.head" || done["on_behalf_of"] != "cs.head" {
		t.Fatalf("completed: %v", done)
	}
	s.one("task.complete by sales.head", `SELECT count(*) FROM audit WHERE action = 'task.complete' AND decision = 'allowed' AND object = $1 AND actor = 'sales.head'`, "task:"+task)

	// A secret task: beyond the substitute's own need-to-know.
	secret := s.startApproval("cs.super", "机密代理 secret", "secret")
	st := s.waitTask(secret, "dept_head_approval")
	s.wantError(s.call("sales.head", "GET", "/api/v1/tasks/"+st, nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.head", "POST", "/api/v1/tasks/"+st+"/claim", nil), http.StatusNotFound, "not_found")

	// The absent user's inbox, as the substitute may see it.
	waiting := s.waitTask(s.startApproval("cs.agent", "等待代理 waiting", "internal"), "dept_head_approval")
	inbox := s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/tasks?for=cs.head&scope=claimable", nil))
	var listed []string
	for _, it := range inbox["items"].([]any) {
		row := it.(map[string]any)
		if row["for_user"] != "cs.head" {
			t.Fatalf("row without for_user: %v", row)
		}
		listed = append(listed, row["id"].(string))
	}
	if slices.Contains(listed, st) || !slices.Contains(listed, waiting) {
		t.Fatalf("listed to the substitute: %v; want %s and not the secret %s", listed, waiting, st)
	}
	if int(inbox["total"].(float64)) != len(listed) {
		t.Fatalf("total %v counts more than is shown (%d)", inbox["total"], len(listed))
	}
	s.wantError(s.call("sales.head", "GET", "/api/v1/tasks?for=cs.super", nil), http.StatusNotFound, "not_found")

	// No cascade: sales.head's own substitute (sales.rep) gets nothing of cs.head's.
	s.must(http.StatusOK, s.call("sales.head", "PUT", "/api/v1/me/substitute", window("sales.rep", -time.Minute, time.Hour)))
	other := s.waitTask(s.startApproval("cs.agent", "不传递 no cascade", "internal"), "dept_head_approval")
	s.wantError(s.call("sales.rep", "GET", "/api/v1/tasks/"+other, nil), http.StatusNotFound, "not_found")
	s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/tasks/"+other, nil))

	// Separation of duties for the substitute: cs.agent requested it.
	s.must(http.StatusOK, s.call("cs.head", "PUT", "/api/v1/me/substitute",
		map[string]any{"substitute": "cs.agent", "from": at(-time.Minute), "to": at(time.Hour), "replace": true}))
	s.wantError(s.call("cs.agent", "POST", "/api/v1/tasks/"+other+"/claim", nil), http.StatusForbidden, "forbidden")
	// The secret task cs.agent may not read goes to cs.head's superior
	// instead of waiting for someone away; the internal ones stay.
	s.waitFor("the secret task escalated", func() bool {
		return s.count(`SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_escalated'`, st) == 1
	})
	if n := s.count(`SELECT count(*) FROM timeline WHERE task_id = ANY($1) AND action = 'task_escalated'`, []string{other, waiting}); n != 0 {
		t.Fatalf("%d internal tasks escalated", n)
	}
	s.must(http.StatusOK, s.call("cs.head", "PUT", "/api/v1/me/substitute",
		map[string]any{"substitute": "cs.agent", "from": at(-time.Minute), "to": at(time.Hour), "replace": true}))
	time.Sleep(300 * time.Millisecond)
	s.one("escalated once for the absence", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_escalated'`, st)
	s.wantError(s.call("sales.head", "GET", "/api/v1/tasks/"+other, nil), http.StatusNotFound, "not_found") // replaced

	// A department head names the substitute of someone in their department; nobody else.
	byHead := s.must(http.StatusOK, s.call("cs.head", "PUT", "/api/v1/users/cs.super/substitute", window("cs.agent", time.Hour, 2*time.Hour)))
	if byHead["substitute"] != "cs.agent" {
		t.Fatalf("set by the head: %v", byHead)
	}
	s.wantError(s.call("sales.head", "PUT", "/api/v1/users/cs.super/substitute", window("sales.rep", time.Hour, 2*time.Hour)), http.StatusForbidden, "forbidden")
	s.wantError(s.call("cs.agent", "PUT", "/api/v1/users/cs.super/substitute", window("sales.rep", time.Hour, 2*time.Hour)), http.StatusForbidden, "forbidden")
	s.one("the refused set is audited", `SELECT count(*) FROM audit WHERE action = 'substitute.set' AND decision = 'denied' AND actor = 'sales.head'`)

	// Ended: access ends with it.
	if r := s.call("cs.head", "DELETE", "/api/v1/me/substitute", nil); r.Status != http.StatusNoContent {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	if away := s.must(http.StatusOK, s.call("cs.head", "GET", "/api/v1/me/substitute", nil))["away"].([]any); len(away) != 0 {
		t.Fatalf("windows after the end: %v", away)
	}
	if c := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/me/substitute", nil))["covering"].([]any); len(c) != 1 ||
		c[0].(map[string]any)["absent"].(map[string]any)["username"] != "cs.super" {
		t.Fatalf("cs.agent still covers cs.head, or no longer cs.super: %v", c)
	}
	s.wantError(s.call("cs.head", "DELETE", "/api/v1/me/substitute", nil), http.StatusNotFound, "not_found")
	s.one("substitute.end audit", `SELECT count(*) FROM audit WHERE action = 'substitute.end' AND object = 'user:cs.head'`)
}
