package e2e

import (
	"net/http"
	"slices"
	"testing"
)

// kindCase is what TestProcessKinds knows of a kind: a start body that is
// valid for every demo user it asks, and which of them may start it.
type kindCase struct {
	body     map[string]any
	starters []string
}

// kindCases has a case for every kind GET /process-kinds lists; a
// test-only process adds its own from its file.
var kindCases = map[string]kindCase{
	"approval":  {map[string]any{"title": "kinds", "level": "internal"}, []string{"cs.agent", "sales.rep", "quality.eng", "gm", "bmo.auditor", "hr.trainer"}},
	"complaint": {productComplaint(), []string{"cs.agent", "gm"}},
	"return":    {returnSlip(nil), []string{"cs.agent", "sales.rep"}},
	"supplier_return": {map[string]any{"supplier": "江南包装", "material": "瓶盖", "batch": "C-1", "quantity": 10, "unit": "个",
		"defect": "漏液"}, []string{"quality.eng"}},
	"purchase":           {requisitionBody(nil), []string{"cs.agent", "sales.rep", "quality.eng", "hr.trainer"}},
	"probation":          {map[string]any{"employee": "newhire", "mentor": "sales.mentor"}, []string{"hr.trainer"}}, // HR starts it
	"matrix_change":      {map[string]any{}, nil},                                                                   // internal: no start route, nobody starts it
	"customer_downgrade": {map[string]any{}, nil},                                                                   // internal: POST /customers/{id}/problems starts it
	"customer_crossing":  {map[string]any{}, nil},                                                                   // internal: POST /crossings/{id}/contest starts it
	"customer_handover":  {map[string]any{}, nil},                                                                   // internal: a separation starts it
	"order_change":       {map[string]any{}, nil},                                                                   // internal: POST /orders/{id}/changes starts it
	"blacklist_notice":   {map[string]any{}, nil},                                                                   // internal: a blacklisting through the API starts it
	"file-access": {map[string]any{"target": "department:rnd", "reason": "kinds", "duration": "1h"},
		[]string{"cs.agent", "sales.rep", "quality.eng", "bmo.auditor", "hr.trainer"}}, // the GM's office reads everything already
	"leak": {map[string]any{"what": "kinds", "found_at": "2026-11-01T09:00:00Z", "how": "kinds"},
		[]string{"cs.agent", "sales.rep", "quality.eng", "gm", "bmo.auditor", "hr.trainer"}},
	"secret-copy": {map[string]any{"source": topSecretFor, "mode": "copy", "content": "x", "reason": "kinds"},
		[]string{"cs.agent", "sales.rep", "quality.eng", "gm", "bmo.auditor", "hr.trainer"}},
}

// TestProcessKinds: GET /process-kinds lists every kind with its labels
// and start form, and may_start says what starting it answers.
func TestProcessKinds(t *testing.T) {
	s := newStack(t)
	for _, user := range []string{"cs.agent", "sales.rep", "quality.eng", "gm", "bmo.auditor", "sysadmin", "hr.trainer"} {
		t.Run(user, func(t *testing.T) {
			got := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/process-kinds", nil))
			kinds, _ := got["kinds"].([]any)
			if len(kinds) != len(kindCases) {
				t.Fatalf("kinds = %d, want %d: %v", len(kinds), len(kindCases), got)
			}
			for _, k := range kinds {
				k := k.(map[string]any)
				kind, _ := k["kind"].(string)
				c, ok := kindCases[kind]
				if !ok {
					t.Errorf("kind %q has no case in kindCases", kind)
					continue
				}
				want := slices.Contains(c.starters, user)
				if k["may_start"] != want {
					t.Errorf("%s may_start = %v, want %v", kind, k["may_start"], want)
				}
				body := map[string]any{}
				for f, v := range c.body { // a value made for the caller: a source they may read
					if made, ok := v.(func(*stack, string) any); ok {
						v = made(s, user)
					}
					body[f] = v
				}
				r := s.call(user, "POST", "/api/v1/processes/"+kind, body, "Idempotency-Key", s.key(user+kind))
				if started := r.Status == http.StatusCreated; started != want {
					t.Errorf("starting %s answered %d, while may_start = %v: %s", kind, r.Status, want, r.Body)
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

// topSecretFor starts a top-secret approval as the GM and designates user
// for it (a secret copy's source they may read).
func topSecretFor(s *stack, user string) any {
	id := s.startApproval("gm", "kinds "+user, "top_secret")
	if user != "gm" && user != "sysadmin" { // an administrator is never designated
		s.must(http.StatusCreated, s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": user, "object": "process:" + id, "reason": "kinds"}))
	}
	return "process:" + id
}
