package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// TestNamedReadersOverHTTP: a process started with named readers (as
// the API's start stores them, store.PutProcess) answers 200 to the named
// reader cleared for its level and 404 to the one who is not and to a
// peer; the named reader reads its task but may not comment; explain and
// who-can say "named reader"; once SetProcessMembers removes them, 404.
func TestNamedReadersOverHTTP(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const id = "probation-e2e"
	readers, members := []zhidu.Department{zhidu.DeptHR}, []string{"sales.head", "sales.rep"}
	if _, err := s.store.PutProcess(ctx, store.Process{ID: id, Kind: "probation", Title: "试用期 newhire", Level: zhidu.Secret,
		Department: "hr", StartedBy: "hr.head", StartedAt: at, Input: map[string]any{"employee": "newhire", "mentor": "sales.head"},
		Readers: readers, Members: members}, "run-"+id,
		store.AuditEntry{Actor: "hr.head", Action: "process.start", Object: "process:" + id, Decision: "allowed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.CreateTask(ctx, zhidu.CreateTaskInput{TaskID: "t-" + id, CreatedAt: at,
		Process: zhidu.ProcessInfo{ID: id, RunID: "run-" + id, Kind: "probation", Level: zhidu.Secret, Department: zhidu.DeptHR,
			StartedBy: "hr.head", Readers: readers, Members: members},
		Spec: zhidu.TaskSpec{StepKey: "induction", Step: "induction", Title: zhidu.Text{Zh: "入职培训", En: "Induction"},
			Department: zhidu.DeptHR, Level: zhidu.Secret, Priority: zhidu.PriorityNormal,
			Candidates: []zhidu.Candidate{{User: "hr.trainer"}}, Form: zhidu.Form{Outcomes: []string{"done"}}}}); err != nil {
		t.Fatal(err)
	}
	path, taskPath := "/api/v1/processes/"+id, "/api/v1/tasks/t-"+id

	p := s.must(http.StatusOK, s.call("sales.head", "GET", path, nil))
	if got := strs(p["members"]); !slices.Equal(got, members) {
		t.Errorf("members = %v, want %v", got, members)
	}
	if perms := p["permissions"].(map[string]any); perms["write"] != false || perms["cancel"] != false {
		t.Errorf("a named reader's permissions = %v, want read only", perms)
	}
	if tasks := p["tasks"].([]any); len(tasks) != 1 {
		t.Errorf("a named reader sees %d tasks, want 1", len(tasks))
	}
	s.must(http.StatusOK, s.call("sales.head", "GET", taskPath, nil))
	s.wantError(s.call("sales.head", "POST", taskPath+"/comments", map[string]any{"body": "看过了"}), 403, "forbidden")
	s.must(http.StatusOK, s.call("hr.head", "GET", path, nil))
	// Named but cleared internal; peers in sales; the VP of sales; others.
	for _, u := range []string{"sales.rep", "newhire", "vp.ops", "mkt.head", "bmo.auditor"} {
		s.wantError(s.call(u, "GET", path, nil), 404, "not_found")
		s.wantError(s.call(u, "GET", taskPath, nil), 404, "not_found")
		if slices.Contains(ids(s.must(http.StatusOK, s.call(u, "GET", "/api/v1/processes?limit=200", nil))), id) {
			t.Errorf("%s lists the file", u)
		}
	}
	if !slices.Contains(ids(s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/processes?limit=200", nil))), id) {
		t.Error("the named reader's list lacks the file")
	}

	e := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/explain?user=sales.head&action=read&object=process:"+id, nil))
	if e["allowed"] != true || !strings.Contains(strings.Join(strs(e["reasons"]), " "), "named reader") {
		t.Errorf("explain sales.head = %v", e)
	}
	e = s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/explain?user=sales.rep&action=read&object=process:"+id, nil))
	if e["allowed"] != false || !strings.Contains(strings.Join(strs(e["reasons"]), " "), "below the level") {
		t.Errorf("explain sales.rep = %v", e)
	}
	w := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/who-can?action=read&object=process:"+id, nil))
	var who []string
	for _, it := range w["users"].([]any) {
		pm := it.(map[string]any)
		who = append(who, pm["username"].(string))
		if pm["username"] == "sales.head" && !strings.Contains(strings.Join(strs(pm["reasons"]), " "), "named reader") {
			t.Errorf("who-can gives sales.head %v", pm["reasons"])
		}
	}
	if want := []string{"deputy", "gm", "hr.head", "hr.trainer", "sales.head", "vp.admin"}; !sameSet(who, want) {
		t.Errorf("who can read = %v, want %v", who, want)
	}

	// The mentor changes: sales.head leaves.
	if err := s.store.SetProcessMembers(ctx, zhidu.MemberRecord{EventKey: id + ":mentor:1", ProcessID: id, Remove: []string{"sales.head"},
		Actor: "sales.head", Reason: "新带教", At: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s.wantError(s.call("sales.head", "GET", path, nil), 404, "not_found")
	p = s.must(http.StatusOK, s.call("hr.head", "GET", path, nil))
	if got := strs(p["members"]); !slices.Equal(got, []string{"sales.rep"}) {
		t.Errorf("members after the change = %v", got)
	}
	var changed bool
	for _, it := range p["timeline"].([]any) {
		changed = changed || it.(map[string]any)["action"] == "members_changed"
	}
	if !changed {
		t.Error("no members_changed in the timeline")
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'process.members' AND object = $1`, "process:"+id); n != 1 {
		t.Errorf("process.members audit entries = %d, want 1", n)
	}
}
