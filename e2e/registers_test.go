package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// registerIDs returns the process IDs of a register page.
func registerIDs(t *testing.T, page map[string]any) []string {
	t.Helper()
	var ids []string
	for _, it := range page["items"].([]any) {
		ids = append(ids, it.(map[string]any)["process_id"].(string))
	}
	return ids
}

// TestRegisters: GET /registers/{kind} serves a kind's register as GET
// /process-kinds describes it — columns, filters with their 400s, CSV
// header — under the read rule, paged by cursor; a kind without a
// register is not found. (TestComplaintRegisterGolden pins every byte of
// the complaint register against the register as it was.)
func TestRegisters(t *testing.T) {
	s := registerStack(t)
	seedComplaintRegister(t, s.store)

	for _, path := range []string{"/api/v1/registers/approval", "/api/v1/registers/nope", "/api/v1/registers/approval?format=csv"} {
		s.wantError(s.call("gm", "GET", path, nil), http.StatusNotFound, "not_found")
	}
	s.wantError(s.call("", "GET", "/api/v1/registers/complaint", nil), http.StatusUnauthorized, "unauthenticated")

	// The description in /process-kinds is what the register serves.
	var reg map[string]any
	for _, k := range s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/process-kinds", nil))["kinds"].([]any) {
		k := k.(map[string]any)
		switch k["kind"] {
		case "complaint":
			reg, _ = k["register"].(map[string]any)
		case "approval":
			if _, ok := k["register"]; ok {
				t.Errorf("the approval lists a register: %v", k["register"])
			}
		}
	}
	if reg == nil || reg["file"] != "complaints.csv" || reg["sort"] != "-received_at" {
		t.Fatalf("complaint register description = %v", reg)
	}
	row := string(s.call("gm", "GET", "/api/v1/registers/complaint?department=wh", nil).Body)
	last := -1
	for _, c := range reg["columns"].([]any) { // a row's keys are the columns, in order
		n, omit := c.(map[string]any)["name"].(string), c.(map[string]any)["omit_empty"] == true
		i := strings.Index(row, `"`+n+`":`)
		if i < 0 && omit && (n == "product" || n == "batch") {
			continue // complaint-0004 has none
		}
		if i <= last {
			t.Errorf("column %s is not in the row after the one before it: %s", n, row)
		}
		last = i
	}
	var csvCols []string
	for _, c := range reg["csv"].([]any) {
		csvCols = append(csvCols, c.(string))
	}
	csv := s.call("gm", "GET", "/api/v1/registers/complaint?format=csv", nil)
	if header, _, _ := strings.Cut(string(csv.Body), "\n"); header != strings.Join(csvCols, ",") {
		t.Errorf("CSV header = %s, want %s", header, strings.Join(csvCols, ","))
	}

	// Every declared filter refuses a bad value by its parameter's name.
	for _, c := range reg["columns"].([]any) {
		f, ok := c.(map[string]any)["filter"].(map[string]any)
		if !ok {
			continue
		}
		p := f["param"].(string)
		if p == "" {
			p = c.(map[string]any)["name"].(string)
		}
		query := map[string]string{"exact": p + "=" + strings.Repeat("x", 100), "choice": p + "=__nope", "any_of": p + "=__nope",
			"range": p + "_after=yesterday", "bool": p + "=maybe"}[f["kind"].(string)]
		e := s.wantError(s.call("cs.agent", "GET", "/api/v1/registers/complaint?"+query, nil), http.StatusBadRequest, "invalid")
		field := strings.SplitN(query, "=", 2)[0]
		if fields, _ := e["fields"].(map[string]any); fields[field] == nil || len(fields) != 1 {
			t.Errorf("?%s: fields = %v, want one for %s", query, e["fields"], field)
		}
	}
	s.wantError(s.call("gm", "GET", "/api/v1/registers/complaint?cursor="+cursorOf("2026-11-27 09:00:00+00", "p\x00"), nil), http.StatusBadRequest, "invalid")
	s.wantError(s.call("gm", "GET", "/api/v1/registers/complaint?cursor="+cursorOf("5", "complaint-0001"), nil), http.StatusBadRequest, "invalid")

	// The read rule, with counts that follow it.
	all := registerIDs(t, s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/registers/complaint", nil)))
	if want := []string{"complaint-0008", "complaint-0007", "complaint-0006", "complaint-0005", "complaint-0004",
		"complaint-0003", "complaint-0002", "complaint-0001"}; !slices.Equal(all, want) {
		t.Fatalf("the GM reads %v, want %v", all, want)
	}
	for _, c := range []struct {
		user  string
		query string
		want  []string
	}{
		{"sales.rep", "", nil},                                             // reads nothing of customer service's
		{"quality.eng", "", []string{"complaint-0001"}},                    // takes part in one
		{"sales.head", "?stage=investigation", []string{"complaint-0003"}}, // a candidate of its investigation
		{"cs.head", "?category=misconduct", []string{"complaint-0003"}},
		{"cs.super", "?category=misconduct", nil},                  // the accused: barred however high their clearance
		{"cs.agent", "?state=running", []string{"complaint-0001"}}, // staff read what they registered: 0004 and 0007 are over
	} {
		page := s.must(http.StatusOK, s.call(c.user, "GET", "/api/v1/registers/complaint"+c.query, nil))
		if got := registerIDs(t, page); !slices.Equal(got, c.want) || int(page["total"].(float64)) != len(c.want) {
			t.Errorf("%s%s reads %v (total %v), want %v", c.user, c.query, got, page["total"], c.want)
		}
		csv := string(s.call(c.user, "GET", "/api/v1/registers/complaint?format=csv&"+strings.TrimPrefix(c.query, "?"), nil).Body)
		if n := strings.Count(csv, "\n") - 1; n != len(c.want) {
			t.Errorf("%s%s: the CSV has %d rows, want %d", c.user, c.query, n, len(c.want))
		}
		for _, id := range all {
			if !slices.Contains(c.want, id) && strings.Contains(csv, id) {
				t.Errorf("%s%s: the CSV shows %s", c.user, c.query, id)
			}
		}
	}

	// Paging by cursor walks the same rows.
	var paged []string
	next := ""
	for range 10 {
		page := s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/registers/complaint?limit=3&cursor="+next, nil))
		paged = append(paged, registerIDs(t, page)...)
		if int(page["total"].(float64)) != len(all) {
			t.Errorf("total = %v, want %d", page["total"], len(all))
		}
		next, _ = page["next_cursor"].(string)
		if next == "" {
			break
		}
	}
	if !slices.Equal(paged, all) {
		t.Errorf("paged = %v, want %v", paged, all)
	}
}
