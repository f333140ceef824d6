package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

// registerSupplier is the supplier the register test's buyer quotes: its
// own, so the test needs none of the demo's.
const registerSupplier = "sup-e2e-register"

// TestPurchaseRegisterFilters: GET /registers/purchase filters by the
// estimated total and the order amount (at least min, below max, as the
// matrix's bands) and by the matrix version that routed each requisition,
// in JSON and CSV; bad numbers answer 400 naming the parameter; a secret
// requisition is in no row, count or CSV of those who may not read it
// (the requester's colleague, finance before its task), and in those of
// the requester, who may.
func TestPurchaseRegisterFilters(t *testing.T) {
	s := newStack(t)
	at := time.Now()
	if err := s.store.PutSupplier(context.Background(), zhidu.Supplier{ID: registerSupplier, Name: "登记表测试供应商", Qualified: true,
		SupplyState: zhidu.SupplyApproved, Documents: []string{"营业执照"}, CreatedBy: "pur.buyer", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/registers/purchase"
	start := func(user string, quantity float64, level string) string {
		t.Helper()
		b := map[string]any{"items": []any{map[string]any{"name": "A4 复印纸", "spec": "70g", "quantity": quantity, "unit": "包", "unit_price": 25}},
			"reason": "月度办公用品计划", "kind": "regular", "urgency": "normal"}
		if level != "" {
			b["level"] = level
		}
		id := s.must(http.StatusCreated, s.call(user, "POST", "/api/v1/processes/purchase", b))["id"].(string)
		time.Sleep(5 * time.Millisecond) // submission times apart: the register's order
		return id
	}
	source := func(id string, unitPrice float64) {
		t.Helper()
		s.work("pur.buyer", s.waitTask(id, "sourcing"), "choose", map[string]any{"quotes": []any{map[string]any{
			"supplier": registerSupplier, "unit_price": unitPrice, "delivery_date": deliveryDate()}}, "chosen": registerSupplier, "reason": "唯一报价"})
		s.waitTask(id, "approval_dept_head") // the amount is recorded before the approval's task
	}

	// Version 1: p1 ¥1,000 (ordered for ¥980), p2 ¥2,000 (ordered for
	// ¥2,000), p3 ¥50,000, and the sales head's secret requisition ¥3,000.
	p1 := start("sales.rep", 40, "")
	p2 := start("sales.rep", 80, "")
	p3 := start("sales.rep", 2000, "")
	secret := start("sales.head", 120, "secret")
	source(p1, 24.5)
	source(p2, 25)
	// Version 2, then p4 ¥2,500.
	doc := matrixDoc(t, func(m *matrix.Matrix) { m.Rules[3].Steps = m.Rules[3].Steps[:1] })
	change := s.must(http.StatusCreated, s.call("secadmin", "PUT", "/api/v1/admin/approval-matrix", doc))["proposal"].(map[string]any)["process_id"].(string)
	s.work("gm", s.waitTask(change, "matrix_approval"), "approve", map[string]any{"opinion": "同意"})
	s.waitProcess(change, "completed")
	p4 := start("sales.rep", 100, "")
	if v := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes/"+p4, nil))["input"].(map[string]any)["matrix_version"]; v != 2.0 {
		t.Fatalf("p4's matrix version = %v, want 2", v)
	}

	// The register's description in /process-kinds names the number filters.
	var reg map[string]any
	for _, k := range s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/process-kinds", nil))["kinds"].([]any) {
		if k := k.(map[string]any); k["kind"] == "purchase" {
			reg, _ = k["register"].(map[string]any)
		}
	}
	filters := map[string]string{}
	for _, c := range reg["columns"].([]any) {
		c := c.(map[string]any)
		if f, ok := c["filter"].(map[string]any); ok {
			filters[c["name"].(string)] = f["kind"].(string)
		}
	}
	if filters["total"] != "number_range" || filters["amount"] != "number_range" || filters["matrix_version"] != "number" {
		t.Errorf("purchase register filters = %v", filters)
	}

	// JSON: the rows and their count, as each reader may read them.
	for _, c := range []struct {
		user, query string
		want        []string
	}{
		{"sales.rep", "", []string{p4, p3, p2, p1}},
		{"sales.head", "", []string{p4, secret, p3, p2, p1}},
		{"sales.rep", "?total_min=2000&total_max=50000", []string{p4, p2}}, // ¥2,000 in, ¥50,000 out
		{"sales.head", "?total_min=2000&total_max=50000", []string{p4, secret, p2}},
		{"sales.rep", "?total_min=50000", []string{p3}},
		{"sales.rep", "?total_max=2000", []string{p1}},
		{"sales.rep", "?total_min=2000&total_max=2000", nil},
		{"sales.rep", "?matrix_version=1", []string{p3, p2, p1}},
		{"sales.head", "?matrix_version=1", []string{secret, p3, p2, p1}},
		{"sales.rep", "?matrix_version=2", []string{p4}},
		{"sales.head", "?matrix_version=3", nil},
		{"sales.rep", "?matrix_version=1&total_min=1000&total_max=2500", []string{p2, p1}},
		{"sales.rep", "?amount_min=0", []string{p2, p1}}, // not yet ordered: no amount, in no range
		{"sales.rep", "?amount_min=980&amount_max=2000", []string{p1}},
		{"sales.rep", "?amount_min=980.01", []string{p2}},
		{"sales.rep", "?amount_max=2000.01&matrix_version=1&supplier=" + url.QueryEscape("登记表测试供应商"), []string{p2, p1}},
		{"fin.clerk", "", nil}, // finance reads a requisition once it has a task of it
	} {
		page := s.must(http.StatusOK, s.call(c.user, "GET", base+c.query, nil))
		if got := registerIDs(t, page); !slices.Equal(got, c.want) || page["total"] != float64(len(c.want)) {
			t.Errorf("%s%s: rows %v (total %v), want %v", c.user, c.query, got, page["total"], c.want)
		}
	}
	// Finance's review of p1 opens: fin.clerk reads p1, still not the
	// secret requisition waiting for its sourcing.
	s.work("sales.head", s.waitTask(p1, "approval_dept_head"), "approve", map[string]any{"opinion": "同意"})
	s.waitTask(p1, "approval_staff")
	for _, q := range []string{"", "?matrix_version=1", "?total_min=0"} {
		page := s.must(http.StatusOK, s.call("fin.clerk", "GET", base+q, nil))
		if got := registerIDs(t, page); !slices.Equal(got, []string{p1}) || page["total"] != 1.0 {
			t.Errorf("fin.clerk%s: rows %v (total %v), want [%s]", q, got, page["total"], p1)
		}
	}

	// CSV: the same rows, every matching one; the secret one only for
	// those who may read it.
	csvRows := func(user, query string) map[string]map[string]string {
		t.Helper()
		r := s.call(user, "GET", base+"?format=csv&"+query, nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
			r.Header.Get("Content-Disposition") != `attachment; filename="purchases.csv"` {
			t.Fatalf("CSV %s?%s: %d %v: %s", user, query, r.Status, r.Header, r.Body)
		}
		lines, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil || len(lines) == 0 {
			t.Fatalf("CSV %s?%s: %v", user, query, err)
		}
		out := map[string]map[string]string{}
		for _, l := range lines[1:] {
			row := map[string]string{}
			for i, h := range lines[0] {
				row[h] = l[i]
			}
			out[row["process_id"]] = row
		}
		if strings.Contains(string(r.Body), secret) != (out[secret] != nil) {
			t.Errorf("CSV %s?%s names the secret requisition outside its row", user, query)
		}
		return out
	}
	rows := csvRows("sales.rep", "total_min=2000&total_max=50000")
	if len(rows) != 2 || rows[p2]["total"] != "2000.00" || rows[p2]["amount"] != "2000.00" || rows[p2]["matrix_version"] != "1" ||
		rows[p4]["total"] != "2500.00" || rows[p4]["amount"] != "" || rows[p4]["matrix_version"] != "2" {
		t.Errorf("sales.rep's CSV = %v", rows)
	}
	if rows := csvRows("sales.head", "total_min=2000&total_max=50000"); len(rows) != 3 || rows[secret]["level"] != "secret" || rows[secret]["total"] != "3000.00" {
		t.Errorf("sales.head's CSV = %v", rows)
	}
	if rows := csvRows("sales.rep", "matrix_version=1&amount_min=980&amount_max=980.01"); len(rows) != 1 || rows[p1]["amount"] != "980.00" {
		t.Errorf("sales.rep's CSV of p1 = %v", rows)
	}
	if rows := csvRows("fin.clerk", "matrix_version=1"); len(rows) != 1 || rows[p1] == nil {
		t.Errorf("fin.clerk's CSV = %v", rows)
	}

	// Bad numbers: 400 naming the parameter, in JSON and CSV alike.
	for _, q := range []string{"amount_min=abc", "amount_max=NaN", "total_min=Inf", "total_max=-Infinity", "matrix_version=0x1",
		"matrix_version=1e400", "matrix_version=1_0", "amount_min=3000&amount_max=2000", "total_min=1%2C5"} {
		for _, format := range []string{"", "&format=csv"} {
			e := s.wantError(s.call("sales.rep", "GET", base+"?"+q+format, nil), http.StatusBadRequest, "invalid")
			field, _, _ := strings.Cut(q, "=")
			if fields, _ := e["fields"].(map[string]any); fields[field] == nil || len(fields) != 1 {
				t.Errorf("?%s%s: fields = %v, want one for %s", q, format, e["fields"], field)
			}
		}
	}
	e := s.wantError(s.call("sales.rep", "GET", base+"?total_min=50000&total_max=2000", nil), http.StatusBadRequest, "invalid")
	if got := e["fields"].(map[string]any)["total_min"]; got != "must not be greater than total_max" {
		t.Errorf("min above max: %v", got)
	}
}
