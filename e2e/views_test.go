package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// views returns user's saved views by name (their own first: of two of
// one name, their own).
func (s *stack) views(user string) map[string]map[string]any {
	s.t.Helper()
	body := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/me/views", nil))
	out := map[string]map[string]any{}
	for _, it := range body["items"].([]any) {
		v := it.(map[string]any)
		if _, seen := out[v["name"].(string)]; !seen {
			out[v["name"].(string)] = v
		}
	}
	return out
}

// fieldCode returns the message code of one field of an error.
func fieldCode(e map[string]any, field string) string {
	fc, _ := e["field_codes"].(map[string]any)
	m, _ := fc[field].(map[string]any)
	code, _ := m["code"].(string)
	return code
}

// TestSavedViews: a user saves, lists and deletes named inbox filters;
// each create and delete is audited.
func TestSavedViews(t *testing.T) {
	s := newStack(t)
	mine := s.startApproval("cs.agent", "view-"+s.nonce+" 报销", "internal")
	s.waitTask(mine, "dept_head_approval")

	created := s.must(http.StatusCreated, s.call("cs.head", "POST", "/api/v1/me/views",
		map[string]any{"name": "待审 " + s.nonce, "filters": map[string]any{"scope": "claimable", "q": "view-" + s.nonce, "sort": "due_at"}}))
	id, _ := created["id"].(string)
	if id == "" || created["owner"] != "cs.head" || created["shared_with"] != nil || created["count"] != float64(1) {
		t.Fatalf("created view = %v, want cs.head's, unshared, counting 1", created)
	}
	got := s.views("cs.head")["待审 "+s.nonce]
	if got["id"] != id || got["count"] != float64(1) || got["filters"].(map[string]any)["scope"] != "claimable" {
		t.Fatalf("listed view = %v", got)
	}
	// Empty filters are a view of the whole inbox.
	all := s.must(http.StatusCreated, s.call("cs.head", "POST", "/api/v1/me/views", map[string]any{"name": "全部"}))
	if all["count"].(float64) < 1 {
		t.Fatalf("a view without filters counts %v, want the whole inbox", all["count"])
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'view.create' AND actor = 'cs.head' AND object = 'view:' || $1`, id); n != 1 {
		t.Fatalf("view.create audit entries = %d, want 1", n)
	}

	r := s.call("cs.head", "DELETE", "/api/v1/me/views/"+id, nil)
	if r.Status != http.StatusNoContent {
		t.Fatalf("delete = %d %s, want 204", r.Status, r.Body)
	}
	if _, ok := s.views("cs.head")["待审 "+s.nonce]; ok {
		t.Fatal("a deleted view is still listed")
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'view.delete' AND actor = 'cs.head' AND object = 'view:' || $1`, id); n != 1 {
		t.Fatalf("view.delete audit entries = %d, want 1", n)
	}
	s.wantError(s.call("cs.head", "DELETE", "/api/v1/me/views/"+id, nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("cs.head", "DELETE", "/api/v1/me/views/vw-missing", nil), http.StatusNotFound, "not_found")
	// The name is free again.
	s.must(http.StatusCreated, s.call("cs.head", "POST", "/api/v1/me/views", map[string]any{"name": "待审 " + s.nonce}))
}

// TestSavedViewBadInput: each bad view is a 4xx naming what is wrong, and
// nothing is saved or audited.
func TestSavedViewBadInput(t *testing.T) {
	s := newStack(t)
	s.must(http.StatusCreated, s.call("cs.head", "POST", "/api/v1/me/views", map[string]any{"name": "到期", "filters": map[string]any{"overdue": "true"}}))
	before := s.count(`SELECT count(*) FROM saved_views`)
	audits := s.count(`SELECT count(*) FROM audit WHERE action LIKE 'view.%'`)

	cases := []struct {
		name   string
		body   any
		status int
		field  string // the field named, "" for none
		code   string // its message code, or the error's
	}{
		{"unknown filter", map[string]any{"name": "a", "filters": map[string]any{"bogus": "1"}}, 400, "filters.bogus", "field.unknown"},
		{"paging is no filter", map[string]any{"name": "a", "filters": map[string]any{"limit": "5"}}, 400, "filters.limit", "field.unknown"},
		{"bad scope", map[string]any{"name": "a", "filters": map[string]any{"scope": "everything"}}, 400, "filters.scope", "choice.one_of"},
		{"bad overdue", map[string]any{"name": "a", "filters": map[string]any{"overdue": "maybe"}}, 400, "filters.overdue", "value.boolean"},
		{"bad due_before", map[string]any{"name": "a", "filters": map[string]any{"due_before": "tomorrow"}}, 400, "filters.due_before", "value.time"},
		{"bad priority", map[string]any{"name": "a", "filters": map[string]any{"priority": "9"}}, 400, "filters.priority", "number.range"},
		{"bad state", map[string]any{"name": "a", "filters": map[string]any{"state": "open,lost"}}, 400, "filters.state", "choice.list_of"},
		{"bad sort", map[string]any{"name": "a", "filters": map[string]any{"sort": "title"}}, 400, "filters.sort", "choice.one_of"},
		{"long q", map[string]any{"name": "a", "filters": map[string]any{"q": strings.Repeat("字", 201)}}, 400, "filters.q", "text.max"},
		{"a number, not a string", map[string]any{"name": "a", "filters": map[string]any{"priority": 2}}, 400, "", "invalid"},
		{"NUL in a filter", map[string]any{"name": "a", "filters": map[string]any{"q": "a\x00b"}}, 400, "filters.q", "text.nul"},
		{"no name", map[string]any{"filters": map[string]any{}}, 400, "name", "field.required"},
		{"empty name", map[string]any{"name": ""}, 400, "name", "field.required"},
		{"long name", map[string]any{"name": strings.Repeat("名", 61)}, 400, "name", "text.max"},
		{"NUL in the name", map[string]any{"name": "a\x00b"}, 400, "name", "text.nul"},
		{"control character in the name", map[string]any{"name": "a\x07b"}, 400, "name", "text.one_line"},
		{"two lines", map[string]any{"name": "a\nb"}, 400, "name", "text.one_line"},
		{"unknown field", map[string]any{"name": "a", "owner": "gm"}, 400, "owner", "field.unknown"},
		{"shared with another department", map[string]any{"name": "a", "shared_with": "fin"}, 400, "shared_with", "view.department"},
		{"shared with no department", map[string]any{"name": "a", "shared_with": "nowhere"}, 400, "shared_with", "view.department"},
		{"shared with empty", map[string]any{"name": "a", "shared_with": ""}, 400, "shared_with", "view.department"},
		{"shared naming a process", map[string]any{"name": "a", "filters": map[string]any{"process": "approval-0"}, "shared_with": "cs"}, 400, "filters.process", "view.process_shared"},
		{"duplicate name", map[string]any{"name": "到期", "filters": map[string]any{"scope": "mine"}}, 409, "", "view.name_taken"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.call("cs.head", "POST", "/api/v1/me/views", c.body)
			if r.Status != c.status {
				t.Fatalf("status = %d, want %d: %s", r.Status, c.status, r.Body)
			}
			e, _ := r.JSON(t)["error"].(map[string]any)
			switch {
			case c.field != "":
				if got := fieldCode(e, c.field); got != c.code {
					t.Errorf("%s: code %q, want %q: %s", c.field, got, c.code, r.Body)
				}
			case c.status == 409:
				mc, _ := e["message_code"].(map[string]any)
				if mc["code"] != c.code || !strings.Contains(e["message"].(string), "到期") {
					t.Errorf("error %s, want %s naming the view", r.Body, c.code)
				}
			default:
				if e["code"] != c.code {
					t.Errorf("error %s, want code %s", r.Body, c.code)
				}
			}
		})
	}
	if got := s.count(`SELECT count(*) FROM saved_views`); got != before {
		t.Errorf("saved views = %d after refused requests, want %d", got, before)
	}
	if got := s.count(`SELECT count(*) FROM audit WHERE action LIKE 'view.%'`); got != audits {
		t.Errorf("view audit entries = %d after refused requests, want %d", got, audits)
	}
}

// TestSharedViewUnderEachReadRule: a view shared with a department is
// listed for its members, each counting what their own read rule lets
// them see; it shows nobody a task they may not read, and only its owner
// deletes it.
func TestSharedViewUnderEachReadRule(t *testing.T) {
	s := newStack(t)
	tag := "shared-" + s.nonce
	open := s.startApproval("cs.super", tag+" 内部", "internal")
	secret := s.startApproval("cs.super", tag+" 秘密", "secret")
	openTask, secretTask := s.waitTask(open, "dept_head_approval"), s.waitTask(secret, "dept_head_approval")
	// cs.head hands the internal task to cs.agent, who may not read the
	// secret one.
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+openTask+"/claim", nil))
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+openTask+"/delegate", map[string]any{"to": "cs.agent"}))

	v := s.must(http.StatusCreated, s.call("cs.head", "POST", "/api/v1/me/views",
		map[string]any{"name": "本部门 " + s.nonce, "filters": map[string]any{"q": tag}, "shared_with": "cs"}))
	name := "本部门 " + s.nonce
	if v["shared_with"] != "cs" || v["count"] != float64(2) {
		t.Fatalf("created view = %v, want shared with cs counting 2 for its owner", v)
	}
	if got := s.views("cs.head")[name]; got["count"] != float64(2) {
		t.Fatalf("owner's count = %v, want 2", got["count"])
	}
	agent := s.views("cs.agent")[name]
	if agent == nil || agent["owner"] != "cs.head" || agent["count"] != float64(1) {
		t.Fatalf("cs.agent's listing of the shared view = %v, want it counting 1 (the secret task is not theirs to read)", agent)
	}
	// Opening it is the task list with its filters: the secret task is not there.
	ids := s.inbox("cs.agent", "?q="+tag)
	if !slices.Contains(ids, openTask) || slices.Contains(ids, secretTask) {
		t.Fatalf("cs.agent's tasks through the view = %v, want %s and never %s", ids, openTask, secretTask)
	}
	// Another department's member does not see it at all.
	if _, ok := s.views("quality.eng")[name]; ok {
		t.Fatal("a view shared with cs is listed for quality")
	}
	// Only its owner deletes it: to anyone else it is not found.
	id := v["id"].(string)
	s.wantError(s.call("cs.agent", "DELETE", "/api/v1/me/views/"+id, nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("gm", "DELETE", "/api/v1/me/views/"+id, nil), http.StatusNotFound, "not_found")
	if s.count(`SELECT count(*) FROM saved_views WHERE id = $1`, id) != 1 || s.count(`SELECT count(*) FROM audit WHERE action = 'view.delete'`) != 0 {
		t.Fatal("a refused delete changed something")
	}
	// A name is unique per owner only.
	s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/me/views", map[string]any{"name": name, "filters": map[string]any{"q": tag}}))
	if got := s.views("cs.agent"); got[name]["owner"] != "cs.agent" || got[name]["count"] != float64(1) {
		t.Fatalf("cs.agent's own view of the same name = %v", got[name])
	}
}

// TestSavedViewLimit: one user keeps at most 50 views (each is a count on
// every inbox page); the 51st is 409 and saves nothing.
func TestSavedViewLimit(t *testing.T) {
	s := newStack(t)
	for i := range 50 {
		s.must(http.StatusCreated, s.call("cs.super", "POST", "/api/v1/me/views", map[string]any{"name": fmt.Sprintf("视图 %02d", i)}))
	}
	r := s.call("cs.super", "POST", "/api/v1/me/views", map[string]any{"name": "one more"})
	e := s.wantError(r, http.StatusConflict, "conflict")
	if mc, _ := e["message_code"].(map[string]any); mc["code"] != "view.too_many" {
		t.Fatalf("error %s, want view.too_many", r.Body)
	}
	if n := s.count(`SELECT count(*) FROM saved_views WHERE owner = 'cs.super'`); n != 50 {
		t.Fatalf("cs.super keeps %d views, want 50", n)
	}
	if got := s.views("cs.super"); len(got) != 50 {
		t.Fatalf("listed %d views, want 50", len(got))
	}
}
