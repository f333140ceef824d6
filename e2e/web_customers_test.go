package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWebCustomers: customer files in the web inbox. sales.rep follows the
// navigation to the list, registers a customer (a phone number that is not
// one gets the API's message by the field, what was typed kept) and lands
// on the file; sales.mentor registering the same number gets the API's
// notice naming the file, mkt.head one naming none (and the file is not
// found for them). On the file sales.rep records a visit and a call, files
// a draft order, signs it, asks for a change of it, edits the contact
// details and reports a problem; the history shows each change;
// sales.mentor contests the crossing case. sales.head's view of the file
// and of the month's report (a bar per row and figure in each chart) are
// the README's screenshots; the report's CSV is the API's. The blacklist:
// mkt.head's decision (through the API) shows as the file's badge and on
// the blacklist page, where mkt.head takes it off again; cs.agent gets
// the API's 403 there and 404 for the file.
func TestWebCustomers(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	name := "华联超市 " + s.nonce
	rep := w.person(t)
	rep.signIn("sales.rep")
	var id string

	t.Run("sales.rep registers a customer", func(t *testing.T) {
		rep := rep.in(t)
		if st := rep.submit("#nav-customers"); st != http.StatusOK || rep.location() != "/customers" {
			t.Fatalf("the nav's customers link: %d at %s", st, rep.location())
		}
		rep.fill(map[string]string{"register-f-name": name, "register-f-class": "vip", "register-f-phone": "12ab",
			"register-f-contact": "李经理，上海市浦东新区"})
		if st := rep.submit("#register-submit"); st != http.StatusBadRequest {
			t.Fatalf("a phone that is not one: %d, want 400", st)
		}
		if got := rep.text(`#form-register .field-error[data-field="f.phone"]`); !strings.HasPrefix(got, "须为电话号码") {
			t.Errorf("the phone's message = %q", got)
		}
		if rep.value("#register-f-name") != name {
			t.Error("the form lost the name typed")
		}
		rep.fill(map[string]string{"register-f-phone": "138 0013 8000"})
		if st := rep.submit("#register-submit"); st != http.StatusOK || rep.text(".alert-ok") != "客户已登记。" {
			t.Fatalf("register: %d at %s: %s", st, rep.location(), rep.text("main"))
		}
		var ok bool
		id, ok = strings.CutPrefix(strings.Split(rep.location(), "?")[0], "/customers/")
		if !ok {
			t.Fatalf("after registering: at %s", rep.location())
		}
		for col, want := range map[string]string{"phone": "13800138000", "department": "销售部", "responsible": "sales.rep", "class": "VIP 客户",
			"credit": "sales.rep", "level": "内部"} {
			if got := rep.text(`#customer-file [data-column="` + col + `"] dd`); got != want {
				t.Errorf("%s = %q, want %q", col, got, want)
			}
		}
		rep.open("/customers?phone=13800138000")
		if got := rep.text("#customers-table tbody"); !strings.Contains(got, name+" VIP 客户 销售部 sales.rep 内部") {
			t.Errorf("the list by phone = %q", got)
		}
	})

	t.Run("a second registration is a notice", func(t *testing.T) {
		mentor := w.person(t)
		mentor.signIn("sales.mentor")
		mentor.open("/customers")
		mentor.fill(map[string]string{"register-f-name": "华联", "register-f-class": "preferred", "register-f-phone": "+86 13800138000"})
		if st := mentor.submit("#register-submit"); st != http.StatusConflict || mentor.has(".error-card") {
			t.Fatalf("the same phone: %d, want 409 on the list", st)
		}
		if got := mentor.text("#register-notice"); !strings.HasPrefix(got, "该客户已登记（"+id+"）") {
			t.Errorf("the notice = %q", got)
		}
		if !mentor.has(`#register-notice-link[href="/customers/` + id + `"]`) {
			t.Error("the notice does not link the file sales.mentor may read")
		}
		mkt := w.person(t)
		mkt.signIn("mkt.head")
		mkt.open("/customers")
		mkt.fill(map[string]string{"register-f-name": "别名", "register-f-class": "qualified", "register-f-phone": "13800138000"})
		if st := mkt.submit("#register-submit"); st != http.StatusConflict {
			t.Fatalf("mkt.head, the same phone: %d, want 409", st)
		}
		if got := mkt.text("#register-notice"); strings.Contains(got, id) || !strings.HasPrefix(got, "该客户已登记：") || mkt.has("#register-notice-link") {
			t.Errorf("mkt.head's notice names the file: %q", got)
		}
		if st := mkt.open("/customers/" + id); st != http.StatusNotFound {
			t.Errorf("mkt.head opens sales's file: %d, want 404", st)
		}
	})

	t.Run("sales.rep works the file", func(t *testing.T) {
		rep := rep.in(t)
		rep.open("/customers/" + id)
		for _, c := range [][2]string{{"visit", "deal"}, {"call", "follow_up"}} {
			rep.fill(map[string]string{"contact-f-kind": c[0], "contact-f-outcome": c[1], "contact-f-note": "到店看车"})
			if st := rep.submit("#contact-submit"); st != http.StatusOK || rep.text(".alert-ok") != "来人来电已登记。" {
				t.Fatalf("contact %v: %d at %s", c, st, rep.location())
			}
		}
		// An order line without a quantity: the API's message in its cell.
		rep.fill(map[string]string{"order-f-lines-0-item": "展示货架", "order-f-lines-0-unit_price": "150.5", "order-f-payment_terms": "月结30天"})
		if st := rep.submit("#order-submit"); st != http.StatusBadRequest {
			t.Fatalf("an order line without a quantity: %d, want 400", st)
		}
		if !rep.has(`#form-order .field-error[data-field="f.lines[0].quantity"]`) {
			t.Errorf("no message by the quantity: %s", rep.text("#form-order"))
		}
		rep.fill(map[string]string{"order-f-lines-0-quantity": "2"})
		if st := rep.submit("#order-submit"); st != http.StatusOK || rep.text(".alert-ok") != "订单草稿已保存。" {
			t.Fatalf("a draft order: %d at %s", st, rep.location())
		}
		order := rep.text("#orders-table tbody tr td:first-child")
		if got := rep.text("#orders-table tbody tr"); !strings.Contains(got, "草稿 展示货架 × 2 @ 150.50 = 301.00 月结30天 301.00") {
			t.Errorf("the draft = %q", got)
		}
		if st := rep.submit("#edit-draft-" + order); st != http.StatusOK || rep.value("#draft-"+order+"-f-lines-0-quantity") != "2" {
			t.Fatalf("edit the draft: %d", st)
		}
		rep.fill(map[string]string{"draft-" + order + "-f-lines-0-quantity": "2", "draft-" + order + "-f-payment_terms": "月结30天，货到付款"})
		if st := rep.submit("#draft-" + order + "-submit"); st != http.StatusOK || rep.text(".alert-ok") != "订单草稿已修改。" {
			t.Fatalf("the draft's edit: %d at %s", st, rep.location())
		}
		if got := rep.text(`#orders-table tr[data-order="` + order + `"]`); !strings.Contains(got, "月结30天，货到付款 301.00") {
			t.Errorf("the edited draft = %q", got)
		}
		if st := rep.submit("#sign-" + order); st != http.StatusOK || rep.text(".alert-ok") != "订单已签定。" {
			t.Fatalf("sign: %d", st)
		}
		if got := rep.text(`#orders-table tr[data-order="` + order + `"] td:nth-child(2)`); got != "已签定" {
			t.Errorf("the order's state = %q", got)
		}
		if st := rep.submit("#request-change-" + order); st != http.StatusOK || !rep.has("#form-change-"+order) {
			t.Fatalf("request a change: %d", st)
		}
		if got := rep.value("#change-" + order + "-f-lines-0-item"); got != "展示货架" {
			t.Errorf("the change form's first line = %q", got)
		}
		rep.fill(map[string]string{"change-" + order + "-f-lines-0-quantity": "3", "change-" + order + "-f-reason": "客户追加一台"})
		if st := rep.submit("#change-" + order + "-submit"); st != http.StatusOK || rep.text(".alert-ok") != "修改申请已提交，待部门经理或组长签字。" {
			t.Fatalf("the change: %d at %s: %s", st, rep.location(), rep.text("main"))
		}
		rep.fill(map[string]string{"edit-f-contact": "王经理，上海市浦东新区"})
		if st := rep.submit("#edit-submit"); st != http.StatusOK || rep.text(".alert-ok") != "档案已保存，修改已记录。" {
			t.Fatalf("edit: %d", st)
		}
		if got := rep.text(`#history-table tr[data-field="contact"]`); !strings.Contains(got, "sales.rep 联系人、地址 李经理，上海市浦东新区 → 王经理，上海市浦东新区 修改") {
			t.Errorf("the edit in the history = %q", got)
		}
		if got := rep.text(`#history-table tr[data-field="order:` + order + `.state"]`); !strings.Contains(got, "草稿 → 已签定") {
			t.Errorf("the signature in the history = %q", got)
		}
		rep.fill(map[string]string{"problem-f-problem": "late_payment", "problem-f-description": "货款逾期 90 天未付"})
		if st := rep.submit("#problem-submit"); st != http.StatusOK || !strings.HasPrefix(rep.text(".alert-ok"), "问题已报告") {
			t.Fatalf("report a problem: %d at %s: %s", st, rep.location(), rep.text("main"))
		}
	})

	t.Run("sales.mentor contests the crossing", func(t *testing.T) {
		mentor := w.person(t)
		mentor.signIn("sales.mentor")
		var caseID string
		if err := s.pool.QueryRow(context.Background(), `SELECT id FROM crossing_cases WHERE customer_id = $1 AND registrant = 'sales.mentor'`, id).
			Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		mentor.open("/customers/" + id)
		if got := mentor.text(`#cases-table tr[data-case="` + caseID + `"]`); !strings.Contains(got, "sales.mentor · 销售部 电话 未处理 sales.rep") {
			t.Errorf("the case = %q", got)
		}
		mentor.fill(map[string]string{"contest-" + caseID + "-f-reason": "客户最早由我接待"})
		if st := mentor.submit("#contest-" + caseID + "-submit"); st != http.StatusOK || mentor.text(".alert-ok") != "异议已提交，由部门经理裁定。" {
			t.Fatalf("contest: %d at %s", st, mentor.location())
		}
	})

	t.Run("sales.head sees the file and the report", func(t *testing.T) {
		head := w.person(t)
		head.signIn("sales.head")
		if st := head.open("/customers/" + id); st != http.StatusOK {
			t.Fatalf("the file as sales.head: %d", st)
		}
		head.shot("customer.png", 1280)

		if st := head.open("/customers"); st != http.StatusOK {
			t.Fatalf("list: %d", st)
		}
		if st := head.submit("#link-report"); st != http.StatusOK {
			t.Fatalf("the report: %d", st)
		}
		if got := head.text("#table-departments tbody tr"); got != "销售部 1 1 0 1 1" {
			t.Errorf("the department's row = %q", got)
		}
		if got := head.text("#table-salespeople tbody"); !strings.Contains(got, "销售部 sales.rep 1 1 0 1 1") {
			t.Errorf("the salespeople = %q", got)
		}
		for chart, table := range map[string]string{"#chart-departments": "#table-departments", "#chart-salespeople": "#table-salespeople"} {
			bars := head.count(chart + " rect.bar")
			rows := head.count(table + " tbody tr")
			if rows == 0 || bars != 4*rows {
				t.Errorf("%s: %d bars for %d rows, want 4 per row", chart, bars, rows)
			}
		}
		if got := head.text("#chart-departments .bar-label"); got != "销售部" {
			t.Errorf("the chart's label = %q", got)
		}
		head.shot("customer-report.png", 1280)
		href, err := chromedp.Run(head.ctx, chromedp.AttributeValue(chromedp.CSS("#report-csv"), "href"))
		if err != nil || !strings.HasPrefix(href.Value, "/reports/customers/csv?month=") {
			t.Fatalf("CSV link = %q (%v)", href.Value, err)
		}
		r := head.fetch(href.Value)
		if r.status != http.StatusOK || !strings.HasPrefix(r.body, "month,department,salesperson,visitors") || !strings.Contains(r.body, ",sales,sales.rep,1,1,0,1,1") {
			t.Errorf("CSV: %d %q", r.status, r.body)
		}
	})

	t.Run("the blacklist", func(t *testing.T) {
		s.must(http.StatusCreated, s.call("mkt.head", "POST", "/api/v1/customers/"+id+"/blacklist", map[string]any{"reason": "恶意拖欠货款"}))
		rep := rep.in(t)
		rep.open("/customers/" + id)
		if !rep.has("#blacklist-badge") || !strings.Contains(rep.text("#blacklist-notice"), "恶意拖欠货款") {
			t.Error("the file shows no blacklist badge")
		}
		if got := rep.text(`#blacklisting-table tr[data-decision="added"]`); !strings.Contains(got, "列入黑名单 恶意拖欠货款 mkt.head") {
			t.Errorf("the decision = %q", got)
		}
		if st := rep.open("/blacklist"); st != http.StatusOK || !strings.Contains(rep.text("#blacklist-table tbody"), name+" 黑名单 "+id+" 恶意拖欠货款 mkt.head") {
			t.Errorf("the blacklist page as sales.rep: %d", st)
		}
		mkt := w.person(t)
		mkt.signIn("mkt.head")
		mkt.open("/blacklist")
		mkt.fill(map[string]string{"remove-" + id + "-f-reason": "货款已结清"})
		if st := mkt.submit("#remove-" + id + "-submit"); st != http.StatusOK || mkt.text(".alert-ok") != "客户已移出黑名单。" || mkt.has("#blacklist-table") {
			t.Errorf("take off the blacklist: %d at %s", st, mkt.location())
		}
		cs := w.person(t)
		cs.signIn("cs.agent")
		if st := cs.open("/blacklist"); st != http.StatusForbidden || !strings.Contains(cs.text("main"), "客户黑名单仅供销售部门和市场部员工查看") {
			t.Errorf("cs.agent's blacklist: %d", st)
		}
		if st := cs.open("/customers/" + id); st != http.StatusNotFound {
			t.Errorf("cs.agent opens the file: %d, want 404", st)
		}
	})
}

// count is how many elements match sel on the page, now.
func (p *person) count(sel string) int {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int]("document.querySelectorAll("+jsString(sel)+").length"))
	if err != nil {
		p.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// fetched is a response the page fetched itself, with its cookies.
type fetched struct {
	status int
	body   string
}

// fetch gets a path with the page's cookies (a download link's target).
func (p *person) fetch(path string) fetched {
	p.t.Helper()
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`fetch(`+jsString(path)+`).then(async r => r.status + "\n" + await r.text())`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("fetch %s: %v", path, err)
	}
	status, body, _ := strings.Cut(out, "\n")
	n, _ := strconv.Atoi(status)
	return fetched{status: n, body: body}
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
