package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/zhidu/zhidu/demo"
)

// Purchasing's master data through the HTTP API as the demo users:
// suppliers, conflicts of interest (回避) and projects.

// supplierNames lists the names of a supplier list answer.
func supplierNames(page map[string]any) []string {
	var out []string
	for _, it := range page["items"].([]any) {
		out = append(out, it.(map[string]any)["name"].(string))
	}
	return out
}

// conflictUsers lists the users of a list of conflicts of interest.
func conflictUsers(items any) []string {
	out := []string{}
	for _, it := range items.([]any) {
		out = append(out, it.(map[string]any)["user"].(string))
	}
	return out
}

// wantInvalid checks a 400 naming field.
func (s *stack) wantInvalid(r response, field string) {
	s.t.Helper()
	e := s.wantError(r, http.StatusBadRequest, "invalid")
	if f, _ := e["fields"].(map[string]any); f[field] == nil {
		s.t.Errorf("400 without a field error for %s: %v", field, e)
	}
}

// supplierState is what a refused change must leave as it was: the
// suppliers, the conflicts and the supplier audit entries.
func (s *stack) supplierState() string {
	s.t.Helper()
	var rows string
	if err := s.pool.QueryRow(context.Background(), `SELECT COALESCE(string_agg(concat_ws('|', id, name, qualified, supply_state,
        documents, blacklisted, blacklist_reason, updated_at), ';' ORDER BY id), '') FROM suppliers`).Scan(&rows); err != nil {
		s.t.Fatal(err)
	}
	return fmt.Sprintf("%s; %d conflicts; %d allowed supplier entries", rows, s.count(`SELECT count(*) FROM supplier_conflicts`),
		s.count(`SELECT count(*) FROM audit WHERE action LIKE 'supplier.%' AND decision = 'allowed'`))
}

// TestSupplierReads: every holder of a business role reads the demo
// suppliers, filtered; the administrators may not; declared conflicts of
// interest are shown in full to compliance, the purchasing head and the GM
// line, to anyone else only their own (no count either); unknown
// suppliers are 404.
func TestSupplierReads(t *testing.T) {
	s := newStack(t)
	all := s.must(http.StatusOK, s.call("pur.buyer", "GET", "/api/v1/suppliers", nil))
	want := []string{"上海联拓工业材料有限公司", "华东精密机械有限公司", "宁波金诚五金制品厂", "广州顺达塑胶制品有限公司", "杭州新锐包装材料有限公司", "苏州恒通电子有限公司"}
	if got := supplierNames(all); !slices.Equal(got, want) {
		t.Fatalf("suppliers = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"blacklisted=true", []string{"广州顺达塑胶制品有限公司"}},
		{"qualified=false", []string{"广州顺达塑胶制品有限公司"}},
		{"qualified=true&blacklisted=false&supply_state=approved", []string{"上海联拓工业材料有限公司", "华东精密机械有限公司", "宁波金诚五金制品厂", "苏州恒通电子有限公司"}},
		{"supply_state=new", []string{"杭州新锐包装材料有限公司"}},
		{"q=" + url.QueryEscape("精密"), []string{"华东精密机械有限公司"}},
		{"q=acme", nil},
	} {
		if got := supplierNames(s.must(http.StatusOK, s.call("quality.eng", "GET", "/api/v1/suppliers?"+tc.query, nil))); !slices.Equal(got, tc.want) {
			t.Errorf("suppliers?%s = %q, want %q", tc.query, got, tc.want)
		}
	}
	for _, bad := range []struct{ query, field string }{
		{"blacklisted=maybe", "blacklisted"}, {"qualified=2", "qualified"}, {"supply_state=tested", "supply_state"},
		{"q=" + strings.Repeat("长", 201), "q"}, {"q=%00", "q"},
	} {
		s.wantInvalid(s.call("pur.buyer", "GET", "/api/v1/suppliers?"+bad.query, nil), bad.field)
	}

	// Conflicts of interest: quality.head declared one with 恒通.
	for user, seen := range map[string][]string{
		"bmo.auditor": {"quality.head"}, "pur.head": {"quality.head"}, "gm": {"quality.head"}, "deputy": {"quality.head"},
		"quality.head": {"quality.head"},
		"pur.buyer":    {}, "vp.ops": {}, "vp.admin": {}, "cs.agent": {}, "quality.eng": {},
	} {
		sup := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/suppliers/"+demo.SupplierHengtong, nil))
		if got := conflictUsers(sup["conflicts"]); !slices.Equal(got, seen) {
			t.Errorf("%s sees the conflicts %v of 恒通, want %v", user, got, seen)
		}
		list := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/suppliers/"+demo.SupplierHengtong+"/conflicts", nil))
		if got := conflictUsers(list["items"]); !slices.Equal(got, seen) {
			t.Errorf("%s lists the conflicts %v of 恒通, want %v", user, got, seen)
		}
		for _, it := range s.must(http.StatusOK, s.call(user, "GET", "/api/v1/suppliers", nil))["items"].([]any) {
			it := it.(map[string]any)
			if got := conflictUsers(it["conflicts"]); it["id"] == demo.SupplierHengtong && !slices.Equal(got, seen) {
				t.Errorf("%s sees the conflicts %v of 恒通 in the list, want %v", user, got, seen)
			}
		}
	}
	hengtong := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/suppliers/"+demo.SupplierHengtong, nil))
	if c := hengtong["conflicts"].([]any)[0].(map[string]any); c["reason"] != "亲属任该公司销售经理" || c["declared_by"] != "quality.head" ||
		hengtong["qualified"] != true || hengtong["supply_state"] != "approved" || len(hengtong["documents"].([]any)) != 3 {
		t.Errorf("恒通 = %v", hengtong)
	}
	shunda := s.must(http.StatusOK, s.call("pur.buyer", "GET", "/api/v1/suppliers/"+demo.SupplierShunda, nil))
	if shunda["blacklisted"] != true || shunda["blacklist_reason"] == "" {
		t.Errorf("顺达 = %v", shunda)
	}
	if xinrui := s.must(http.StatusOK, s.call("pur.buyer", "GET", "/api/v1/suppliers/"+demo.SupplierXinrui, nil)); xinrui["qualified"] != true || xinrui["supply_state"] != "new" {
		t.Errorf("新锐 = %v", xinrui)
	}

	// Unknown suppliers; the administrators read no business data.
	s.wantError(s.call("pur.head", "GET", "/api/v1/suppliers/sup-nobody", nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("pur.head", "GET", "/api/v1/suppliers/sup-nobody/conflicts", nil), http.StatusNotFound, "not_found")
	s.wantInvalid(s.call("pur.head", "GET", "/api/v1/suppliers/sup%00", nil), "id")
	for _, admin := range []string{"sysadmin", "secadmin", "secaudit"} {
		for _, path := range []string{"/api/v1/suppliers", "/api/v1/suppliers/" + demo.SupplierHuadong, "/api/v1/suppliers/" + demo.SupplierHuadong + "/conflicts"} {
			s.wantError(s.call(admin, "GET", path, nil), http.StatusForbidden, "forbidden")
		}
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.read' AND decision = 'denied'`); n != 9 {
		t.Errorf("%d refused supplier reads audited, want 9", n)
	}
}

// TestSupplierWrites: the purchasing department adds suppliers (staff
// only unqualified and new), the purchasing head qualifies and approves
// them, the purchasing head or compliance blacklists them; everyone else
// is refused (403, audited); bad input is a 400 naming the field and
// changes nothing; each change is audited with its before and after, and
// a change the running purchases cannot be told of still succeeds.
func TestSupplierWrites(t *testing.T) {
	s := newStack(t)
	// Two running purchases that Temporal does not know: telling them
	// fails, and the changes succeed regardless.
	for _, id := range []string{"purchase-ghost-1", "purchase-ghost-2"} {
		if _, err := s.pool.Exec(context.Background(), `INSERT INTO processes (id, kind, level, department, started_by, started_at)
            VALUES ($1, 'purchase', 1, 'pur', 'pur.buyer', now())`, id); err != nil {
			t.Fatal(err)
		}
	}

	// Staff add an unqualified, new supplier.
	created := s.must(http.StatusCreated, s.call("pur.buyer", "POST", "/api/v1/suppliers",
		map[string]any{"name": "  Acme Tools  ", "documents": []string{"营业执照 "}}))
	id, _ := created["id"].(string)
	if !strings.HasPrefix(id, "sup-") || created["name"] != "Acme Tools" || created["qualified"] != false || created["supply_state"] != "new" ||
		created["blacklisted"] != false || created["created_by"] != "pur.buyer" || !slices.Equal(conflictUsers(created["conflicts"]), []string{}) ||
		fmt.Sprint(created["documents"]) != "[营业执照]" {
		t.Fatalf("created %v", created)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.create' AND object = $1 AND actor = 'pur.buyer'
        AND detail->>'name' = 'Acme Tools'`, "supplier:"+id); n != 1 {
		t.Errorf("%d supplier.create entries, want 1", n)
	}
	got := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/suppliers/"+id, nil))
	if got["name"] != "Acme Tools" {
		t.Errorf("read back %v", got)
	}

	// Who may not add, or not add it qualified.
	before := s.supplierState()
	for _, tc := range []struct {
		user string
		body map[string]any
	}{
		{"pur.buyer", map[string]any{"name": "甲", "qualified": true}},
		{"pur.buyer", map[string]any{"name": "乙", "supply_state": "approved"}},
		{"cs.head", map[string]any{"name": "丙"}},
		{"bmo.auditor", map[string]any{"name": "丁"}},
		{"gm", map[string]any{"name": "戊"}},
		{"vp.admin", map[string]any{"name": "己"}},
		{"sysadmin", map[string]any{"name": "庚"}},
	} {
		s.wantError(s.call(tc.user, "POST", "/api/v1/suppliers", tc.body), http.StatusForbidden, "forbidden")
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.create' AND decision = 'denied'`); n != 7 {
		t.Errorf("%d refused additions audited, want 7", n)
	}
	// Bad input, and a name taken (in any case).
	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"name": "甲", "rating": 5}, "rating"},
		{map[string]any{"name": ""}, "name"},
		{map[string]any{"name": "   "}, "name"},
		{map[string]any{}, "name"},
		{map[string]any{"name": strings.Repeat("长", 201)}, "name"},
		{map[string]any{"name": "甲\x00"}, "name"},
		{map[string]any{"name": "甲\n乙"}, "name"},
		{map[string]any{"name": "甲", "supply_state": "tested"}, "supply_state"},
		{map[string]any{"name": "甲", "documents": []string{"营业执照", ""}}, "documents[1]"},
		{map[string]any{"name": "甲", "documents": "营业执照"}, "documents"},
		{map[string]any{"name": "甲", "qualified": "yes"}, "qualified"},
	} {
		s.wantInvalid(s.call("pur.head", "POST", "/api/v1/suppliers", tc.body), tc.field)
	}
	for _, name := range []string{"ACME TOOLS", "华东精密机械有限公司"} {
		s.wantError(s.call("pur.head", "POST", "/api/v1/suppliers", map[string]any{"name": name}), http.StatusConflict, "conflict")
	}
	if after := s.supplierState(); after != before {
		t.Errorf("refused additions changed the suppliers:\n%s\n%s", before, after)
	}
	// The head adds one qualified and approved.
	head := s.must(http.StatusCreated, s.call("pur.head", "POST", "/api/v1/suppliers",
		map[string]any{"name": "无锡广达轴承有限公司", "qualified": true, "supply_state": "approved"}))
	if head["qualified"] != true || head["supply_state"] != "approved" || fmt.Sprint(head["documents"]) != "[]" {
		t.Errorf("created by the head %v", head)
	}

	// Changes: the head qualifies; staff keep the documents.
	path := "/api/v1/suppliers/" + id
	up := s.must(http.StatusOK, s.call("pur.head", "PATCH", path, map[string]any{"qualified": true, "supply_state": "approved"}))
	if up["qualified"] != true || up["supply_state"] != "approved" || up["created_by"] != "pur.buyer" {
		t.Errorf("qualified %v", up)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.update' AND object = $1 AND actor = 'pur.head'
        AND detail->'qualified' = '{"from": false, "to": true}' AND detail->'supply_state' = '{"from": "new", "to": "approved"}'`, "supplier:"+id); n != 1 {
		t.Errorf("%d supplier.update entries of the qualification, want 1", n)
	}
	s.must(http.StatusOK, s.call("pur.buyer", "PATCH", path, map[string]any{"documents": []string{"营业执照", "ISO 9001 质量管理体系认证证书"}}))
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.update' AND object = $1 AND actor = 'pur.buyer'
        AND detail->'documents' = '{"from": ["营业执照"], "to": ["营业执照", "ISO 9001 质量管理体系认证证书"]}'`, "supplier:"+id); n != 1 {
		t.Errorf("%d supplier.update entries of the documents, want 1", n)
	}

	// Refused changes: 403, audited, nothing changed.
	before = s.supplierState()
	for _, tc := range []struct {
		user, action string
		body         map[string]any
	}{
		{"pur.buyer", "supplier.update", map[string]any{"qualified": false}},
		{"pur.buyer", "supplier.update", map[string]any{"supply_state": "new"}},
		{"pur.buyer", "supplier.blacklist", map[string]any{"blacklisted": true, "blacklist_reason": "质量问题"}},
		{"bmo.auditor", "supplier.update", map[string]any{"qualified": false}},
		{"bmo.auditor", "supplier.update", map[string]any{"documents": []string{}}},
		{"cs.head", "supplier.update", map[string]any{"documents": []string{}}},
		{"quality.head", "supplier.update", map[string]any{"blacklisted": true, "blacklist_reason": "质量问题"}},
		{"gm", "supplier.update", map[string]any{"blacklisted": true, "blacklist_reason": "质量问题"}},
		{"secadmin", "supplier.update", map[string]any{"qualified": false}},
	} {
		s.wantError(s.call(tc.user, "PATCH", path, tc.body), http.StatusForbidden, "forbidden")
		if n := s.count(`SELECT count(*) FROM audit WHERE action = $1 AND actor = $2 AND object = $3 AND decision = 'denied'`,
			tc.action, tc.user, "supplier:"+id); n == 0 {
			t.Errorf("%s's refused %v is not audited as %s", tc.user, tc.body, tc.action)
		}
	}
	// Bad changes: 400 naming the field, nothing changed.
	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"blacklisted": true}, "blacklist_reason"},
		{map[string]any{"blacklisted": true, "blacklist_reason": "  "}, "blacklist_reason"},
		{map[string]any{"blacklist_reason": "质量问题"}, "blacklist_reason"},
		{map[string]any{"blacklisted": true, "blacklist_reason": "质量\x00问题"}, "blacklist_reason"},
		{map[string]any{"blacklisted": true, "blacklist_reason": strings.Repeat("长", 1001)}, "blacklist_reason"},
		{map[string]any{"supply_state": "tested"}, "supply_state"},
		{map[string]any{"documents": []string{""}}, "documents[0]"},
		{map[string]any{"documents": []any{"营业执照", 3}}, "documents"},
		{map[string]any{"qualified": "yes"}, "qualified"},
		{map[string]any{"name": "改名"}, "name"},
	} {
		s.wantInvalid(s.call("pur.head", "PATCH", path, tc.body), tc.field)
	}
	e := s.wantError(s.call("pur.head", "PATCH", path, map[string]any{}), http.StatusBadRequest, "invalid")
	if !strings.Contains(e["message"].(string), "nothing to change") {
		t.Errorf("an empty change: %v", e)
	}
	s.wantError(s.call("pur.head", "PATCH", path, map[string]any{"qualified": nil}), http.StatusBadRequest, "invalid")
	if after := s.supplierState(); after != before {
		t.Errorf("refused changes changed the suppliers:\n%s\n%s", before, after)
	}
	s.wantError(s.call("pur.head", "PATCH", "/api/v1/suppliers/sup-nobody", map[string]any{"qualified": true}), http.StatusNotFound, "not_found")

	// Compliance blacklists it; the purchasing head takes it off again.
	black := s.must(http.StatusOK, s.call("bmo.auditor", "PATCH", path, map[string]any{"blacklisted": true, "blacklist_reason": "虚开发票，经营管办查实"}))
	if black["blacklisted"] != true || black["blacklist_reason"] != "虚开发票，经营管办查实" {
		t.Errorf("blacklisted %v", black)
	}
	if got := supplierNames(s.must(http.StatusOK, s.call("pur.buyer", "GET", "/api/v1/suppliers?blacklisted=true", nil))); !slices.Contains(got, "Acme Tools") {
		t.Errorf("blacklisted suppliers = %q", got)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.blacklist' AND object = $1 AND actor = 'bmo.auditor' AND decision = 'allowed'
        AND detail->'blacklisted' = '{"from": false, "to": true}' AND detail->'blacklist_reason'->>'to' = '虚开发票，经营管办查实'`, "supplier:"+id); n != 1 {
		t.Errorf("%d supplier.blacklist entries of the blacklisting, want 1", n)
	}
	lift := map[string]any{"blacklisted": false, "blacklist_reason": "误报，已澄清"}
	off := s.must(http.StatusOK, s.call("pur.head", "PATCH", path, lift))
	if off["blacklisted"] != false || off["blacklist_reason"] != nil {
		t.Errorf("off the blacklist %v", off)
	}
	entries := `SELECT count(*) FROM audit WHERE action = 'supplier.blacklist' AND object = $1 AND actor = 'pur.head'
        AND detail->'blacklisted' = '{"from": true, "to": false}' AND detail->>'reason' = '误报，已澄清'`
	if n := s.count(entries, "supplier:"+id); n != 1 {
		t.Errorf("%d supplier.blacklist entries of taking it off, want 1", n)
	}
	// The same change again changes and writes nothing.
	before = s.supplierState()
	s.must(http.StatusOK, s.call("pur.head", "PATCH", path, lift))
	if after := s.supplierState(); after != before {
		t.Errorf("a change that changes nothing wrote:\n%s\n%s", before, after)
	}
}

// TestSupplierConflicts: everyone declares their own conflicts of
// interest (the first declaration kept), compliance records one for
// someone else, nobody else does; bad input is a 400; visibility follows
// the rule of the reads.
func TestSupplierConflicts(t *testing.T) {
	s := newStack(t)
	path := "/api/v1/suppliers/" + demo.SupplierHuadong + "/conflicts"
	first := s.must(http.StatusCreated, s.call("pur.buyer", "POST", path, map[string]any{"reason": " 配偶持有该公司股份 "}))
	if first["user"] != "pur.buyer" || first["declared_by"] != "pur.buyer" || first["supplier"] != demo.SupplierHuadong ||
		first["reason"] != "配偶持有该公司股份" {
		t.Fatalf("declared %v", first)
	}
	again := s.must(http.StatusOK, s.call("pur.buyer", "POST", path, map[string]any{"user": "pur.buyer", "reason": "另一理由"}))
	if again["reason"] != "配偶持有该公司股份" || again["declared_at"] != first["declared_at"] {
		t.Errorf("declared again %v, want the first %v", again, first)
	}
	byCompliance := s.must(http.StatusCreated, s.call("bmo.auditor", "POST", path, map[string]any{"user": "wh.clerk", "reason": "曾在该公司任职"}))
	if byCompliance["user"] != "wh.clerk" || byCompliance["declared_by"] != "bmo.auditor" {
		t.Errorf("recorded by compliance %v", byCompliance)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.conflict' AND object = $1 AND decision = 'allowed'`,
		"supplier:"+demo.SupplierHuadong); n != 2 {
		t.Errorf("%d supplier.conflict entries, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.conflict' AND actor = 'bmo.auditor'
        AND detail = '{"user": "wh.clerk", "reason": "曾在该公司任职"}'`); n != 1 {
		t.Errorf("%d entries of compliance's record, want 1", n)
	}

	// Refused: someone else's conflict, an administrator; bad input.
	before := s.supplierState()
	for _, user := range []string{"pur.buyer", "pur.head", "gm"} {
		s.wantError(s.call(user, "POST", path, map[string]any{"user": "cs.agent", "reason": "替他申报"}), http.StatusForbidden, "forbidden")
	}
	s.wantError(s.call("sysadmin", "POST", path, map[string]any{"reason": "我也申报"}), http.StatusForbidden, "forbidden")
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'supplier.conflict' AND decision = 'denied'`); n != 4 {
		t.Errorf("%d refused declarations audited, want 4", n)
	}
	for _, tc := range []struct {
		user  string
		body  any
		field string
	}{
		{"bmo.auditor", map[string]any{"user": "nobody", "reason": "理由"}, "user"},
		{"bmo.auditor", map[string]any{"user": "no\x00body", "reason": "理由"}, "user"},
		{"cs.agent", map[string]any{}, "reason"},
		{"cs.agent", map[string]any{"reason": " \n "}, "reason"},
		{"cs.agent", map[string]any{"reason": "理\x00由"}, "reason"},
		{"cs.agent", map[string]any{"reason": strings.Repeat("长", 1001)}, "reason"},
		{"cs.agent", map[string]any{"reason": "理由", "since": "2020"}, "since"},
		{"cs.agent", map[string]any{"reason": 5}, "reason"},
	} {
		s.wantInvalid(s.call(tc.user, "POST", path, tc.body), tc.field)
	}
	s.wantError(s.call("cs.agent", "POST", "/api/v1/suppliers/sup-nobody/conflicts", map[string]any{"reason": "理由"}), http.StatusNotFound, "not_found")
	if after := s.supplierState(); after != before {
		t.Errorf("refused declarations changed something:\n%s\n%s", before, after)
	}

	// Who sees what.
	for user, seen := range map[string][]string{
		"pur.head": {"pur.buyer", "wh.clerk"}, "bmo.auditor": {"pur.buyer", "wh.clerk"}, "deputy": {"pur.buyer", "wh.clerk"},
		"pur.buyer": {"pur.buyer"}, "wh.clerk": {"wh.clerk"}, "cs.agent": {}, "vp.admin": {},
	} {
		if got := conflictUsers(s.must(http.StatusOK, s.call(user, "GET", path, nil))["items"]); !slices.Equal(got, seen) {
			t.Errorf("%s sees the conflicts %v of 华东, want %v", user, got, seen)
		}
	}
	// A declaration with another supplier stands on its own.
	s.must(http.StatusCreated, s.call("pur.buyer", "POST", "/api/v1/suppliers/"+demo.SupplierJincheng+"/conflicts", map[string]any{"reason": "同学任该厂厂长"}))
	if n := s.count(`SELECT count(*) FROM supplier_conflicts WHERE username = 'pur.buyer'`); n != 2 {
		t.Errorf("pur.buyer has %d conflicts, want 2", n)
	}
}

// TestProjects: every holder of a business role reads the projects; the GM
// line adds them (others 403, audited); bad input is a 400 naming the
// field, a taken ID a 409, and nothing changes.
func TestProjects(t *testing.T) {
	s := newStack(t)
	list := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/projects", nil))
	var ids []string
	for _, it := range list["items"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	if !slices.Equal(ids, []string{demo.ProjectERP, demo.ProjectLine2}) {
		t.Fatalf("projects = %v", ids)
	}
	line2 := s.must(http.StatusOK, s.call("pur.buyer", "GET", "/api/v1/projects/"+demo.ProjectLine2, nil))
	if line2["name"] != "二号生产线改造" || line2["department"] != "quality" || line2["manager"] != "quality.head" || line2["lead"] != "vp.ops" {
		t.Errorf("line-2 = %v", line2)
	}
	s.wantError(s.call("pur.buyer", "GET", "/api/v1/projects/nope", nil), http.StatusNotFound, "not_found")
	for _, admin := range []string{"sysadmin", "secadmin", "secaudit"} {
		s.wantError(s.call(admin, "GET", "/api/v1/projects", nil), http.StatusForbidden, "forbidden")
		s.wantError(s.call(admin, "GET", "/api/v1/projects/"+demo.ProjectLine2, nil), http.StatusForbidden, "forbidden")
	}

	body := map[string]any{"id": "line-3", "name": "三号生产线新建", "department": "quality", "manager": "quality.head", "lead": "vp.ops"}
	p := s.must(http.StatusCreated, s.call("gm", "POST", "/api/v1/projects", body))
	if p["id"] != "line-3" || p["lead"] != "vp.ops" {
		t.Errorf("created %v", p)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'project.create' AND object = 'project:line-3' AND actor = 'gm'
        AND detail->>'manager' = 'quality.head' AND detail->>'lead' = 'vp.ops'`); n != 1 {
		t.Errorf("%d project.create entries, want 1", n)
	}
	q := s.must(http.StatusCreated, s.call("deputy", "POST", "/api/v1/projects",
		map[string]any{"name": "仓库扩建", "department": "wh", "manager": "wh.clerk", "lead": "vp.ops"}))
	if id, _ := q["id"].(string); !strings.HasPrefix(id, "prj-") {
		t.Errorf("created without an ID: %v", q)
	} else {
		s.must(http.StatusOK, s.call("wh.clerk", "GET", "/api/v1/projects/"+id, nil))
	}

	projects := func() string {
		return fmt.Sprint(s.count(`SELECT count(*) FROM projects`), " projects, ",
			s.count(`SELECT count(*) FROM audit WHERE action = 'project.create' AND decision = 'allowed'`), " entries")
	}
	before := projects()
	for _, user := range []string{"vp.ops", "pur.head", "bmo.auditor", "quality.head", "secadmin", "sysadmin"} {
		s.wantError(s.call(user, "POST", "/api/v1/projects", map[string]any{"name": "x", "department": "pur", "manager": "pur.head", "lead": "vp.admin"}),
			http.StatusForbidden, "forbidden")
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'project.create' AND decision = 'denied'`); n != 6 {
		t.Errorf("%d refused projects audited, want 6", n)
	}
	with := func(k string, v any) map[string]any {
		b := map[string]any{"name": "四号线", "department": "quality", "manager": "quality.head", "lead": "vp.ops"}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		body  any
		field string
	}{
		{with("manager", "nobody"), "manager"},
		{with("lead", "nobody"), "lead"},
		{with("lead", nil), "lead"},
		{with("manager", ""), "manager"},
		{with("department", "moon"), "department"},
		{with("department", nil), "department"},
		{with("name", " "), "name"},
		{with("name", "四号\x00线"), "name"},
		{with("id", "Line 4"), "id"},
		{with("id", strings.Repeat("a", 41)), "id"},
		{with("budget", 100), "budget"},
	} {
		s.wantInvalid(s.call("gm", "POST", "/api/v1/projects", tc.body), tc.field)
	}
	s.wantError(s.call("gm", "POST", "/api/v1/projects", with("id", demo.ProjectLine2)), http.StatusConflict, "conflict")
	if after := projects(); after != before {
		t.Errorf("refused projects changed something: %s, then %s", before, after)
	}
}
