package e2e

import (
	"net/http"
	"testing"
)

// TestSecretCopy: a copy of a top-secret approval, asked by fin.head (whom
// the GM designated for it), approved by the deputy GM naming its readers:
// the copy is its own top-secret object, linked to its source both ways,
// read by the GM's office and the readers named (not by hr.head, designated
// for the source only); a source the requester cannot read is 404, one
// not top secret 400, and a second approval is refused.
func TestSecretCopy(t *testing.T) {
	s := newStack(t)
	src := s.startApproval("gm", "绝密方案", "top_secret")
	for _, u := range []string{"fin.head", "hr.head"} {
		s.must(http.StatusCreated, s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": u, "object": "process:" + src, "reason": "经办"}))
	}
	body := func(source string) map[string]any {
		return map[string]any{"source": source, "mode": "excerpt", "content": "第三条：……", "reason": "起草年度报告"}
	}
	s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/secret-copy", body("process:"+src)), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/secret-copy", body("process:approval-00000000000000000000")), http.StatusNotFound, "not_found")
	low := s.startApproval("fin.clerk", "普通", "internal")
	e := s.wantError(s.call("fin.head", "POST", "/api/v1/processes/secret-copy", body("process:"+low)), http.StatusBadRequest, "invalid")
	if f, _ := e["fields"].(map[string]any); f["source"] == nil {
		t.Errorf("not top secret: fields %v", e["fields"])
	}
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = 'secret-copy'`); n != 0 {
		t.Fatalf("refused requests started %d", n)
	}

	r := s.must(http.StatusCreated, s.call("fin.head", "POST", "/api/v1/processes/secret-copy", body("process:"+src)))
	id := r["id"].(string)
	if r["level"] != "top_secret" || r["content"] != nil {
		t.Errorf("the requester's answer = %v, want a top-secret receipt", r)
	}
	task := s.waitTask(id, "copy_approval")
	s.wantError(s.call("fin.head", "GET", "/api/v1/processes/"+id, nil), http.StatusNotFound, "not_found")
	s.work("deputy", task, "approve", map[string]any{"readers": []any{"fin.head", "vp.admin", "ghost"}})
	s.wantError(s.call("gm", "POST", "/api/v1/tasks/"+task+"/claim", nil), http.StatusConflict, "conflict")
	s.waitProcess(id, "completed")

	for u, want := range map[string]int{"gm": 200, "deputy": 200, "fin.head": 200, "vp.admin": 200, "hr.head": 404, "cs.head": 404, "bmo.auditor": 404} {
		if got := s.call(u, "GET", "/api/v1/processes/"+id, nil).Status; got != want {
			t.Errorf("%s reads the copy: %d, want %d", u, got, want)
		}
	}
	cp := s.must(http.StatusOK, s.call("fin.head", "GET", "/api/v1/processes/"+id, nil))
	of, _ := cp["copy_of"].(map[string]any)
	if cp["level"] != "top_secret" || of["source"] != "process:"+src || of["made_by"] != "fin.head" || of["approved_by"] != "deputy" ||
		of["reason"] != "起草年度报告" || cp["result"] != "copied" {
		t.Errorf("the copy = level %v result %v copy_of %v", cp["level"], cp["result"], of)
	}
	source := s.must(http.StatusOK, s.call("hr.head", "GET", "/api/v1/processes/"+src, nil))
	copies, _ := source["copies"].([]any)
	if len(copies) != 1 || copies[0].(map[string]any)["copy"] != "process:"+id {
		t.Errorf("the source's copies = %v", source["copies"])
	}
	if n := s.count(`SELECT count(*) FROM designations WHERE object = $1 AND revoked_at IS NULL`, "process:"+id); n != 2 {
		t.Errorf("%d designations for the copy, want 2 (ghost is no user)", n)
	}
	if n := s.count(`SELECT count(*) FROM timeline WHERE (process_id = $1 AND action = 'copy_registered') OR (process_id = $2 AND action = 'copied')`, id, src); n != 2 {
		t.Errorf("%d lineage timeline entries, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE object = $1 AND action IN ('copy.register', 'designation.grant')`, "process:"+id); n != 3 {
		t.Errorf("%d copy audit entries, want 3", n)
	}
}
