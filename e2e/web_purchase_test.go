package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWebPurchase: a purchase requisition in the web inbox. sales.rep
// fills the requisition's items table (two lines) and lands on its page,
// which shows the lines with their amounts and the computed total and the
// route the approval matrix gave; pur.buyer works the sourcing task —
// the suppliers offered by name, two quotes and the choice typed into
// the quotes table —; sales.head sees the quotes side by side and
// approves; the requisition's page shows the route with its matrix
// version and where each step stands, and the quotes with the chosen one
// marked. Once finance, the buyer, the warehouse and finance again have
// worked the rest through the API, the page shows the order number, the
// delivery date, receiving and payment. The screenshot is the README's.
func TestWebPurchase(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	// The demo suppliers the test quotes (zhidu dev seeds them; the
	// demo data of this database may already hold them).
	for _, sup := range [][]string{{"sup-huadong", "华东精密机械有限公司"}, {"sup-jincheng", "宁波金诚五金制品厂"}} {
		if _, err := s.pool.Exec(context.Background(), `INSERT INTO suppliers (id, name, qualified, supply_state, created_by, created_at, updated_at)
			VALUES ($1, $2, true, 'approved', 'pur.head', now(), now()) ON CONFLICT DO NOTHING`, sup[0], sup[1]); err != nil {
			t.Fatal(err)
		}
	}
	reason := "二号线检修备件 " + s.nonce
	rep := w.person(t)
	rep.signIn("sales.rep")
	var id string

	t.Run("sales.rep submits a requisition of two lines", func(t *testing.T) {
		rep := rep.in(t)
		rep.open("/start")
		if st := rep.submit(`a[href="/start/purchase"]`); st != http.StatusOK {
			t.Fatalf("start page: %d", st)
		}
		if !rep.has("#f-items-1-name") {
			t.Fatal("the start page's items table has no second row")
		}
		rep.fill(map[string]string{
			"f-items-0-name": "轴承 6204", "f-items-0-spec": "SKF", "f-items-0-quantity": "20", "f-items-0-unit": "个", "f-items-0-unit_price": "45.5",
			"f-items-1-name": "润滑脂", "f-items-1-quantity": "3", "f-items-1-unit": "桶", "f-items-1-unit_price": "316.67",
			"f-reason": reason, "f-kind": "temporary", "f-urgency": "urgent"})
		if st := rep.submit("#start-submit"); st != http.StatusOK {
			t.Fatalf("submit: status %d at %s: %s", st, rep.location(), rep.text("main"))
		}
		var ok bool
		id, ok = strings.CutPrefix(strings.Split(rep.location(), "?")[0], "/processes/")
		if !ok || !rep.has(".alert-ok") {
			t.Fatalf("after submitting: at %s", rep.location())
		}
		if got := rep.text("#requisition-total"); got != "1860.01" {
			t.Errorf("total = %q, want 1860.01 (20 × 45.50 + 3 × 316.67)", got)
		}
		for row, want := range []string{"轴承 6204 SKF 20 个 45.50 910.00", "润滑脂 — 3 桶 316.67 950.01"} {
			if got := rep.text(fmt.Sprintf("#requisition-items tbody tr:nth-child(%d)", row+1)); got != want {
				t.Errorf("line %d = %q, want %q", row+1, got, want)
			}
		}
		if rep.has("#requisition-items tbody tr:nth-child(3)") {
			t.Error("the blank rows of the table became lines")
		}
		// A temporary small purchase: the department head, then finance's
		// review, by the active matrix version.
		if got := rep.text("#route-matrix"); !strings.HasPrefix(got, "审批矩阵第 1 版，规则 ") {
			t.Errorf("route's matrix = %q", got)
		}
		if got := rep.text("#route-taken"); !strings.Contains(got, "部门经理审批 销售部 未开始") || !strings.Contains(got, "经办审核 财务部 未开始") {
			t.Errorf("route = %q", got)
		}
		if n := s.count(`SELECT count(*) FROM processes WHERE id = $1 AND kind = 'purchase' AND started_by = 'sales.rep'
			AND input->>'total' = '1860.01' AND jsonb_array_length(input->'items') = 2`, id); n != 1 {
			t.Fatal("the requisition is not stored with its two lines and total")
		}
	})

	buyer := w.person(t)
	buyer.signIn("pur.buyer")

	t.Run("pur.buyer records two quotes and the choice", func(t *testing.T) {
		buyer := buyer.in(t)
		task := s.waitTask(id, "sourcing")
		buyer.open("/tasks/" + task)
		if st := buyer.submit("#claim"); st != http.StatusOK {
			t.Fatalf("claim: %d", st)
		}
		if got := buyer.text(`#f-quotes-0-supplier option[value="sup-huadong"]`); got != "华东精密机械有限公司" {
			t.Errorf("the supplier choice is labelled %q, want its name", got)
		}
		if got := buyer.text(`#suppliers-table tr[data-supplier="sup-jincheng"]`); !strings.Contains(got, "宁波金诚五金制品厂") {
			t.Errorf("the suppliers table lacks 金诚: %q", got)
		}
		date := deliveryDate()
		buyer.fill(map[string]string{
			"f-quotes-0-supplier": "sup-huadong", "f-quotes-0-unit_price": "80", "f-quotes-0-delivery_date": date, "f-quotes-0-terms": "月结 30 天",
			"f-quotes-1-supplier": "sup-jincheng", "f-quotes-1-unit_price": "85", "f-quotes-1-amount": "1900", "f-quotes-1-delivery_date": date,
			"f-chosen": "sup-huadong", "f-reason": "价格最低，交期可接受"})
		buyer.shot("purchase-sourcing.png", 1280)
		if st := buyer.submit(`button[data-outcome="choose"]`); st != http.StatusOK || buyer.text(".alert-ok") != "已提交。" {
			t.Fatalf("complete: status %d at %s", st, buyer.location())
		}
		if n := s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND state = 'completed' AND data->>'chosen' = 'sup-huadong'
			AND jsonb_array_length(data->'quotes') = 2`, task); n != 1 {
			t.Fatal("the sourcing task did not record the two quotes and the choice")
		}
		// The result names the suppliers.
		if got := buyer.text("#h-form + p + dl"); !strings.Contains(got, "华东精密机械有限公司") || !strings.Contains(got, "宁波金诚五金制品厂") {
			t.Errorf("the result = %q", got)
		}
	})

	t.Run("sales.head sees the quotes and approves", func(t *testing.T) {
		head := w.person(t)
		head.signIn("sales.head")
		task := s.waitTask(id, "approval_dept_head")
		head.open("/tasks/" + task)
		if got := head.text(`#quotes-table tr.chosen`); !strings.Contains(got, "华东精密机械有限公司") || !strings.Contains(got, "1840.00") {
			t.Errorf("the chosen quote = %q (80 × 23 = 1840.00)", got)
		}
		if got := head.text(`#quotes-table tr[data-supplier="sup-jincheng"]`); !strings.Contains(got, "宁波金诚五金制品厂") || !strings.Contains(got, "1900.00") {
			t.Errorf("the other quote = %q", got)
		}
		if !head.has(`#route-taken li.current[data-step="approval_dept_head"]`) {
			t.Error("the head's step is not marked on the route")
		}
		if st := head.submit("#claim"); st != http.StatusOK {
			t.Fatalf("claim: %d", st)
		}
		head.fill(map[string]string{"f-opinion": "同意采购"})
		if st := head.submit(`button[data-outcome="approve"]`); st != http.StatusOK || head.text(".alert-ok") != "已提交。" {
			t.Fatalf("approve: status %d at %s", st, head.location())
		}
	})

	fin := s.waitTask(id, "approval_staff")

	t.Run("the requisition's page after the head's approval", func(t *testing.T) {
		rep := rep.in(t)
		rep.open("/processes/" + id)
		head := `#route-taken li[data-step="approval_dept_head"]`
		if got := rep.text(head); !rep.has(head+`[data-state="approved"]`) || !strings.Contains(got, "同意 sales.head") {
			t.Errorf("the head's step = %q", got)
		}
		if !rep.has(`#route-taken li[data-step="approval_staff"][data-state="open"]`) {
			t.Errorf("finance's review is not shown open: %q", rep.text("#route-taken"))
		}
		if got := rep.text("#route-reason"); !strings.Contains(got, "匹配规则") {
			t.Errorf("the rule's reason = %q", got)
		}
		chosen := `#quotes-table tr.chosen`
		if got := rep.text(chosen); !strings.Contains(got, "华东精密机械有限公司") || !strings.Contains(got, "✓ 选定") || !rep.has(chosen+`[data-supplier="sup-huadong"]`) {
			t.Errorf("the chosen quote = %q", got)
		}
		if rep.has(`#quotes-table tr.chosen[data-supplier="sup-jincheng"]`) {
			t.Error("the other quote is marked chosen too")
		}
		if got := rep.text("#quotes-choice"); !strings.Contains(got, "价格最低，交期可接受") || !strings.Contains(got, "pur.buyer") {
			t.Errorf("the choice = %q", got)
		}
	})

	// The rest through the API: finance's review, the order, the
	// delivery, receiving and payment.
	s.work("fin.clerk", fin, "approve", nil)
	s.work("pur.buyer", s.waitTask(id, "purchase_order"), "order", map[string]any{"delivery_date": deliveryDate()})
	s.work("pur.buyer", s.waitTask(id, "delivery"), "delivered", nil)
	s.work("wh.clerk", s.waitTask(id, "receiving"), "accept", inspectedOK)
	s.work("fin.clerk", s.waitTask(id, "payment"), "paid", map[string]any{"amount": 1840, "settlement": "monthly"})
	s.waitProcess(id, "completed")
	var order string
	if err := s.pool.QueryRow(context.Background(), `SELECT number FROM vouchers WHERE process_id = $1`, id).Scan(&order); err != nil {
		t.Fatal(err)
	}

	t.Run("the requisition's page once paid", func(t *testing.T) {
		rep := rep.in(t)
		deadline := time.Now().Add(10 * time.Second)
		for rep.open("/processes/" + id); !rep.has(`#register-entry [data-column="paid_amount"]`) && time.Now().Before(deadline); rep.open("/processes/" + id) {
			time.Sleep(100 * time.Millisecond) // the register entry is written as the process ends
		}
		for col, want := range map[string]string{"order": order, "delivery_date": deliveryDate(), "received_by": "wh.clerk",
			"paid_amount": "1840.00", "result": "已付款", "stage": "已结案"} {
			if got := rep.text(fmt.Sprintf(`#register-entry [data-column=%q] dd`, col)); got != want {
				t.Errorf("register entry %s = %q, want %q", col, got, want)
			}
		}
		if n := strings.Count(rep.text("#route-taken"), "同意"); n != 2 {
			t.Errorf("route once approved = %q", rep.text("#route-taken"))
		}
		if rep.has(`#register-entry [data-column="route"]`) || rep.has(`table[data-detail="quotes"]`) {
			t.Error("the register entry repeats the route or the quotes the cards show")
		}
		rep.shot("purchase.png", 1280)

		// In English, the labels are English; only what people typed is not.
		if st := rep.submit("a.lang"); st != http.StatusOK {
			t.Fatalf("language switch: %d", st)
		}
		for _, sel := range []string{"#h-requisition", "#requisition-items thead", "#requisition-items tfoot th", "#route-matrix",
			"#route-taken .route-label", "#route-taken .route-status", "#quotes-table thead", "#quotes-table .chosen-mark", "#quotes-choice dt"} {
			if got := rep.text(sel); han.MatchString(got) {
				t.Errorf("English page: %s has Chinese in it: %q", sel, got)
			}
		}
		if got := rep.text("#route-matrix"); !strings.HasPrefix(got, "Approval matrix version 1, rule ") {
			t.Errorf("English route's matrix = %q", got)
		}
		rep.submit("a.lang")
	})
}
