package e2e

import (
	"net/http"
	"testing"
)

// TestFirstTaskOnStart: a start answers with the process's first task
// when the starter may work it (read-your-writes: the task row is there
// and can be claimed at once), and without one when the first step is
// someone else's.
func TestFirstTaskOnStart(t *testing.T) {
	s := newStack(t)
	p := s.must(http.StatusCreated, s.call("cs.super", "POST", "/api/v1/processes/complaint", productComplaint(),
		"Idempotency-Key", s.key("first")))
	ft, ok := p["first_task"].(map[string]any)
	if !ok {
		t.Fatalf("no first_task for a complaint its supervisor registered: %v", p)
	}
	perms, _ := ft["permissions"].(map[string]any)
	if ft["step"] != "triage" || ft["state"] != "open" || ft["process_id"] != p["id"] || perms["complete"] != true {
		t.Fatalf("first_task: %v", ft)
	}
	id := ft["id"].(string)
	s.one("the first task's row", `SELECT count(*) FROM tasks WHERE id = $1 AND process_id = $2 AND state = 'open'`, id, p["id"])
	if c := s.must(http.StatusOK, s.call("cs.super", "POST", "/api/v1/tasks/"+id+"/claim", nil)); c["assignee"] != "cs.super" {
		t.Fatalf("claim the first task: %v", c)
	}

	p = s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/complaint", productComplaint()))
	if _, ok := p["first_task"]; ok {
		t.Fatalf("first_task for an agent, whose complaint a supervisor triages: %v", p["first_task"])
	}
	if tasks, _ := p["tasks"].([]any); len(tasks) != 1 {
		t.Fatalf("the process answered before its first task was written: %v", p["tasks"])
	}
	p = s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/approval",
		map[string]any{"title": "首个任务 first task", "level": "internal"}))
	if _, ok := p["first_task"]; ok {
		t.Fatalf("first_task for an approval the department head approves: %v", p["first_task"])
	}
}
