package e2e

import (
	"net/http"
	"testing"
)

// TestProcessKinds: GET /process-kinds lists every kind with its labels
// and start form, and may_start says what starting it answers.
func TestProcessKinds(t *testing.T) {
	s := newStack(t)
	bodies := map[string]map[string]any{
		"approval":  {"title": "kinds", "level": "internal"},
		"complaint": productComplaint(),
		"return":    returnSlip(nil),
		"supplier_return": {"supplier": "金源包装", "material": "PET 瓶", "batch": "JY-1", "quantity": 10, "unit": "个",
			"defect": "瓶口变形"},
	}
	for _, tc := range []struct {
		user string
		want map[string]bool
	}{
		{"cs.agent", map[string]bool{"approval": true, "complaint": true, "return": true, "supplier_return": false, "matrix_change": false}},
		{"sales.rep", map[string]bool{"approval": true, "complaint": false, "return": true, "supplier_return": false, "matrix_change": false}},
		{"quality.eng", map[string]bool{"approval": true, "complaint": false, "return": false, "supplier_return": true, "matrix_change": false}},
		{"gm", map[string]bool{"approval": true, "complaint": true, "return": false, "supplier_return": false, "matrix_change": false}},
		{"bmo.auditor", map[string]bool{"approval": true, "complaint": false, "return": false, "supplier_return": false, "matrix_change": false}},
		{"sysadmin", map[string]bool{"approval": false, "complaint": false, "return": false, "supplier_return": false, "matrix_change": false}},
	} {
		t.Run(tc.user, func(t *testing.T) {
			got := s.must(http.StatusOK, s.call(tc.user, "GET", "/api/v1/process-kinds", nil))
			kinds, _ := got["kinds"].([]any)
			if len(kinds) != len(tc.want) {
				t.Fatalf("kinds = %d, want %d: %v", len(kinds), len(tc.want), got)
			}
			for _, k := range kinds {
				k := k.(map[string]any)
				kind, _ := k["kind"].(string)
				if k["may_start"] != tc.want[kind] {
					t.Errorf("%s may_start = %v, want %v", kind, k["may_start"], tc.want[kind])
				}
				r := s.call(tc.user, "POST", "/api/v1/processes/"+kind, bodies[kind], "Idempotency-Key", s.key(tc.user+kind))
				if started := r.Status == http.StatusCreated; started != tc.want[kind] {
					t.Errorf("starting %s answered %d, while may_start = %v: %s", kind, r.Status, tc.want[kind], r.Body)
				}
			}
		})
	}

	got := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/process-kinds", nil))
	byKind := map[string]map[string]any{}
	for _, k := range got["kinds"].([]any) {
		byKind[k.(map[string]any)["kind"].(string)] = k.(map[string]any)
	}
	if m := byKind["matrix_change"]; m["internal"] != true || m["department"] != "gmo" || byKind["approval"]["internal"] != nil {
		t.Errorf("matrix_change = %v: want it internal, owned by gmo; approval = %v", m, byKind["approval"]["internal"])
	}
	a := byKind["approval"]
	if l := a["label"].(map[string]any); l["zh"] != "通用审批" || l["en"] != "Approval" {
		t.Errorf("approval label = %v", l)
	}
	if a["department"] != "cs" || byKind["complaint"]["department"] != "cs" {
		t.Errorf("owning departments = %v, %v; want cs, cs", a["department"], byKind["complaint"]["department"])
	}
	steps := a["steps"].([]any)
	if len(steps) != 2 || steps[0].(map[string]any)["name"] != "dept_head_approval" {
		t.Errorf("approval steps = %v", steps)
	}
	title := a["start_form"].(map[string]any)["fields"].([]any)[0].(map[string]any)
	if title["name"] != "title" || title["required"] != true || title["max_length"] != float64(200) || title["type"] != "text" {
		t.Errorf("approval's first start field = %v", title)
	}
	var channel map[string]any
	for _, f := range byKind["complaint"]["start_form"].(map[string]any)["fields"].([]any) {
		if f.(map[string]any)["name"] == "channel" {
			channel = f.(map[string]any)
		}
	}
	if channel == nil || channel["type"] != "choice" || len(channel["choices"].([]any)) != 4 {
		t.Errorf("complaint's channel field = %v", channel)
	}
	if sales := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/process-kinds", nil)); sales["kinds"].([]any)[0].(map[string]any)["department"] != "sales" {
		t.Errorf("a sales rep's approval would be owned by %v, want sales", sales["kinds"].([]any)[0].(map[string]any)["department"])
	}
	s.wantError(s.call("", "GET", "/api/v1/process-kinds", nil), http.StatusUnauthorized, "unauthenticated")
}
