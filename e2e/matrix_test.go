package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/zhidu/zhidu/matrix"
)

// matrixDoc is a matrix document as a client sends it, changed by f.
func matrixDoc(t *testing.T, f func(m *matrix.Matrix)) map[string]any {
	t.Helper()
	m := matrix.Seed()
	if f != nil {
		f(&m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func ptr(x float64) *float64 { return &x }

// matrixState counts the versions and matrix_change processes stored.
func (s *stack) matrixState() string {
	s.t.Helper()
	return fmt.Sprintf("%d versions, %d proposed, %d changes", s.count(`SELECT count(*) FROM approval_matrix_versions`),
		s.count(`SELECT count(*) FROM approval_matrix_versions WHERE state = 'proposed'`),
		s.count(`SELECT count(*) FROM processes WHERE kind = 'matrix_change'`))
}

// route asks the dry run as user and returns the steps as role@department.
func (s *stack) route(user, query string) (map[string]any, []string) {
	s.t.Helper()
	out := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/approval-matrix/route?"+query, nil))
	var steps []string
	for _, st := range out["steps"].([]any) {
		st := st.(map[string]any)
		if st["project_lead"] == true {
			steps = append(steps, "project_lead")
			continue
		}
		steps = append(steps, fmt.Sprint(st["role"], "@", st["department"]))
	}
	return out, steps
}

// matrixAudit lists the audit trail's entries about a version as the
// security auditor reads them: action by actor.
func (s *stack) matrixAudit(version int) []string {
	s.t.Helper()
	page := s.must(http.StatusOK, s.call("secaudit", "GET", fmt.Sprintf("/api/v1/audit?object=approval-matrix:%d&limit=200", version), nil))
	var out []string
	for _, it := range page["items"].([]any) {
		e := it.(map[string]any)
		out = append(out, fmt.Sprint(e["action"], " by ", e["actor"]))
	}
	return out
}

// TestApprovalMatrixChange: the security administrator proposes versions
// (bad documents refused with field paths, nothing stored; others may not
// propose); the GM approves one in a task that shows the changes — it
// becomes active and routes requests — and rejects another, which leaves
// the active version; each step is audited.
func TestApprovalMatrixChange(t *testing.T) {
	s := newStack(t)
	got := s.must(http.StatusOK, s.call("secadmin", "GET", "/api/v1/admin/approval-matrix", nil))
	active := got["active"].(map[string]any)
	if active["version"] != float64(1) || active["state"] != "active" || got["proposal"] != nil ||
		len(active["document"].(map[string]any)["rules"].([]any)) != len(matrix.Seed().Rules) {
		t.Fatalf("the seeded matrix = %v", got)
	}
	for _, reader := range []string{"gm", "secaudit"} {
		s.must(http.StatusOK, s.call(reader, "GET", "/api/v1/admin/approval-matrix", nil))
	}
	for _, user := range []string{"cs.agent", "fin.head", "sysadmin", "deputy"} {
		s.wantError(s.call(user, "GET", "/api/v1/admin/approval-matrix", nil), http.StatusForbidden, "forbidden")
	}
	empty := s.matrixState()

	// Only the security administrator proposes: authority is the role.
	small := matrixDoc(t, func(m *matrix.Matrix) { m.Rules[3].Steps = m.Rules[3].Steps[:1] }) // no finance review up to ¥2,000
	for _, user := range []string{"cs.head", "fin.head", "gm", "sysadmin", "secaudit"} {
		s.wantError(s.call(user, "PUT", "/api/v1/admin/approval-matrix", small), http.StatusForbidden, "forbidden")
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'admin.approval_matrix.propose' AND decision = 'denied'`); n != 5 {
		t.Errorf("%d refused proposals audited, want 5", n)
	}

	// Bad documents: 400 naming each offending field; nothing is stored.
	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"no rules", map[string]any{"rules": []any{}}, "rules"},
		{"unknown kind", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[6].Kind = "lavish" }), "rules[6].kind"},
		{"unknown department", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[8].Department = "moon" }), "rules[8].department"},
		{"unknown role", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[8].Steps[1].Role = "boss" }), "rules[8].steps[1].role"},
		{"unknown step department", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[8].Steps[1].Department = "moon" }), "rules[8].steps[1].department"},
		{"empty steps", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[8].Steps = []matrix.Step{} }), "rules[8].steps"},
		{"negative amount", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[9].MinAmount = -1 }), "rules[9].min_amount"},
		{"gap", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[9].MinAmount = 60000 }), "rules[9].min_amount"},
		{"overlap", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[8].MaxAmount = ptr(60000) }), "rules[9].min_amount"},
		{"closed last band", matrixDoc(t, func(m *matrix.Matrix) { m.Rules[9].MaxAmount = ptr(1e9) }), "rules[9].max_amount"},
		{"unreachable rule", matrixDoc(t, func(m *matrix.Matrix) {
			m.Rules = append(m.Rules, matrix.Rule{Kind: matrix.KindRegular, Department: "rnd", Level: "*",
				Steps: []matrix.Step{{Role: "dept_head", Department: "requester"}}})
		}), "rules[18]"},
		{"uncovered kind", matrixDoc(t, func(m *matrix.Matrix) { m.Rules = m.Rules[:14] }), "rules"},
		{"unchanged", matrixDoc(t, nil), "rules"},
		{"unknown field", map[string]any{"rules": []any{map[string]any{"kind": "regular", "approver": "gm"}}}, "approver"},
		{"amount not a number", map[string]any{"rules": []any{map[string]any{"kind": "regular", "min_amount": "lots"}}}, "rules.min_amount"},
		{"note too long", func() map[string]any { d := small; d = maps(d); d["note"] = strings.Repeat("长", 2001); return d }(), "note"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := s.wantError(s.call("secadmin", "PUT", "/api/v1/admin/approval-matrix", tc.body), http.StatusBadRequest, "invalid")
			fields, _ := e["fields"].(map[string]any)
			if _, ok := fields[tc.field]; !ok {
				t.Errorf("fields = %v, want one for %s", e["fields"], tc.field)
			}
			if st := s.matrixState(); st != empty {
				t.Errorf("after a refused proposal: %s, want %s", st, empty)
			}
		})
	}

	// A proposal: version 2, awaiting the GM; the GM's task shows its changes.
	small["note"] = "小额临时采购由部门经理审批即可"
	p := s.must(http.StatusCreated, s.call("secadmin", "PUT", "/api/v1/admin/approval-matrix", small))["proposal"].(map[string]any)
	lines := []any{"~ rules[3] temporary/*/*/[0, 2000.01): dept_head@requester → staff@fin ⇒ dept_head@requester"}
	if p["version"] != float64(2) || p["state"] != "proposed" || p["base_version"] != float64(1) || p["proposed_by"] != "secadmin" ||
		!slices.Equal(p["change_lines"].([]any), lines) || p["changes"].([]any)[0].(map[string]any)["op"] != "changed" {
		t.Fatalf("proposal = %v", p)
	}
	processID := p["process_id"].(string)
	// The same proposal again is a retry; another one waits its turn.
	again := s.must(http.StatusOK, s.call("secadmin", "PUT", "/api/v1/admin/approval-matrix", small))["proposal"].(map[string]any)
	if again["version"] != float64(2) || again["process_id"] != processID {
		t.Errorf("repeated proposal = %v", again)
	}
	other := matrixDoc(t, func(m *matrix.Matrix) { m.Rules[8].Steps = m.Rules[8].Steps[:2] })
	if e := s.wantError(s.call("secadmin", "PUT", "/api/v1/admin/approval-matrix", other), http.StatusConflict, "conflict"); !strings.Contains(e["message"].(string), "version 2 awaits") {
		t.Errorf("second proposal: %v", e)
	}
	if st := s.matrixState(); st != "2 versions, 1 proposed, 1 changes" {
		t.Errorf("after proposing: %s", st)
	}
	got = s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/admin/approval-matrix", nil))
	if got["active"].(map[string]any)["version"] != float64(1) || got["proposal"].(map[string]any)["version"] != float64(2) {
		t.Errorf("matrix while proposed = %v", got)
	}

	task := s.waitTask(processID, "matrix_approval")
	tk := s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/tasks/"+task, nil))
	c := tk["context"].(map[string]any)
	if c["matrix_version"] != float64(2) || c["base_version"] != float64(1) || !slices.Equal(c["changes"].([]any), lines) ||
		c["proposal_note"] != "小额临时采购由部门经理审批即可" || tk["step"] != "matrix_approval" {
		t.Errorf("the GM's task = %v", tk)
	}
	if !slices.Contains(s.inbox("gm", ""), task) {
		t.Error("the decision is not in the GM's inbox")
	}
	// Nobody else decides it: not the proposer, not the deputy GM.
	for _, user := range []string{"secadmin", "deputy"} {
		if r := s.call(user, "POST", "/api/v1/tasks/"+task+"/claim", nil); r.Status == http.StatusOK {
			t.Errorf("%s claimed the GM's decision", user)
		}
	}

	// Until the GM decides, version 1 routes; the proposal can be tried.
	before, steps := s.route("sales.rep", "kind=temporary&amount=1800&department=sales")
	if before["version"] != float64(1) || !slices.Equal(steps, []string{"dept_head@sales", "staff@fin"}) {
		t.Errorf("route by version 1 = %v", before)
	}
	if _, steps := s.route("sales.rep", "kind=temporary&amount=1800&department=sales&version=2"); !slices.Equal(steps, []string{"dept_head@sales"}) {
		t.Errorf("route by the proposal = %v", steps)
	}

	s.work("gm", task, "approve", map[string]any{"opinion": "同意"})
	s.waitProcess(processID, "completed")
	got = s.must(http.StatusOK, s.call("secadmin", "GET", "/api/v1/admin/approval-matrix", nil))
	if a := got["active"].(map[string]any); a["version"] != float64(2) || a["decided_by"] != "gm" || a["reason"] != "同意" || got["proposal"] != nil {
		t.Errorf("after approval = %v", got)
	}
	if n := s.count(`SELECT count(*) FROM approval_matrix_versions WHERE version = 1 AND state = 'superseded'`); n != 1 {
		t.Error("version 1 is not superseded")
	}
	after, steps := s.route("sales.rep", "kind=temporary&amount=1800&department=sales")
	if after["version"] != float64(2) || after["rule"] != float64(3) || !slices.Equal(steps, []string{"dept_head@sales"}) {
		t.Errorf("route after approval = %v", after)
	}
	want := []string{"admin.approval_matrix.propose by secadmin", "admin.approval_matrix.approve by gm", "admin.approval_matrix.activate by gm"}
	if got := s.matrixAudit(2); !slices.Equal(got, want) {
		t.Errorf("audit of version 2 = %v, want %v", got, want)
	}

	// A rejected proposal leaves version 2 active.
	p = s.must(http.StatusCreated, s.call("secadmin", "PUT", "/api/v1/admin/approval-matrix", other))["proposal"].(map[string]any)
	if p["version"] != float64(3) || p["base_version"] != float64(2) {
		t.Fatalf("proposal 3 = %v", p)
	}
	task = s.waitTask(p["process_id"].(string), "matrix_approval")
	s.wantError(s.call("gm", "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"outcome": "reject"}), http.StatusConflict, "conflict") // claim first
	s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/tasks/"+task+"/claim", nil))
	s.wantError(s.call("gm", "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"outcome": "reject"}), http.StatusBadRequest, "invalid") // say why
	s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"outcome": "reject",
		"data": map[string]any{"opinion": "月度计划须经财务审核"}}))
	s.waitProcess(p["process_id"].(string), "completed")
	got = s.must(http.StatusOK, s.call("secaudit", "GET", "/api/v1/admin/approval-matrix", nil))
	if got["active"].(map[string]any)["version"] != float64(2) || got["proposal"] != nil {
		t.Errorf("after rejection = %v", got)
	}
	if n := s.count(`SELECT count(*) FROM approval_matrix_versions WHERE version = 3 AND state = 'rejected' AND reason = '月度计划须经财务审核'`); n != 1 {
		t.Error("version 3 is not rejected with the GM's opinion")
	}
	if got := s.matrixAudit(3); !slices.Equal(got, []string{"admin.approval_matrix.propose by secadmin", "admin.approval_matrix.reject by gm"}) {
		t.Errorf("audit of version 3 = %v", got)
	}
	if _, steps := s.route("cs.agent", "kind=regular&amount=100&department=cs"); !slices.Equal(steps, []string{"dept_head@cs", "staff@fin", "gm@gmo"}) {
		t.Errorf("regular route after the rejection = %v", steps)
	}
	// The decisions are in the trail the security auditor reads, chained.
	if v := s.must(http.StatusOK, s.call("secaudit", "GET", "/api/v1/audit/verify", nil)); v["ok"] != true {
		t.Errorf("audit chain = %v", v)
	}
}

// maps copies a document one level deep, so a case changes its own copy.
func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestApprovalMatrixRoute: the dry run answers the seed's routes with the
// rule that matched, to anyone with a business role (and the security
// administrator), and 400 for each bad parameter.
func TestApprovalMatrixRoute(t *testing.T) {
	s := newStack(t)
	for _, tc := range []struct {
		user, query string
		rule        float64
		steps       []string
	}{
		{"sales.rep", "kind=temporary&amount=2000&department=sales", 3, []string{"dept_head@sales", "staff@fin"}},
		{"sales.rep", "kind=temporary&amount=2000.01&department=sales", 4, []string{"dept_head@sales", "staff@fin", "gm@gmo"}},
		{"cs.agent", "kind=regular&amount=50000&department=cs&level=secret", 6, []string{"dept_head@cs", "compliance@bmo", "staff@fin", "gm@gmo"}},
		{"cs.agent", "kind=regular&amount=50000.01&department=cs&level=top_secret", 7,
			[]string{"dept_head@cs", "compliance@bmo", "staff@fin", "dept_head@fin", "gm@gmo"}},
		{"rnd.eng", "kind=important&amount=120000&department=rnd&level=internal", 13,
			[]string{"dept_head@rnd", "project_lead", "staff@fin", "dept_head@fin", "gm@gmo"}},
		{"secadmin", "kind=project&amount=0&department=wh&level=public", 16, []string{"dept_head@wh", "project_lead", "staff@fin"}},
		{"gm", "kind=regular&amount=10&department=gmo&version=1", 8, []string{"dept_head@gmo", "staff@fin", "gm@gmo"}},
	} {
		out, steps := s.route(tc.user, tc.query)
		if out["rule"] != tc.rule || !slices.Equal(steps, tc.steps) || out["version"] != float64(1) || out["state"] != "active" {
			t.Errorf("%s: rule %v, steps %v; want %v, %v", tc.query, out["rule"], steps, tc.rule, tc.steps)
		}
		why := out["why_code"].(map[string]any)
		if why["code"] != "matrix.matched" || !strings.HasPrefix(out["why"].(string), fmt.Sprintf("rules[%d] matched: ", int(tc.rule))) {
			t.Errorf("%s: why %v %v", tc.query, out["why"], why)
		}
		if m := out["matched"].(map[string]any); m["kind"] == nil || m["department"] != "*" {
			t.Errorf("%s: matched %v", tc.query, m)
		}
	}
	for query, fields := range map[string][]string{
		"":                                     {"kind", "amount", "department"},
		"kind=lavish&amount=1&department=cs":   {"kind"},
		"kind=regular&amount=-1&department=cs": {"amount"},
		"kind=regular&amount=1.005&department=cs":                         {"amount"},
		"kind=regular&amount=lots&department=cs":                          {"amount"},
		"kind=regular&amount=1e13&department=cs":                          {"amount"},
		"kind=regular&amount=NaN&department=cs":                           {"amount"},
		"kind=regular&amount=1&department=moon":                           {"department"},
		"kind=regular&amount=1&department=cs&level=hush":                  {"level"},
		"kind=regular&amount=1&department=cs&version=0":                   {"version"},
		"kind=regular&amount=1&department=*&level=secret":                 {"department"},
		"kind=regular&amount=" + url.QueryEscape("1 ") + "&department=cs": {"amount"},
	} {
		e := s.wantError(s.call("cs.agent", "GET", "/api/v1/approval-matrix/route?"+query, nil), http.StatusBadRequest, "invalid")
		got := e["fields"].(map[string]any)
		if len(got) != len(fields) {
			t.Errorf("%q: fields %v, want %v", query, got, fields)
		}
		for _, f := range fields {
			if _, ok := got[f]; !ok {
				t.Errorf("%q: fields %v, want %s", query, got, f)
			}
		}
	}
	s.wantError(s.call("cs.agent", "GET", "/api/v1/approval-matrix/route?kind=regular&amount=1&department=cs&version=99", nil), http.StatusNotFound, "not_found")
	for _, admin := range []string{"sysadmin", "secaudit"} {
		s.wantError(s.call(admin, "GET", "/api/v1/approval-matrix/route?kind=regular&amount=1&department=cs", nil), http.StatusForbidden, "forbidden")
	}
	s.wantError(s.call("", "GET", "/api/v1/approval-matrix/route?kind=regular&amount=1&department=cs", nil), http.StatusUnauthorized, "unauthenticated")
}
