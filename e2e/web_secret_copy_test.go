package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestWebSecretCopyLineage: the process pages show a copy's lineage both
// ways — "a copy of" its source on the copy, the copies made on the
// source — to fin.head, designated for both.
func TestWebSecretCopyLineage(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	src := s.startApproval("gm", "绝密方案", "top_secret")
	s.must(http.StatusCreated, s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": "fin.head", "object": "process:" + src, "reason": "经办"}))
	id := s.must(http.StatusCreated, s.call("fin.head", "POST", "/api/v1/processes/secret-copy",
		map[string]any{"source": "process:" + src, "mode": "excerpt", "content": "第三条", "reason": "起草年度报告"}))["id"].(string)
	s.work("gm", s.waitTask(id, "copy_approval"), "approve", map[string]any{"readers": []any{"fin.head"}})
	s.waitProcess(id, "completed")

	p := w.person(t)
	p.signIn("fin.head")
	if st := p.open("/processes/" + id); st != http.StatusOK {
		t.Fatalf("the copy's page: %d", st)
	}
	if got := p.text("#copy-of"); !strings.Contains(got, "process:"+src) || !strings.Contains(got, "fin.head") || !strings.Contains(got, "gm") {
		t.Errorf("the copy's lineage = %q", got)
	}
	if st := p.open("/processes/" + src); st != http.StatusOK {
		t.Fatalf("the source's page: %d", st)
	}
	if got := p.text("#copies-made"); !strings.Contains(got, "process:"+id) {
		t.Errorf("the source's copies = %q", got)
	}
}
