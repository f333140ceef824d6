package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// fakeCustomerAPI answers the customer routes for sales: cust-1, a VIP file of
// sales with a history, an open crossing case of sales.rep's and two
// orders (a draft and a signed one); every other file is the API's 404.
// answers holds an answer by "METHOD PATH"; sent records what it got.
type fakeCustomerAPI struct {
	mu      sync.Mutex
	me      string
	answers map[string]apiAnswer
	sent    []string // "METHOD PATH?QUERY BODY"
}

func newFakeCustomerAPI(me string) *fakeCustomerAPI {
	return &fakeCustomerAPI{me: me, answers: map[string]apiAnswer{}}
}

func ptr[T any](v T) *T { return &v }

func customerFileJSON() customerFile {
	cu := zhidu.Customer{ID: "cust-1", Name: "华联超市", Class: zhidu.ClassVIP, Phone: "13800000001", CompanyID: ptr("91310000X"),
		Contact: "李经理，上海市", Department: zhidu.DeptSales, Responsible: "sales.rep", Level: zhidu.Internal, RegisteredAt: at(9),
		RegisteredBy: "sales.rep", Credit: "sales.rep"}
	return customerFile{Customer: cu, Permissions: map[string]bool{"write": true},
		History: []zhidu.CustomerChange{
			{ID: 1, CustomerID: "cust-1", At: at(9), Actor: "sales.rep", Field: "registered", After: ptr("华联超市 (13800000001)"), Via: "registered"},
			{ID: 2, CustomerID: "cust-1", At: at(10), Actor: "sales.head", Field: "class", Before: ptr("preferred"), After: ptr("vip"), Via: "edit"},
			{ID: 3, CustomerID: "cust-1", At: at(11), Actor: "sales.head", Field: "order:ord-2.lines", Before: ptr(`[{"item":"A","quantity":2,"unit_price":10}]`),
				After: ptr(`[{"item":"A","quantity":3,"unit_price":10}]`), Via: "order_change", Reason: "客户追加 (p-7, for sales.rep)"},
		},
		CrossingCases: []zhidu.CrossingCase{{ID: "cc-1", CustomerID: "cust-1", Registrant: "sales.mentor", Department: zhidu.DeptSales, At: at(12),
			Matched: "phone", Name: "华联", Credit: "sales.rep", State: zhidu.CrossingOpen}},
	}
}

func customerOrders() map[string]any {
	return map[string]any{"items": []zhidu.Order{
		{ID: "ord-1", CustomerID: "cust-1", OrderTerms: zhidu.OrderTerms{Lines: []zhidu.OrderLine{{Item: "货架", Quantity: 2, UnitPrice: 150.5}},
			PaymentTerms: "月结30天"}, Total: 301, State: zhidu.OrderStateDraft, CreatedBy: "sales.rep", CreatedAt: at(13)},
		{ID: "ord-2", CustomerID: "cust-1", OrderTerms: zhidu.OrderTerms{Lines: []zhidu.OrderLine{{Item: "A", Quantity: 3, UnitPrice: 10}},
			PaymentTerms: "预付"}, Total: 30, State: zhidu.OrderStateSigned, CreatedBy: "sales.rep", CreatedAt: at(8),
			SignedBy: ptr("sales.head"), SignedAt: ptr(at(9))},
	}}
}

func apiError(status int, e *zhidu.Error) apiAnswer {
	return apiAnswer{status, map[string]any{"error": e}}
}

func (a *fakeCustomerAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	if r.URL.Path == "/api/v1/me" {
		_, _ = io.WriteString(w, a.me)
		return
	}
	var b []byte
	if r.Body != nil {
		b, _ = io.ReadAll(r.Body)
	}
	a.mu.Lock()
	a.sent = append(a.sent, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(b)))
	ans, ok := a.answers[r.Method+" "+r.URL.Path]
	a.mu.Unlock()
	if !ok {
		switch key := r.Method + " " + r.URL.Path; key {
		case "GET /api/v1/customers":
			ans = apiAnswer{200, map[string]any{"total": 2, "items": []zhidu.Customer{customerFileJSON().Customer,
				{ID: "cust-2", Name: "黑石商贸", Class: zhidu.ClassQualified, Phone: "13900000002", Department: zhidu.DeptSales,
					Responsible: "sales.mentor", Level: zhidu.Secret, RegisteredAt: at(7), RegisteredBy: "sales.mentor",
					Blacklist: &zhidu.BlacklistEntry{ID: 4, CustomerID: "cust-2", Decision: "added", Reason: "恶意拖欠", By: "mkt.head", At: at(8)}}}}}
		case "GET /api/v1/customers/cust-1":
			ans = apiAnswer{200, customerFileJSON()}
		case "GET /api/v1/customers/cust-1/orders":
			ans = apiAnswer{200, customerOrders()}
		case "GET /api/v1/blacklist":
			ans = apiAnswer{200, map[string]any{"items": []zhidu.BlacklistEntry{{ID: 4, CustomerID: "cust-2", Name: "黑石商贸", Decision: "added",
				Reason: "恶意拖欠", By: "mkt.head", At: at(8)}}}}
		case "GET /api/v1/reports/customers":
			if r.URL.Query().Get("format") == "csv" {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", `attachment; filename="customers-2026-12.csv"`)
				_, _ = io.WriteString(w, "month,department\n2026-12,sales\n")
				return
			}
			ans = apiAnswer{200, map[string]any{"month": "2026-12", "rows": []store.CustomerFigures{
				{Department: zhidu.DeptSales, Visitors: 5, Calls: 3, TestDrives: 1, New: 2, Deals: 2},
				{Department: zhidu.DeptSales, Salesperson: "sales.mentor", Visitors: 1, Calls: 2, New: 1},
				{Department: zhidu.DeptSales, Salesperson: "sales.rep", Visitors: 4, Calls: 1, TestDrives: 1, New: 1, Deals: 2},
			}}}
		default:
			if r.Method == http.MethodGet {
				ans = apiError(404, zhidu.Errorf(zhidu.CodeNotFound, "not found"))
			} else {
				ans = apiAnswer{201, map[string]any{"id": "cust-9"}}
			}
		}
	}
	w.WriteHeader(ans.status)
	_ = enc.Encode(ans.body)
}

func (a *fakeCustomerAPI) posts() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, s := range a.sent {
		if !strings.HasPrefix(s, "GET ") {
			out = append(out, s)
		}
	}
	return out
}

const (
	repMe     = `{"username":"sales.rep","name":"卫东","clearance":"internal","roles":[{"role":"staff","department":"sales"}]}`
	mentorMe2 = `{"username":"sales.mentor","name":"柳青","clearance":"secret","roles":[{"role":"staff","department":"sales"}]}`
	mktMe     = `{"username":"mkt.head","name":"吕红","clearance":"secret","roles":[{"role":"dept_head","department":"mkt"}]}`
	csMe      = `{"username":"cs.agent","name":"郑晓","clearance":"internal","roles":[{"role":"staff","department":"cs"}]}`
	adminMe   = `{"username":"sysadmin","name":"何平","clearance":"internal","roles":[{"role":"sysadmin","department":"gmo"}]}`
)

func newCustomerClient(t *testing.T, a http.Handler) *probationClient {
	st := &fakeStore{sessions: map[string]store.Session{}}
	se, ck := signedIn(t, st)
	return &probationClient{t: t, h: New(Config{Location: time.UTC}, a, st), ck: ck, csrf: se.CSRF}
}

var han = regexp.MustCompile(`\p{Han}`)

// TestCustomerList: the list asks the API with the filters and shows name,
// class, department, responsible, level, registration and the blacklist
// badge; the navigation links it for a business role only; the
// registration's field messages are by the fields with what was typed; a
// customer on file is the API's message as a notice (naming the file
// only when the API does), not an error page; a registration lands on the
// new file.
func TestCustomerList(t *testing.T) {
	a := newFakeCustomerAPI(headMe)
	p := newCustomerClient(t, a)
	w := p.do("GET", "/customers?q=%E5%8D%8E&class=vip", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", w.Code, pageText(w.Body.String()))
	}
	body := w.Body.String()
	if !slices.Contains(a.sent, "GET /api/v1/customers?class=vip&limit=100&q=%E5%8D%8E") {
		t.Errorf("the API was asked %v", a.sent)
	}
	rows := pageText(body[strings.Index(body, `id="customers-table"`):])
	wantIn(t, "the table", rows, "客户名称 客户分类 所属部门 负责人 密级 登记", "华联超市 VIP 客户 销售部 sales.rep 内部 2026-12-07 09:00 sales.rep",
		"黑石商贸 黑名单 合格客户 销售部 sales.mentor 秘密", "显示 2 条，共 2 条")
	if !strings.Contains(body, `id="nav-customers"`) || !strings.Contains(body, `id="link-blacklist"`) || !strings.Contains(body, `id="link-report"`) {
		t.Error("the head lacks the nav link, the blacklist or the report link")
	}
	for _, id := range []string{"register-f-name", "register-f-class", "register-f-phone", "register-f-company_id", "register-f-contact", "register-f-level"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("the register form lacks #%s", id)
		}
	}
	if strings.Contains(body, `id="register-f-department"`) {
		t.Error("a department head is offered another department")
	}
	en := p.do("GET", "/customers", "en", nil).Body.String()
	if text := strings.NewReplacer("华联超市", "", "黑石商贸", "", "李经理，上海市", "").Replace(pageText(en[strings.Index(en, "<main"):])); han.MatchString(text) {
		t.Errorf("English list has Chinese in it: %s", text)
	}
	// An administrator has no business role: no link (the API decides the page).
	if b := newCustomerClient(t, newFakeCustomerAPI(adminMe)).do("GET", "/", "", nil).Body.String(); strings.Contains(b, `id="nav-customers"`) {
		t.Error("an administrator is offered the customer files")
	}

	// Field messages by the fields, what was typed kept.
	a.answers["POST /api/v1/customers"] = apiError(400, zhidu.Invalid(zhidu.CannotRegisterCustomer(),
		map[string]zhidu.Message{"phone": zhidu.NotAPhone(), "class": zhidu.OneOf(zhidu.CustomerClasses())}))
	w = p.do("POST", "/customers", "", url.Values{"f.name": {"新客户"}, "f.phone": {"12ab"}})
	if w.Code != http.StatusBadRequest {
		t.Fatalf("a refused registration: %d", w.Code)
	}
	form := section(t, w.Body.String(), "form-register")
	wantIn(t, "the refused form", form, "须为电话号码：7 至 15 位数字", "请从给定选项中选择")
	if !strings.Contains(w.Body.String(), `value="新客户"`) || !strings.Contains(w.Body.String(), `data-field="f.phone"`) {
		t.Error("the form lost what was typed or the phone's message is not by its field")
	}
	if got := a.posts()[0]; got != `POST /api/v1/customers {"name":"新客户","phone":"12ab"}` {
		t.Errorf("sent %s", got)
	}

	// A customer on file: a notice, no file named.
	a.answers["POST /api/v1/customers"] = apiError(409, zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerRegistered()))
	w = p.do("POST", "/customers", "", url.Values{"f.name": {"新客户"}, "f.class": {"vip"}, "f.phone": {"13800000001"}})
	body = w.Body.String()
	if w.Code != http.StatusConflict || strings.Contains(body, "error-card") || !strings.Contains(body, `id="customers-table"`) {
		t.Fatalf("a crossing: %d, an error page or no list:\n%s", w.Code, pageText(body))
	}
	wantIn(t, "the notice", section(t, body, "register-notice"), "该客户已登记：以第一次登记为准，客户及业绩归首位登记人")
	if strings.Contains(body, `id="register-notice-link"`) {
		t.Error("the notice links a file the API did not name")
	}
	a.answers["POST /api/v1/customers"] = apiError(409, zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerRegisteredAs("cust-1")))
	body = p.do("POST", "/customers", "", url.Values{"f.name": {"新客户"}}).Body.String()
	if !strings.Contains(body, `id="register-notice-link"`) || !strings.Contains(body, `href="/customers/cust-1"`) {
		t.Error("the notice does not link the file the API named")
	}

	delete(a.answers, "POST /api/v1/customers")
	w = p.do("POST", "/customers", "", url.Values{"f.name": {"新客户"}, "f.class": {"vip"}, "f.phone": {"13800000009"}, "f.level": {"secret"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/customers/cust-9?ok=customer_registered" {
		t.Errorf("a registration: %d to %s", w.Code, w.Header().Get("Location"))
	}
}

// TestCustomerPage: a file's page shows its fields, the history (newest
// first, labelled, before → after, via and reason), the crossing case
// with a contest form for its registrant only, the orders (sign for a
// draft, a change for a signed one, its form filled with the order's
// terms), the forms of a writer and the problem form of a VIP; the
// Marketing Division gets the blacklist form; a file of another
// department is the API's 404, the page's.
func TestCustomerPage(t *testing.T) {
	a := newFakeCustomerAPI(headMe)
	p := newCustomerClient(t, a)
	w := p.do("GET", "/customers/cust-1", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d\n%s\n%v", w.Code, pageText(w.Body.String()), a.sent)
	}
	body := w.Body.String()
	wantIn(t, "the file", section(t, body, "customer-file"), "档案编号 cust-1", "客户分类 VIP 客户", "电话 13800000001",
		"统一社会信用代码 91310000X", "联系人、地址 李经理，上海市", "所属部门 销售部", "负责人 sales.rep", "业绩归属 sales.rep", "密级 内部")
	wantIn(t, "the history", section(t, body, "customer-history"), "时间 操作人 字段 变更（前 → 后） 方式 理由",
		"2026-12-07 11:00 sales.head 订单 ord-2 明细 A × 2 @ 10.00 = 20.00 → A × 3 @ 10.00 = 30.00 订单修改（已签字） 客户追加 (p-7, for sales.rep)",
		"2026-12-07 10:00 sales.head 客户分类 优选客户 → VIP 客户 修改", "登记 — → 华联超市 (13800000001) 登记")
	if h := section(t, body, "customer-history"); strings.Index(h, "11:00") > strings.Index(h, "09:00") {
		t.Error("the history is not newest first")
	}
	wantIn(t, "the cases", section(t, body, "customer-cases"), "sales.mentor · 销售部 电话 未处理 sales.rep")
	if strings.Contains(body, `id="form-contest-cc-1"`) {
		t.Error("the head, not a party of the case, is offered the contest")
	}
	wantIn(t, "the orders", section(t, body, "customer-orders"), "ord-1 草稿 货架 × 2 @ 150.50 = 301.00 月结30天 301.00", "ord-2 已签定 A × 3 @ 10.00 = 30.00 预付 30.00")
	if !strings.Contains(body, `id="sign-ord-1"`) || strings.Contains(body, `id="sign-ord-2"`) || !strings.Contains(body, `href="/customers/cust-1?change=ord-2#form-change-ord-2"`) {
		t.Error("sign for the draft, a change for the signed order: not as offered")
	}
	for _, id := range []string{"form-edit", "form-contact", "form-order", "form-problem"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("the head's page lacks #%s", id)
		}
	}
	if strings.Contains(body, `id="form-blacklist"`) || strings.Contains(body, `id="form-change-ord-2"`) {
		t.Error("the head is offered the blacklist, or the change form unasked")
	}
	if !strings.Contains(body, `id="edit-f-name" name="f.name" value="华联超市"`) {
		t.Error("the edit form is not filled with the file")
	}
	// The change form, filled with the order's terms.
	body = p.do("GET", "/customers/cust-1?change=ord-2", "", nil).Body.String()
	change := section(t, body, "form-change-ord-2")
	wantIn(t, "the change form", change, "申请修改订单 ord-2", "品名", "付款条件", "修改理由")
	if !strings.Contains(body, `id="change-ord-2-f-lines-0-item" name="f.lines[0].item" value="A"`) || !strings.Contains(body, `action="/customers/cust-1/orders/ord-2/changes"`) {
		t.Error("the change form is not filled with the order's lines or posts elsewhere")
	}

	// A draft's edit, filled with its terms.
	body = p.do("GET", "/customers/cust-1?draft=ord-1", "", nil).Body.String()
	if !strings.Contains(body, `id="draft-ord-1-f-lines-0-item" name="f.lines[0].item" value="货架"`) || !strings.Contains(body, `action="/customers/cust-1/orders/ord-1/edit"`) ||
		!strings.Contains(body, `href="/customers/cust-1?draft=ord-1#form-draft-ord-1"`) {
		t.Error("the draft's edit form is not filled with its lines, posts elsewhere or is not linked")
	}

	// In English, no label is Chinese.
	en := p.do("GET", "/customers/cust-1?change=ord-2", "en", nil).Body.String()
	for _, id := range []string{"customer-file", "customer-history", "customer-cases", "customer-orders", "form-edit", "form-contact", "form-order",
		"form-problem", "form-change-ord-2"} {
		text := strings.NewReplacer("华联超市", "", "李经理，上海市", "", "客户追加", "", "货架", "", "月结30天", "", "预付", "").Replace(section(t, en, id))
		if han.MatchString(text) {
			t.Errorf("English page: #%s has Chinese in it: %s", id, text)
		}
	}

	// The second registrant contests; Marketing gets the blacklist form.
	body = newCustomerClient(t, newFakeCustomerAPI(mentorMe2)).do("GET", "/customers/cust-1", "", nil).Body.String()
	if !strings.Contains(body, `id="form-contest-cc-1"`) || !strings.Contains(body, `action="/customers/cust-1/crossings/cc-1/contest"`) {
		t.Error("the second registrant is not offered the contest")
	}
	body = newCustomerClient(t, newFakeCustomerAPI(mktMe)).do("GET", "/customers/cust-1", "", nil).Body.String()
	if !strings.Contains(body, `id="form-blacklist"`) || !strings.Contains(body, `action="/customers/cust-1/blacklist/add"`) {
		t.Error("Marketing is not offered the blacklist")
	}

	// A file of another department: the API's 404, and no form posts.
	if w := p.do("GET", "/customers/cust-mkt", "", nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "error-card") {
		t.Errorf("another department's file: %d", w.Code)
	}
	a.answers["POST /api/v1/customers/cust-mkt/contacts"] = apiError(404, zhidu.Errorf(zhidu.CodeNotFound, "not found"))
	if w := p.do("POST", "/customers/cust-mkt/contacts", "", url.Values{"f.kind": {"visit"}, "f.outcome": {"deal"}}); w.Code != http.StatusNotFound {
		t.Errorf("a contact with another department's file: %d", w.Code)
	}
}

// TestCustomerForms: each form goes to its API route and back to the page
// with a note; a refusal is shown by its form with what was typed.
func TestCustomerForms(t *testing.T) {
	a := newFakeCustomerAPI(headMe)
	p := newCustomerClient(t, a)
	cases := []struct {
		path string
		form url.Values
		sent string
		ok   string
	}{
		{"/customers/cust-1/edit", url.Values{"f.name": {"华联超市"}, "f.class": {"vip"}, "f.phone": {"13800000001"}, "f.company_id": {""}, "f.contact": {"李经理"}, "f.level": {"secret"}},
			`PATCH /api/v1/customers/cust-1 {"class":"vip","company_id":"","contact":"李经理","level":"secret","name":"华联超市","phone":"13800000001"}`, "customer_saved"},
		{"/customers/cust-1/contacts", url.Values{"f.kind": {"visit"}, "f.outcome": {"deal"}, "f.note": {"到店"}},
			`POST /api/v1/customers/cust-1/contacts {"kind":"visit","note":"到店","outcome":"deal"}`, "contact"},
		{"/customers/cust-1/problems", url.Values{"f.problem": {"late_payment"}, "f.description": {"逾期 90 天"}, "f.major_loss": {"true"}},
			`POST /api/v1/customers/cust-1/problems {"description":"逾期 90 天","major_loss":true,"problem":"late_payment"}`, "problem"},
		{"/customers/cust-1/orders", url.Values{"f.lines[0].item": {"货架"}, "f.lines[0].quantity": {"2"}, "f.lines[0].unit_price": {"150.5"}, "f.payment_terms": {"月结"}},
			`POST /api/v1/customers/cust-1/orders {"lines":[{"item":"货架","quantity":2,"unit_price":150.5}],"payment_terms":"月结"}`, "order"},
		{"/customers/cust-1/orders/ord-1/sign", url.Values{}, `POST /api/v1/orders/ord-1/sign`, "order_signed"},
		{"/customers/cust-1/orders/ord-2/changes", url.Values{"f.lines[0].item": {"A"}, "f.lines[0].quantity": {"4"}, "f.lines[0].unit_price": {"10"}, "f.payment_terms": {"预付"}, "f.reason": {"追加"}},
			`POST /api/v1/orders/ord-2/changes {"lines":[{"item":"A","quantity":4,"unit_price":10}],"payment_terms":"预付","reason":"追加"}`, "change_asked"},
		{"/customers/cust-1/orders/ord-1/edit", url.Values{"f.lines[0].item": {"货架"}, "f.lines[0].quantity": {"3"}, "f.lines[0].unit_price": {"150.5"}, "f.payment_terms": {"月结"}},
			`PATCH /api/v1/orders/ord-1 {"lines":[{"item":"货架","quantity":3,"unit_price":150.5}],"payment_terms":"月结"}`, "order_saved"},
		{"/customers/cust-1/crossings/cc-1/contest", url.Values{"f.reason": {"我先接待"}}, `POST /api/v1/crossings/cc-1/contest {"reason":"我先接待"}`, "contested"},
		{"/customers/cust-1/blacklist/add", url.Values{"f.reason": {"恶意拖欠"}}, `POST /api/v1/customers/cust-1/blacklist {"reason":"恶意拖欠"}`, "blacklisted"},
		{"/customers/cust-1/blacklist/remove", url.Values{"f.reason": {"已结清"}}, `DELETE /api/v1/customers/cust-1/blacklist {"reason":"已结清"}`, "unblacklisted"},
	}
	for _, tc := range cases {
		n := len(a.posts())
		w := p.do("POST", tc.path, "", tc.form)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/customers/cust-1?ok="+tc.ok {
			t.Errorf("%s: %d to %s", tc.path, w.Code, w.Header().Get("Location"))
		}
		if got := a.posts(); len(got) != n+1 || got[n] != tc.sent {
			t.Errorf("%s sent %v, want %s", tc.path, got[n:], tc.sent)
		}
		if !hasKey("flash." + tc.ok) {
			t.Errorf("no note flash.%s", tc.ok)
		}
	}

	// A refused order: the cell's message in its cell, what was typed kept.
	a.answers["POST /api/v1/customers/cust-1/orders"] = apiError(400, zhidu.Invalid(zhidu.CannotOrder(),
		map[string]zhidu.Message{"lines[0].quantity": zhidu.OrderQuantity()}))
	w := p.do("POST", "/customers/cust-1/orders", "", url.Values{"f.lines[0].item": {"货架"}, "f.lines[0].quantity": {"0"}, "f.payment_terms": {"月结"}})
	if w.Code != http.StatusBadRequest {
		t.Fatalf("a refused order: %d", w.Code)
	}
	body := w.Body.String()
	if !strings.Contains(body, `data-field="f.lines[0].quantity"`) || !strings.Contains(body, `id="order-f-lines-0-item" name="f.lines[0].item" value="货架"`) {
		t.Errorf("the order form lost the cell's message or what was typed:\n%s", section(t, body, "form-order"))
	}
	// A refused signature (a blacklisted customer): the API's message by the orders.
	a.answers["POST /api/v1/orders/ord-1/sign"] = apiError(409, zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerBlacklisted("cust-1", 4, "恶意拖欠")))
	w = p.do("POST", "/customers/cust-1/orders/ord-1/sign", "", url.Values{})
	if w.Code != http.StatusConflict {
		t.Fatalf("a refused signature: %d", w.Code)
	}
	wantIn(t, "the orders' error", section(t, w.Body.String(), "customer-orders"), "客户 cust-1 已列入公司黑名单（第 4 条：恶意拖欠）")
	// A refused change keeps its form open, with the message.
	a.answers["POST /api/v1/orders/ord-2/changes"] = apiError(400, zhidu.Invalid(zhidu.CannotOrder(), map[string]zhidu.Message{"lines": zhidu.OrderUnchanged()}))
	w = p.do("POST", "/customers/cust-1/orders/ord-2/changes", "", url.Values{"f.lines[0].item": {"A"}, "f.reason": {"x"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="form-change-ord-2"`) {
		t.Errorf("a refused change: %d, its form gone", w.Code)
	}
}

// TestBlacklistPage: sales read the blacklist, Marketing also gets a form
// per entry to take it off; anyone else gets the API's 403 as a page.
func TestBlacklistPage(t *testing.T) {
	w := newCustomerClient(t, newFakeCustomerAPI(repMe)).do("GET", "/blacklist", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	wantIn(t, "the blacklist", pageText(w.Body.String()), "黑石商贸 黑名单 cust-2 恶意拖欠 mkt.head 2026-12-07 08:00")
	if strings.Contains(w.Body.String(), `id="form-remove-cust-2"`) {
		t.Error("sales.rep is offered to take a customer off")
	}
	m := newFakeCustomerAPI(mktMe)
	mp := newCustomerClient(t, m)
	if body := mp.do("GET", "/blacklist", "", nil).Body.String(); !strings.Contains(body, `id="form-remove-cust-2"`) {
		t.Error("Marketing is not offered to take a customer off")
	}
	if w := mp.do("POST", "/customers/cust-2/blacklist/remove", "", url.Values{"from": {"blacklist"}, "f.reason": {"已结清"}}); w.Code != http.StatusSeeOther ||
		w.Header().Get("Location") != "/blacklist?ok=unblacklisted" {
		t.Errorf("remove from the blacklist page: %d to %s", w.Code, w.Header().Get("Location"))
	}
	m.answers["DELETE /api/v1/customers/cust-2/blacklist"] = apiError(400, zhidu.Invalid(zhidu.InvalidField("reason"), map[string]zhidu.Message{"reason": zhidu.Required()}))
	if w := mp.do("POST", "/customers/cust-2/blacklist/remove", "", url.Values{"from": {"blacklist"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(section(t, w.Body.String(), "blacklist-table"), "此项必填") {
		t.Errorf("a removal without a reason: %d", w.Code)
	}

	cs := newFakeCustomerAPI(csMe)
	cs.answers["GET /api/v1/blacklist"] = apiError(403, zhidu.Fail(zhidu.CodeForbidden, zhidu.BlacklistReadDenied()))
	w = newCustomerClient(t, cs).do("GET", "/blacklist", "", nil)
	if w.Code != http.StatusForbidden || !strings.Contains(pageText(w.Body.String()), "客户黑名单仅供销售部门和市场部员工查看") {
		t.Errorf("cs.agent: %d\n%s", w.Code, pageText(w.Body.String()))
	}
}

// TestCustomerReport: the month's figures as a table per department and
// per salesperson, a chart above each with a bar per row and figure, the
// CSV link and its pass-through; a bad month is the API's message by the
// month; a refusal is the API's 403.
func TestCustomerReport(t *testing.T) {
	a := newFakeCustomerAPI(headMe)
	p := newCustomerClient(t, a)
	w := p.do("GET", "/reports/customers?month=2026-12", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", w.Code, pageText(w.Body.String()))
	}
	body := w.Body.String()
	if !slices.Contains(a.sent, "GET /api/v1/reports/customers?month=2026-12") {
		t.Errorf("the API was asked %v", a.sent)
	}
	wantIn(t, "per department", section(t, body, "report-departments"), "部门 来访 来电 试驾 新客户 成交", "销售部 5 3 1 2 2")
	wantIn(t, "per salesperson", section(t, body, "report-salespeople"), "销售部 sales.mentor 1 2 0 1 0", "销售部 sales.rep 4 1 1 1 2")
	chart := func(id string) string {
		i := strings.Index(body, `<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no chart #%s", id)
		}
		return body[i : i+strings.Index(body[i:], "</svg>")]
	}
	for id, rows := range map[string]int{"chart-departments": 1, "chart-salespeople": 2} {
		svg := chart(id)
		if n := strings.Count(svg, `<rect class="bar" `); n != rows*len(reportSeries) {
			t.Errorf("#%s: %d bars, want %d (a bar per row and figure)", id, n, rows*len(reportSeries))
		}
		if n := strings.Count(svg, `<g class="bar-group"`); n != rows {
			t.Errorf("#%s: %d groups, want %d rows", id, n, rows)
		}
		wantIn(t, id, svg, ">来访</text>", ">成交</text>", "各项数字见下方")
	}
	wantIn(t, "the salespeople's chart", chart("chart-salespeople"), ">sales.rep</text>", ">sales.mentor</text>", `<title>sales.rep · 成交: 2</title>`)
	if !strings.Contains(body, `id="report-csv" href="/reports/customers/csv?month=2026-12"`) {
		t.Error("no CSV link for the month")
	}
	w = p.do("GET", "/reports/customers/csv?month=2026-12", "", nil)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(w.Body.String(), "month,department") ||
		!slices.Contains(a.sent, "GET /api/v1/reports/customers?format=csv&month=2026-12") {
		t.Errorf("CSV: %d %s %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	en := p.do("GET", "/reports/customers?month=2026-12", "en", nil).Body.String()
	if text := pageText(en[strings.Index(en, "<main"):strings.Index(en, "</main>")]); han.MatchString(text) {
		t.Errorf("English report has Chinese in it: %s", text)
	}

	a.answers["GET /api/v1/reports/customers"] = apiError(400, zhidu.Invalid(zhidu.InvalidField("month"), map[string]zhidu.Message{"month": zhidu.NotAMonth()}))
	if w := p.do("GET", "/reports/customers?month=12-2026", "", nil); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "须为月份，格式 YYYY-MM") {
		t.Errorf("a bad month: %d", w.Code)
	}
	rep := newFakeCustomerAPI(repMe)
	rep.answers["GET /api/v1/reports/customers"] = apiError(403, zhidu.Fail(zhidu.CodeForbidden, zhidu.CustomerReportDenied()))
	if w := newCustomerClient(t, rep).do("GET", "/reports/customers", "", nil); w.Code != http.StatusForbidden {
		t.Errorf("sales.rep's report: %d", w.Code)
	}
}
