package e2e

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/zhidu/zhidu/internal/accesstable"
)

// TestLeakReport: wh.clerk reports a leak of a top-secret approval through
// POST /leaks; it is one urgent task in the GM's and the deputy GM's
// inboxes at once, showing the object's level and designations; every
// demo user but the GM's office and compliance (the reporter included)
// answers 404 for the report and its task; the deputy GM records the
// remedies; bad reports change nothing.
func TestLeakReport(t *testing.T) {
	s := newStack(t)
	top := s.startApproval("gm", "绝密事项", "top_secret")
	s.must(http.StatusCreated, s.call("gm", "POST", "/api/v1/designations",
		map[string]any{"user": "fin.head", "object": "process:" + top, "reason": "经办"}))
	now := time.Now().UTC()
	for _, body := range []map[string]any{
		{"what": "", "found_at": now.Format(time.RFC3339), "how": "x"},
		{"what": "x", "found_at": "yesterday", "how": "x"},
		{"what": "x", "found_at": now.Add(time.Hour).Format(time.RFC3339), "how": "x"},
		{"what": "x", "object": "nothing", "found_at": now.Format(time.RFC3339), "how": "x"},
	} {
		s.wantError(s.call("wh.clerk", "POST", "/api/v1/leaks", body), http.StatusBadRequest, "invalid")
	}
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = 'leak'`); n != 0 {
		t.Fatalf("bad reports started %d", n)
	}
	r := s.must(http.StatusCreated, s.call("wh.clerk", "POST", "/api/v1/leaks",
		map[string]any{"what": "绝密文件复印件", "object": "process:" + top, "found_at": now.Format(time.RFC3339), "how": "复印机旁发现"}))
	id := r["id"].(string)
	if r["note"] == nil || r["what"] != nil {
		t.Errorf("the reporter's answer = %v, want a receipt", r)
	}
	task := s.waitTask(id, "leak_handling")
	readers := []string{"gm", "deputy", "bmo.auditor"}
	for _, u := range accesstable.Users() {
		want := http.StatusNotFound
		if slices.Contains(readers, u) {
			want = http.StatusOK
		}
		if got := s.call(u, "GET", "/api/v1/processes/"+id, nil).Status; got != want {
			t.Errorf("%s reads the report: %d, want %d", u, got, want)
		}
		if got := s.call(u, "GET", "/api/v1/tasks/"+task, nil).Status; got != want {
			t.Errorf("%s reads the report's task: %d, want %d", u, got, want)
		}
		inInbox := slices.Contains(s.inbox(u, ""), task)
		if want := u == "gm" || u == "deputy"; inInbox != want {
			t.Errorf("%s has the task in the inbox: %v, want %v", u, inInbox, want)
		}
	}
	got := s.must(http.StatusOK, s.call("deputy", "GET", "/api/v1/tasks/"+task, nil))
	ctx, _ := got["context"].(map[string]any)
	if got["priority"] != float64(4) || ctx["object_level"] != "top_secret" || !slices.Equal(anyStrings(ctx["object_designated"]), []string{"fin.head"}) {
		t.Errorf("the handler's task = priority %v context %v", got["priority"], ctx)
	}
	s.work("deputy", task, "remedied", map[string]any{"remedies": []any{"recall", "investigate"}, "notes": "已收回复印件"})
	s.waitProcess(id, "completed")
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND outcome = 'remedied'`, id); n != 1 {
		t.Errorf("%d remedy entries in the timeline", n)
	}
}

func anyStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, it := range list {
		s, _ := it.(string)
		out = append(out, s)
	}
	return out
}
