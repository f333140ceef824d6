package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// settleReturn works a return slip from approval to its voucher: the
// warehouse counts received, and a short count takes a second round (the
// slip amended to what arrived).
func (s *stack) settleReturn(id string, received int) {
	s.t.Helper()
	s.work("sales.head", s.waitTask(id, "manager_approval"), "approve", map[string]any{"opinion": "同意"})
	s.work("wh.clerk", s.waitTask(id, "receipt"), "received", map[string]any{"received_quantity": received, "condition": "外箱破损"})
	if received != 100 {
		s.work("fin.clerk", s.waitTask(id, "reconcile"), "mismatch", map[string]any{"notes": "实收与批准数量不符"})
		s.work("sales.rep", s.waitTask(id, "discrepancy"), "amend", map[string]any{"approved_quantity": received, "reason": "客户确认少退"})
	}
	s.work("fin.clerk", s.waitTask(id, "reconcile"), "match", map[string]any{})
}

// TestReturnRegister: GET /registers/return lists the return slips with
// every filter its description declares, refuses bad filter values, exports
// CSV, and follows the read rule with its counts — the four copies
// included: the warehouse sees a slip once it is approved, never before;
// departments holding no copy never. GET /registers/return/{id} is one
// slip's entry with its reconciliation rounds.
func TestReturnRegister(t *testing.T) {
	s := newStack(t)
	base := "/api/v1/registers/return"
	ids := func(user, query string) []string {
		t.Helper()
		page := s.must(http.StatusOK, s.call(user, "GET", base+query, nil))
		got := registerIDs(t, page)
		if n := int(page["total"].(float64)); n != len(got) {
			t.Errorf("%s%s: total %d, %d rows", user, query, n, len(got))
		}
		return got
	}

	// a: sales, credited after two rounds; b: customer service, waiting
	// for its approval; c: sales, replacement, approved below.
	a := s.startReturn("sales.rep", returnSlip(map[string]any{"customer": "华联超市 " + s.nonce, "batch": "B-A-" + s.nonce}))
	s.settleReturn(a, 98)
	s.waitProcess(a, "completed")
	time.Sleep(10 * time.Millisecond)
	b := s.startReturn("cs.agent", returnSlip(map[string]any{"customer": "永辉 " + s.nonce, "product": "老抽 1L", "handling": "reprocess"}))
	s.waitTask(b, "manager_approval")
	time.Sleep(10 * time.Millisecond)
	c := s.startReturn("sales.rep", returnSlip(map[string]any{"handling": "replace", "quantity": 20}))
	cApproval := s.waitTask(c, "manager_approval")

	// Before approval the warehouse reads neither b nor c: only a, whose
	// copy it holds.
	if got := ids("wh.clerk", ""); !slices.Equal(got, []string{a}) {
		t.Fatalf("wh.clerk before c's approval reads %v, want [%s]", got, a)
	}
	s.work("sales.head", cApproval, "approve", map[string]any{})
	s.waitTask(c, "receipt")
	if got := ids("wh.clerk", ""); !slices.Equal(got, []string{c, a}) {
		t.Fatalf("wh.clerk after c's approval reads %v, want [%s %s]", got, c, a)
	}

	started := func(id string) time.Time {
		p := s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/processes/"+id, nil))
		at, err := time.Parse(time.RFC3339Nano, p["started_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	at := func(tm time.Time) string { return url.QueryEscape(tm.Format(time.RFC3339Nano)) }
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{c, b, a}}, // newest first
		{"?state=completed", []string{a}},
		{"?state=running", []string{c, b}},
		{"?state=running,completed", []string{c, b, a}},
		{"?department=cs", []string{b}},
		{"?department=sales", []string{c, a}},
		{"?handling=reprocess", []string{b}},
		{"?handling=credit", []string{a}},
		{"?customer=" + url.QueryEscape("华联超市 "+s.nonce), []string{a}},
		{"?customer=" + url.QueryEscape("华联超市"), nil}, // exact, not a substring
		{"?product=" + url.QueryEscape("老抽 1L"), []string{b}},
		{"?batch=B-A-" + s.nonce, []string{a}},
		{"?has_discrepancy=true", []string{a}},
		{"?has_discrepancy=false", []string{c, b}},
		{"?stage=receipt", []string{c}},
		{"?opened_after=" + at(started(b)), []string{c, b}},
		{"?opened_before=" + at(started(b)), []string{a}},
		{"?opened_after=" + at(started(b)) + "&opened_before=" + at(started(c)), []string{b}},
		{"?department=sales&handling=credit&has_discrepancy=true", []string{a}},
	} {
		if got := ids("gm", tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
		}
	}

	// A bad value is a 400 naming its parameter.
	for _, q := range []string{"handling=swap", "has_discrepancy=maybe", "opened_after=yesterday", "state=lost", "stage=nowhere",
		"customer=" + strings.Repeat("x", 201)} {
		e := s.wantError(s.call("sales.rep", "GET", base+"?"+q, nil), http.StatusBadRequest, "invalid")
		param, _, _ := strings.Cut(q, "=")
		if fields, _ := e["fields"].(map[string]any); fields[param] == nil {
			t.Errorf("?%s: fields = %v, want one for %s", q, e["fields"], param)
		}
	}

	// The row of a: what receipt and reconciliation recorded.
	page := s.must(http.StatusOK, s.call("sales.rep", "GET", base+"?state=completed", nil))
	row := page["items"].([]any)[0].(map[string]any)
	voucher, _ := row["voucher"].(string)
	if !strings.HasPrefix(voucher, "PZ-") || row["rounds"] != 2.0 || row["has_discrepancy"] != true || row["received_quantity"] != 98.0 ||
		row["approved_quantity"] != 98.0 || row["amount"] != 4753.0 || row["result"] != "credited" || row["stage"] != "closed" ||
		row["received_by"] != "wh.clerk" {
		t.Errorf("row of a = %v", row)
	}

	// CSV: the columns' names, then a line per row the caller reads.
	csv := s.call("sales.rep", "GET", base+"?format=csv&has_discrepancy=true", nil)
	if csv.Status != http.StatusOK || !strings.Contains(csv.Header.Get("Content-Disposition"), `filename="returns.csv"`) {
		t.Fatalf("CSV: %d %v", csv.Status, csv.Header)
	}
	lines := strings.Split(strings.TrimSuffix(string(csv.Body), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "process_id,state,stage,level,opened_at,opened_by,department,customer,") ||
		!strings.HasPrefix(lines[1], a+",completed,closed,internal,") || !strings.Contains(lines[1], ","+voucher+",") {
		t.Errorf("CSV =\n%s", csv.Body)
	}

	// The read rule: departments without a copy read no slip, and count
	// none; customer service reads its own; sales all three.
	for _, tc := range []struct {
		user string
		want []string
	}{
		{"mkt.head", nil},
		{"bmo.auditor", nil}, // compliance reads most things, not a confined slip
		{"quality.eng", nil},
		{"pur.head", nil},
		{"cs.agent", []string{b}},
		{"cs.head", []string{b}},
		{"sales.rep", []string{c, a}},
		{"fin.clerk", []string{a}},   // reconciled it: staff read what they take part in
		{"fin.head", []string{c, a}}, // finance holds copy 3 of both approved slips
		{"deputy", []string{c, b, a}},
	} {
		if got := ids(tc.user, ""); !slices.Equal(got, tc.want) {
			t.Errorf("%s reads %v, want %v", tc.user, got, tc.want)
		}
		csv := string(s.call(tc.user, "GET", base+"?format=csv", nil).Body)
		if n := strings.Count(csv, "\n") - 1; n != len(tc.want) {
			t.Errorf("%s: the CSV has %d rows, want %d", tc.user, n, len(tc.want))
		}
	}

	// One slip's entry: its row and its reconciliation rounds.
	e := s.must(http.StatusOK, s.call("fin.clerk", "GET", base+"/"+a, nil))
	if r := e["row"].(map[string]any); r["process_id"] != a || r["voucher"] != voucher {
		t.Errorf("entry row = %v", r)
	}
	rounds, _ := e["details"].(map[string]any)["reconciliations"].([]any)
	if len(rounds) != 2 {
		t.Fatalf("reconciliations = %v, want two rounds", e["details"])
	}
	r1, r2 := rounds[0].(map[string]any), rounds[1].(map[string]any)
	if r1["round"] != 1.0 || r1["outcome"] != "mismatch" || r1["approved_quantity"] != 100.0 || r1["received_quantity"] != 98.0 ||
		r1["by"] != "fin.clerk" || r1["resolution"] != "amend" || r1["resolved_by"] != "sales.rep" || r1["reason"] != "客户确认少退" {
		t.Errorf("round 1 = %v", r1)
	}
	if r2["round"] != 2.0 || r2["outcome"] != "match" || r2["approved_quantity"] != 98.0 || r2["resolution"] != nil {
		t.Errorf("round 2 = %v", r2)
	}
	e = s.must(http.StatusOK, s.call("cs.agent", "GET", base+"/"+b, nil))
	if d := e["details"].(map[string]any)["reconciliations"].([]any); len(d) != 0 {
		t.Errorf("b has rounds already: %v", d)
	}
	for _, tc := range []struct{ user, path string }{
		{"mkt.head", base + "/" + a},               // may not read it
		{"wh.clerk", base + "/" + b},               // not yet approved
		{"gm", "/api/v1/registers/complaint/" + a}, // not a complaint
		{"gm", "/api/v1/registers/approval/" + a},  // no register
		{"gm", base + "/return-nope"},
	} {
		s.wantError(s.call(tc.user, "GET", tc.path, nil), http.StatusNotFound, "not_found")
	}
	s.wantError(s.call("", "GET", base+"/"+a, nil), http.StatusUnauthorized, "unauthenticated")
}
