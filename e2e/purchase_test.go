package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/matrix"
)

// requisitionBody is a regular monthly plan: 100 × ¥25 = ¥2,500.
func requisitionBody(changes map[string]any) map[string]any {
	b := map[string]any{
		"items":  []any{map[string]any{"name": "A4 复印纸", "spec": "70g 500张/包", "quantity": 100, "unit": "包", "unit_price": 25}},
		"reason": "月度办公用品计划", "kind": "regular", "urgency": "normal",
	}
	for k, v := range changes {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// deliveryDate is a week from now in the company's time zone.
func deliveryDate() string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Now().In(loc).AddDate(0, 0, 7).Format(time.DateOnly)
}

func quoteRow(supplier string, price float64) map[string]any {
	return map[string]any{"supplier": supplier, "unit_price": price, "delivery_date": deliveryDate(), "terms": "月结 30 天"}
}

var inspectedOK = map[string]any{"delivery_note": "SH-20261202-01", "name_ok": true, "spec_ok": true, "quantity_ok": true,
	"unit_price_ok": true, "amount_ok": true, "quality_ok": true, "received_quantity": 100}

// TestPurchaseThroughAPI follows a requisition of the sales head through
// the API as the demo users: routed by the matrix's active version, which
// it records; sourcing refuses a blacklisted supplier by name; the head's
// own step climbs to the VP in charge, since the requester approves
// nothing; the buyer orders (a PO number), confirms the delivery and may
// not receive it; the warehouse rejects the first delivery into a
// supplier return, which the supplier replaces; the replacement is
// stocked and finance pays.
func TestPurchaseThroughAPI(t *testing.T) {
	s := newStack(t)
	before := s.count(`SELECT count(*) FROM processes`)
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no items", requisitionBody(map[string]any{"items": []any{}}), "items"},
		{"a line without quantity", requisitionBody(map[string]any{"items": []any{map[string]any{"name": "笔", "quantity": 0, "unit": "支", "unit_price": 1}}}), "items[0].quantity"},
		{"a price in tenths of a fen", requisitionBody(map[string]any{"items": []any{map[string]any{"name": "笔", "quantity": 1, "unit": "支", "unit_price": 1.001}}}), "items[0].unit_price"},
		{"important without a project", requisitionBody(map[string]any{"kind": "important"}), "project"},
		{"an unknown project", requisitionBody(map[string]any{"kind": "project", "project": "moon-base"}), "project"},
		{"an unknown kind", requisitionBody(map[string]any{"kind": "lavish"}), "kind"},
		{"an unknown field", requisitionBody(map[string]any{"budget": 1}), "budget"},
		{"above the clearance", requisitionBody(map[string]any{"level": "confidential"}), "level"},
	} {
		e := s.wantError(s.call("sales.head", "POST", "/api/v1/processes/purchase", tc.body), http.StatusBadRequest, "invalid")
		if _, ok := e["fields"].(map[string]any)[tc.field]; !ok {
			t.Errorf("%s: fields = %v, want %s", tc.name, e["fields"], tc.field)
		}
	}
	if r := s.call("sales.head", "POST", "/api/v1/processes/purchase", requisitionBody(map[string]any{"reason": "nul\x00"})); r.Status != http.StatusBadRequest {
		t.Errorf("a NUL byte: %d", r.Status)
	}
	if n := s.count(`SELECT count(*) FROM processes`); n != before {
		t.Fatalf("refused starts left %d processes", n-before)
	}

	p := s.must(http.StatusCreated, s.call("sales.head", "POST", "/api/v1/processes/purchase", requisitionBody(nil)))
	id := p["id"].(string)
	in := p["input"].(map[string]any)
	if in["total"] != 2500.0 || in["matrix_version"] != 1.0 || in["route"] != "dept_head@sales → staff@fin → gm@gmo" {
		t.Fatalf("stored input = %v", in)
	}

	// Sourcing: a blacklisted supplier is refused with its reason.
	sourcing := s.waitTask(id, "sourcing")
	s.must(http.StatusOK, s.call("pur.buyer", "POST", "/api/v1/tasks/"+sourcing+"/claim", nil))
	e := s.wantError(s.call("pur.buyer", "POST", "/api/v1/tasks/"+sourcing+"/complete", map[string]any{"outcome": "choose",
		"data": map[string]any{"quotes": []any{quoteRow("sup-huadong", 24.5), quoteRow("sup-shunda", 20)}, "chosen": "sup-huadong", "reason": "价格最低"}}),
		http.StatusBadRequest, "invalid")
	if msg, _ := e["fields"].(map[string]any)["data.quotes[1].supplier"].(string); !strings.Contains(msg, "以次充好") {
		t.Errorf("blacklisted quote: %v", e["fields"])
	}
	s.must(http.StatusOK, s.call("pur.buyer", "POST", "/api/v1/tasks/"+sourcing+"/complete", map[string]any{"outcome": "choose",
		"data": map[string]any{"quotes": []any{quoteRow("sup-huadong", 24.5), quoteRow("sup-jincheng", 26)}, "chosen": "sup-huadong", "reason": "价格最低"}}))

	// The requester's own department head step: sales.head may not; the
	// VP in charge of sales works it.
	head := s.waitTask(id, "approval_dept_head")
	if r := s.call("sales.head", "POST", "/api/v1/tasks/"+head+"/claim", nil); r.Status == http.StatusOK {
		t.Fatal("the requester claimed their own approval")
	}
	s.work("vp.ops", head, "approve", map[string]any{"opinion": "同意"})
	s.work("fin.clerk", s.waitTask(id, "approval_staff"), "approve", nil)
	s.work("gm", s.waitTask(id, "approval_gm"), "approve", nil)

	order := s.waitTask(id, "purchase_order")
	if e := s.wantError(s.callWork("pur.buyer", order, "order", map[string]any{"delivery_date": "2020-01-01"}), http.StatusBadRequest, "invalid"); e["fields"].(map[string]any)["data.delivery_date"] == nil {
		t.Errorf("a delivery date in the past: %v", e)
	}
	s.must(http.StatusOK, s.call("pur.buyer", "POST", "/api/v1/tasks/"+order+"/complete",
		map[string]any{"outcome": "order", "data": map[string]any{"delivery_date": deliveryDate()}}))
	s.work("pur.buyer", s.waitTask(id, "delivery"), "delivered", nil)

	receiving := s.waitTask(id, "receiving")
	if r := s.call("pur.buyer", "POST", "/api/v1/tasks/"+receiving+"/claim", nil); r.Status == http.StatusOK {
		t.Fatal("the buyer claimed the receiving of their own order")
	}
	if e := s.wantError(s.callWork("wh.clerk", receiving, "accept", map[string]any{"delivery_note": "SH-1", "name_ok": true, "spec_ok": true,
		"quantity_ok": true, "unit_price_ok": true, "amount_ok": true, "quality_ok": false, "received_quantity": 100}), http.StatusBadRequest, "invalid"); e["fields"].(map[string]any)["data.quality_ok"] == nil {
		t.Errorf("stocking goods that failed the check: %v", e)
	}
	reject := map[string]any{"delivery_note": "SH-1", "name_ok": true, "spec_ok": true, "quantity_ok": true, "unit_price_ok": true,
		"amount_ok": true, "quality_ok": false, "received_quantity": 100, "rejected_quantity": 100, "defect": "纸张受潮"}
	s.must(http.StatusOK, s.call("wh.clerk", "POST", "/api/v1/tasks/"+receiving+"/complete", map[string]any{"outcome": "reject", "data": reject}))

	// The supplier return, a child of the purchase.
	var child string
	deadline := time.Now().Add(20 * time.Second)
	for child == "" && time.Now().Before(deadline) {
		_ = s.pool.QueryRow(context.Background(), `SELECT id FROM processes WHERE kind = 'supplier_return' AND started_by = 'wh.clerk'`).Scan(&child)
		time.Sleep(20 * time.Millisecond)
	}
	if child == "" {
		t.Fatal("no supplier return started")
	}
	c := s.must(http.StatusOK, s.call("quality.head", "GET", "/api/v1/processes/"+child, nil))
	if ci := c["input"].(map[string]any); ci["supplier"] != "华东精密机械有限公司" || ci["quantity"] != 100.0 || !strings.HasPrefix(ci["batch"].(string), "PO-") {
		t.Errorf("supplier return input = %v", ci)
	}
	s.work("quality.head", s.waitTask(child, "quality_confirm"), "confirm", map[string]any{"findings": "纸张受潮"})
	s.work("pur.buyer", s.waitTask(child, "purchasing"), "sent", map[string]any{"supplier_contact": "王经理 138-0000-2222"})
	s.work("pur.buyer", s.waitTask(child, "supplier_response"), "replace", map[string]any{"notes": "换货"})
	s.waitProcess(child, "completed")

	// The replacement is inspected and stocked; finance pays.
	var second string
	deadline = time.Now().Add(20 * time.Second)
	for second == "" || second == receiving {
		second = s.waitTask(id, "receiving")
		if time.Now().After(deadline) {
			t.Fatal("no second receiving")
		}
	}
	s.work("wh.clerk", second, "accept", inspectedOK)
	pay := s.waitTask(id, "payment")
	if e := s.wantError(s.callWork("fin.clerk", pay, "paid", map[string]any{"amount": 2000, "settlement": "monthly"}), http.StatusBadRequest, "invalid"); e["fields"].(map[string]any)["data.amount"] == nil {
		t.Errorf("a short payment: %v", e)
	}
	s.must(http.StatusOK, s.call("fin.clerk", "POST", "/api/v1/tasks/"+pay+"/complete",
		map[string]any{"outcome": "paid", "data": map[string]any{"amount": 2400, "discount": 50, "settlement": "monthly"}}))
	s.waitProcess(id, "completed")

	var number, series string
	if err := s.pool.QueryRow(context.Background(), `SELECT number, series FROM vouchers WHERE process_id = $1`, id).Scan(&number, &series); err != nil ||
		series != "PO" || !strings.HasPrefix(number, "PO-") {
		t.Errorf("order number %q %q: %v", number, series, err)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'purchase_order.issue' AND object = $1`, "process:"+id); n != 1 {
		t.Errorf("%d audit entries for the order number, want 1", n)
	}
	row := s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/registers/purchase/"+id, nil))
	r, _ := row["row"].(map[string]any)
	if r == nil {
		r = row
	}
	if r["result"] != "paid" || r["order"] != number || r["supplier"] != "华东精密机械有限公司" || r["matrix_version"] != 1.0 ||
		r["company_credit"] != 50.0 || r["received_by"] != "wh.clerk" {
		t.Errorf("register row = %v", r)
	}
}

// callWork claims a task (if not yet claimed by user) and tries to
// complete it, returning the completion's response.
func (s *stack) callWork(user, taskID, outcome string, data map[string]any) response {
	s.t.Helper()
	_ = s.call(user, "POST", "/api/v1/tasks/"+taskID+"/claim", nil)
	return s.call(user, "POST", "/api/v1/tasks/"+taskID+"/complete", map[string]any{"outcome": outcome, "data": data})
}

// TestPurchaseMatrixEditInFlight: a request keeps the route of the
// version it was submitted under when the matrix changes between two of
// its steps; a request after the change takes the new route.
func TestPurchaseMatrixEditInFlight(t *testing.T) {
	s := newStack(t)
	small := requisitionBody(map[string]any{"kind": "temporary", "items": []any{map[string]any{"name": "订书钉", "quantity": 10, "unit": "盒", "unit_price": 25}}})
	id := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/processes/purchase", small))["id"].(string)
	s.work("pur.buyer", s.waitTask(id, "sourcing"), "choose", map[string]any{"quotes": []any{quoteRow("sup-huadong", 24)},
		"chosen": "sup-huadong", "reason": "唯一报价"})
	head := s.waitTask(id, "approval_dept_head")

	// Version 2: temporary purchases up to ¥2,000 need no finance review.
	doc := matrixDoc(t, func(m *matrix.Matrix) { m.Rules[3].Steps = m.Rules[3].Steps[:1] })
	processID := s.must(http.StatusCreated, s.call("secadmin", "PUT", "/api/v1/admin/approval-matrix", doc))["proposal"].(map[string]any)["process_id"].(string)
	s.work("gm", s.waitTask(processID, "matrix_approval"), "approve", map[string]any{"opinion": "同意"})
	s.waitProcess(processID, "completed")

	// The request in flight keeps version 1: finance still reviews it.
	s.work("sales.head", head, "approve", nil)
	s.waitTask(id, "approval_staff")
	p := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes/"+id, nil))
	if in := p["input"].(map[string]any); in["matrix_version"] != 1.0 || in["route"] != "dept_head@sales → staff@fin" {
		t.Errorf("in flight: %v", in)
	}
	// A new request takes version 2.
	p = s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/processes/purchase", small))
	if in := p["input"].(map[string]any); in["matrix_version"] != 2.0 || in["route"] != "dept_head@sales" {
		t.Errorf("after the change: %v", in)
	}
}

// TestPurchaseRecusalDeclaredInFlight: an interest declared while an
// approval is open takes the declarer off it at once — the claim is
// refused and the task's exclusions and timeline say so.
func TestPurchaseRecusalDeclaredInFlight(t *testing.T) {
	s := newStack(t)
	id := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/processes/purchase", requisitionBody(nil)))["id"].(string)
	s.work("pur.buyer", s.waitTask(id, "sourcing"), "choose", map[string]any{
		"quotes": []any{quoteRow("sup-huadong", 24.5), quoteRow("sup-jincheng", 26)}, "chosen": "sup-huadong", "reason": "价格最低"})
	head := s.waitTask(id, "approval_dept_head")
	s.must(http.StatusCreated, s.call("sales.head", "POST", "/api/v1/suppliers/sup-jincheng/conflicts", map[string]any{"reason": "配偶持股"}))
	deadline := time.Now().Add(20 * time.Second)
	for s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND 'sales.head' = ANY(excluded)`, head) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the declarer is not excluded from the open approval")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := s.call("sales.head", "POST", "/api/v1/tasks/"+head+"/claim", nil); r.Status == http.StatusOK {
		t.Error("the declarer claimed the approval")
	}
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'recused'`, id); n != 1 {
		t.Errorf("%d recusal entries in the timeline, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'task.recuse' AND object = $1`, "process:"+id); n != 1 {
		t.Errorf("%d recusal audit entries, want 1", n)
	}
}
