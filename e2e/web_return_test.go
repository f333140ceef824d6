package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWebReturnSlip: a return slip in the web inbox. sales.rep opens it
// with the start form; its page shows the slip with the start form's
// labels and the computed amount, who holds its copies (copy 1 only, until
// it is approved; then the warehouse, finance and sales), the register
// entry with the reconciliation rounds and the voucher. The return
// register page filters and exports CSV. The screenshots are the README's.
func TestWebReturnSlip(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	customer := "华联超市 " + s.nonce
	rep := w.person(t)
	rep.signIn("sales.rep")
	var id string

	t.Run("sales.rep opens a return slip", func(t *testing.T) {
		rep := rep.in(t)
		rep.open("/start")
		if st := rep.submit(`a[href="/start/return"]`); st != http.StatusOK {
			t.Fatalf("start page: %d", st)
		}
		rep.fill(map[string]string{"f-customer": customer, "f-product": "生抽 500ml", "f-batch": "B2026-11-03",
			"f-production_date": "2026-11-03", "f-production_unit": "二车间", "f-shift": "早班", "f-operator": "李师傅",
			"f-quantity": "100", "f-unit": "箱", "f-unit_price": "48.5", "f-reason": "包装破损", "f-handling": "credit",
			"f-basis": "客户验收记录 2026-11-20"})
		if st := rep.submit("#start-submit"); st != http.StatusOK {
			t.Fatalf("submit: status %d at %s", st, rep.location())
		}
		var ok bool
		id, ok = strings.CutPrefix(strings.Split(rep.location(), "?")[0], "/processes/")
		if !ok {
			t.Fatalf("after starting: at %s", rep.location())
		}
		// The slip, by the start form's labels; the amount computed.
		summary := rep.text("#h-summary + dl")
		for _, want := range []string{"客户", customer, "生产单位", "二车间", "处理方式", "退款", "金额（元）", "4850"} {
			if !strings.Contains(summary, want) {
				t.Errorf("the slip lacks %q: %s", want, summary)
			}
		}
		// Copy 1 stays with sales; nobody else holds one yet.
		if got := rep.text("#copies"); !strings.Contains(got, "第1联 销售部") || strings.Contains(got, "第2联") {
			t.Errorf("copies before approval = %q", got)
		}
		if got := rep.text(`#register-entry [data-column="stage"] dd`); got == "" {
			t.Error("the register entry has no stage")
		}
	})

	t.Run("the warehouse cannot open it before approval", func(t *testing.T) {
		wh := w.person(t)
		wh.signIn("wh.clerk")
		if st := wh.open("/processes/" + id); st != http.StatusNotFound {
			t.Fatalf("wh.clerk before approval: %d, want 404", st)
		}
		wh.open("/registers/return")
		if wh.has(fmt.Sprintf(`a[href="/processes/%s"]`, id)) {
			t.Fatal("the warehouse's register lists the slip before approval")
		}
	})

	s.settleReturn(id, 98)
	s.waitProcess(id, "completed")
	var voucher string
	if err := s.pool.QueryRow(t.Context(), `SELECT number FROM vouchers WHERE process_id = $1`, id).Scan(&voucher); err != nil {
		t.Fatal(err)
	}

	t.Run("the slip after reconciliation", func(t *testing.T) {
		rep := rep.in(t)
		rep.open("/processes/" + id)
		copies := rep.text("#copies")
		for _, want := range []string{"第1联 销售部（开单部门）", "第2联 仓储部", "第3联 财务部", "第4联 销售部"} {
			if !strings.Contains(copies, want) {
				t.Errorf("copies = %q, want %q", copies, want)
			}
		}
		if got := rep.text(`#register-entry [data-column="voucher"] dd`); got != voucher {
			t.Errorf("voucher shown = %q, want %s", got, voucher)
		}
		for col, want := range map[string]string{"rounds": "2", "has_discrepancy": "是", "received_quantity": "98",
			"amount": "4753.00", "result": "已退款", "received_by": "wh.clerk"} {
			if got := rep.text(fmt.Sprintf(`#register-entry [data-column=%q] dd`, col)); got != want {
				t.Errorf("register entry %s = %q, want %q", col, got, want)
			}
		}
		rounds := `table[data-detail="reconciliations"] tbody tr`
		if got := rep.text(rounds + `:nth-child(1)`); !strings.Contains(got, "数量不符") || !strings.Contains(got, "更正退货单") ||
			!strings.Contains(got, "fin.clerk") || !strings.Contains(got, "客户确认少退") {
			t.Errorf("round 1 = %q", got)
		}
		if got := rep.text(rounds + `:nth-child(2)`); !strings.Contains(got, "数量相符") || !strings.Contains(got, "98") {
			t.Errorf("round 2 = %q", got)
		}
		if rep.has(rounds + `:nth-child(3)`) {
			t.Error("more than two rounds shown")
		}
		if got := rep.text(".tl-voucher_issued"); !strings.Contains(got, voucher) {
			t.Errorf("the timeline's voucher entry = %q", got)
		}
		rep.shot("return-slip.png", 1280)

		// In English, the labels are English; only what people typed is not.
		if st := rep.submit("a.lang"); st != http.StatusOK {
			t.Fatalf("language switch: %d", st)
		}
		for _, sel := range []string{"#copies", "#h-entry", "#register-entry dt", `table[data-detail="reconciliations"] thead`,
			`#register-entry [data-column="result"] dd`, `table[data-detail="reconciliations"] td[data-column="outcome"]`} {
			if got := rep.text(sel); han.MatchString(got) {
				t.Errorf("English page: %s has Chinese in it: %q", sel, got)
			}
		}
		if got := rep.text("#copies"); !strings.Contains(got, "Copy 2: Warehouse") {
			t.Errorf("English copies = %q", got)
		}
		rep.submit("a.lang")
	})

	t.Run("the warehouse holds copy 2 now", func(t *testing.T) {
		wh := w.person(t)
		wh.signIn("wh.clerk")
		if st := wh.open("/processes/" + id); st != http.StatusOK || !wh.has(`#register-entry [data-column="voucher"]`) {
			t.Fatalf("wh.clerk after approval: %d", st)
		}
	})

	t.Run("the return register", func(t *testing.T) {
		rep := rep.in(t)
		rep.open("/processes")
		if st := rep.submit(`.mainnav a[href="/registers"]`); st != http.StatusOK || !strings.HasPrefix(rep.location(), "/registers/") {
			t.Fatalf("the nav's register link: %d at %s", st, rep.location())
		}
		rep.open("/registers/return")
		row := fmt.Sprintf(`tr:has(a[href="/processes/%s"])`, id)
		if !rep.has(row) {
			t.Fatal("the register lacks the slip")
		}
		if got := rep.text(row + ` td[data-column="voucher"]`); got != voucher {
			t.Errorf("the register's voucher = %q, want %s", got, voucher)
		}
		if got := rep.text(row + ` td[data-column="handling"]`); got != "退款" {
			t.Errorf("handling = %q, want 退款", got)
		}

		// The filters are the API's: one that matches, one that does not,
		// and a bad value the API refuses with its field message.
		rep.open("/registers/return?has_discrepancy=true&handling=credit&customer=" + customer)
		if !rep.has(row) || rep.value("#rf-handling") != "credit" {
			t.Error("the matching filters do not show the slip")
		}
		rep.open("/registers/return?handling=replace")
		if rep.has(row) || !rep.has(".empty-state") {
			t.Error("handling=replace shows the slip")
		}
		if st := rep.open("/registers/return?opened_after=not-a-date"); st != http.StatusBadRequest ||
			!rep.has(`.field-error[data-field="opened_after"]`) {
			t.Errorf("a bad filter: status %d, want 400 with the field's message", st)
		}
		if st := rep.open("/registers/approval"); st != http.StatusNotFound {
			t.Errorf("a kind without a register: %d, want 404", st)
		}

		// The CSV download link exports what the filters select.
		rep.open("/registers/return?has_discrepancy=true")
		href, err := chromedp.Run(rep.ctx, chromedp.AttributeValue(chromedp.CSS("#register-csv"), "href"))
		if err != nil || href.Value != "/registers/return/csv?has_discrepancy=true" {
			t.Fatalf("CSV link = %q (%v)", href.Value, err)
		}
		body, err := chromedp.Run(rep.ctx, chromedp.Evaluate[string](
			`fetch("/registers/return/csv?has_discrepancy=true").then(async r => r.headers.get("Content-Disposition") + "\n" + await r.text())`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if len(lines) != 3 || lines[0] != `attachment; filename="returns.csv"` || !strings.HasPrefix(lines[1], "process_id,state,stage,") ||
			!strings.HasPrefix(lines[2], id+",completed,closed,") || !strings.Contains(lines[2], voucher) {
			t.Errorf("CSV download =\n%s", body)
		}
	})
}
