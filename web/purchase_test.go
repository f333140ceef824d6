package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The sourcing step's form as the workflow asks it (workflows'
// sourcingForm): the quotes' supplier and the choice are supplier IDs.
var purchaseSourcingForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "quotes", Type: zhidu.FieldRows, Label: zhidu.Text{Zh: "报价", En: "Quotes"}, Required: true, MinRows: 1, MaxRows: 20,
			Columns: []zhidu.Field{
				{Name: "supplier", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "供应商", En: "Supplier"}, Required: true,
					Choices: []string{"sup-huadong", "sup-jincheng", "sup-shunda"}},
				{Name: "unit_price", Type: zhidu.FieldNumber, Label: zhidu.Text{Zh: "单价（元）", En: "Unit price (CNY)"}, Required: true},
				{Name: "amount", Type: zhidu.FieldNumber, Label: zhidu.Text{Zh: "报价总额（元）", En: "Total (CNY)"}},
				{Name: "delivery_date", Type: zhidu.FieldDate, Label: zhidu.Text{Zh: "交货日期", En: "Delivery date"}, Required: true},
				{Name: "terms", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "付款及其他条件", En: "Terms"}, MaxLength: 500},
			}},
		{Name: "chosen", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "选定供应商", En: "Supplier chosen"}, Required: true,
			Choices: []string{"sup-huadong", "sup-jincheng", "sup-shunda"}},
		{Name: "reason", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "选定理由", En: "Why this supplier"}, Required: true, MaxLength: 2000},
	},
	Outcomes: []string{workflows.OutcomeChoose},
}

var purchaseApprovalForm = zhidu.Form{
	Fields:   []zhidu.Field{{Name: "opinion", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "审批意见", En: "Opinion"}, MaxLength: 2000}},
	Outcomes: []string{workflows.OutcomeApprove, workflows.OutcomeReject},
}

// purchaseAPI answers for one requisition of sales (two lines, ¥1,860)
// routed to the sales head and finance's review: sourced (two quotes,
// the cheaper chosen), approved by the head, finance's review open.
type purchaseAPI struct{ process processJSON }

func newPurchaseAPI(t *testing.T) *purchaseAPI {
	t.Helper()
	at := func(h int) time.Time { return time.Date(2026, 12, 2, h, 0, 0, 0, time.UTC) }
	ptr := func(s string) *string { return &s }
	when := func(h int) *time.Time { x := at(h); return &x }
	suppliers := []any{
		map[string]any{"id": "sup-huadong", "name": "华东精密机械有限公司", "qualified": true, "supply_state": "approved", "blacklisted": false, "blacklist_reason": ""},
		map[string]any{"id": "sup-jincheng", "name": "宁波金诚五金制品厂", "qualified": true, "supply_state": "new", "blacklisted": false, "blacklist_reason": ""},
		map[string]any{"id": "sup-shunda", "name": "顺达贸易", "qualified": false, "supply_state": "approved", "blacklisted": true, "blacklist_reason": "以次充好"},
	}
	requisition := map[string]any{"items": []any{
		map[string]any{"name": "轴承 6204", "spec": "SKF", "quantity": 20.0, "unit": "个", "unit_price": 45.5},
		map[string]any{"name": "润滑脂", "spec": "", "quantity": 3.0, "unit": "桶", "unit_price": 316.67},
	}, "reason": "二号线检修备件", "kind": "temporary", "urgency": "urgent"}
	quotes := []any{
		map[string]any{"supplier": "sup-huadong", "unit_price": 80.0, "amount": 1790.0, "delivery_date": "2026-12-20", "terms": "月结 30 天"},
		map[string]any{"supplier": "sup-jincheng", "unit_price": 85.0, "amount": nil, "delivery_date": "2026-12-18", "terms": ""},
	}
	input := map[string]any{"level": "internal", "total": 1860.01, "matrix_version": 3.0, "matrix_rule": 0.0,
		"matrix_why": map[string]any{"code": "matrix.matched", "params": map[string]any{"rule": 0.0, "selector": "temporary/*/*/[0, 2000)"}},
		"route":      "dept_head@sales → staff@fin",
		"route_steps": []any{map[string]any{"step": "approval_dept_head", "department": "sales"},
			map[string]any{"step": "approval_staff", "department": "fin"}}}
	for k, v := range requisition {
		input[k] = v
	}
	approvalContext := map[string]any{"requisition": requisition, "total": 1860.01, "route": map[string]any{"matrix_version": 3},
		"quotes": quotes, "chosen": "sup-huadong", "chosen_name": "华东精密机械有限公司", "amount": 1790.0,
		"recused": []any{"quality.head"}, "step": 2.0, "steps": 2.0}
	task := func(id, step string, state zhidu.TaskState, created int) store.Task {
		return store.Task{ID: id, ProcessID: "p-1", Kind: workflows.KindPurchase, Step: step, State: state, Level: zhidu.Internal,
			Priority: 2, CreatedAt: at(created), Title: zhidu.Text{Zh: step, En: step}}
	}
	sourcing := task("t-src", workflows.StepSourcing, zhidu.TaskCompleted, 1)
	sourcing.Outcome, sourcing.CompletedBy, sourcing.CompletedAt = ptr(workflows.OutcomeChoose), ptr("pur.buyer"), when(2)
	sourcing.Form = purchaseSourcingForm
	sourcing.Context = map[string]any{"requisition": requisition, "total": 1860.01, "suppliers": suppliers, "round": 1.0}
	sourcing.Data = map[string]any{"quotes": quotes, "chosen": "sup-huadong", "reason": "价格最低，交期可接受"}
	head := task("t-head", "approval_dept_head", zhidu.TaskCompleted, 2)
	head.Outcome, head.CompletedBy, head.CompletedAt = ptr(workflows.OutcomeApprove), ptr("sales.head"), when(3)
	head.Form, head.Context = purchaseApprovalForm, approvalContext
	fin := task("t-fin", "approval_staff", zhidu.TaskOpen, 3)
	fin.Form, fin.Context = purchaseApprovalForm, approvalContext
	return &purchaseAPI{process: processJSON{Process: store.Process{ID: "p-1", Kind: workflows.KindPurchase, Title: "轴承 6204, 润滑脂",
		State: zhidu.ProcessRunning, Level: zhidu.Internal, Department: "sales", StartedBy: "sales.rep", StartedAt: at(0),
		Input: input, Readers: []zhidu.Department{zhidu.DeptSales}, Tasks: []store.Task{sourcing, head, fin},
		Timeline: []store.TimelineEntry{{ID: 1, At: at(4), Actor: "pur.buyer", Action: "order_issued", Detail: map[string]any{"order": "PO-2026-000001"}},
			{ID: 2, At: at(4), Actor: "system", Action: "recused", Detail: map[string]any{"users": []any{"quality.head"}, "reason": "回避: 宁波金诚五金制品厂",
				"tasks": []any{"t-fin"}}}}},
		Permissions: map[string]bool{}}}
}

// openSourcing is the sourcing task as its buyer sees it while working
// it: claimed, the suppliers and the three-quote rule in its context.
func (a *purchaseAPI) openSourcing() taskJSON {
	t := a.process.Tasks[0]
	me := "alice"
	t.ID, t.State, t.Assignee, t.Outcome, t.CompletedBy, t.CompletedAt, t.Data = "t-open", zhidu.TaskClaimed, &me, nil, nil, nil, nil
	t.Context = map[string]any{"suppliers": t.Context["suppliers"], "requisition": t.Context["requisition"], "min_quotes": 3.0, "round": 1.0}
	return taskJSON{Task: t, Permissions: map[string]bool{"complete": true}}
}

func (a *purchaseAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	switch r.URL.Path {
	case "/api/v1/me":
		_, _ = io.WriteString(w, `{"username":"alice","name":"爱丽丝","clearance":"internal","roles":[]}`)
	case "/api/v1/processes/p-1":
		_ = enc.Encode(a.process)
	case "/api/v1/tasks/t-fin":
		_ = enc.Encode(taskJSON{Task: a.process.Tasks[2], Permissions: map[string]bool{"complete": true}})
	case "/api/v1/tasks/t-src":
		_ = enc.Encode(taskJSON{Task: a.process.Tasks[0], Permissions: map[string]bool{}})
	case "/api/v1/tasks/t-open":
		_ = enc.Encode(a.openSourcing())
	case "/api/v1/registers/" + workflows.KindPurchase + "/p-1":
		_, _ = io.WriteString(w, `{"row":{"process_id":"p-1","state":"running","stage":"approval_staff","level":"internal",
			"submitted_at":"2026-12-02T00:00:00Z","requester":"sales.rep","department":"sales","kind":"temporary","urgency":"urgent",
			"total":1860.01,"matrix_version":3,"route":"dept_head@sales → staff@fin","gm_approval":false,"supplier":"华东精密机械有限公司",
			"quote_count":2,"amount":1790,"order":"PO-2026-000001","delivery_date":"2026-12-20","overdue":false},
			"details":{"quotes":[{"supplier":"sup-huadong","unit_price":80,"amount":1790,"delivery_date":"2026-12-20","terms":"月结 30 天"}]}}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"not found"}}`)
	}
}

// TestPurchasePages: a requisition's page shows its items with line
// amounts and the total, the route with its matrix version, rule and why,
// each step where it stands, the quotes by supplier name with the chosen
// one marked and why, and the register entry without what the cards
// show; in English, no label is Chinese. The sourcing task offers the
// suppliers by name (a blacklisted one as such) and says the three-quote
// rule; its result names them too. An approval task shows the quotes as a
// table, its own step marked on the route, and nothing of its context by
// a raw key.
func TestPurchasePages(t *testing.T) {
	st := &fakeStore{sessions: map[string]store.Session{}}
	h := New(Config{Location: time.UTC}, newPurchaseAPI(t), st)
	_, ck := signedIn(t, st)
	get := func(path, lang string) string {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(ck)
		if lang != "" {
			r.AddCookie(&http.Cookie{Name: langCookie, Value: lang})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, w.Code, pageText(w.Body.String()))
		}
		return w.Body.String()
	}
	section := func(body, id string) string {
		t.Helper()
		i := strings.Index(body, `id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no #%s on the page:\n%s", id, pageText(body))
		}
		rest := body[i:]
		if j := strings.Index(rest, "</section>"); j >= 0 {
			rest = rest[:j]
		}
		return pageText(rest)
	}
	wantIn := func(what, text string, wants ...string) {
		t.Helper()
		for _, want := range wants {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", what, want, text)
			}
		}
	}

	body := get("/processes/p-1", "")
	wantIn("the requisition", section(body, "requisition"),
		"品名 规格型号 数量 单位 预估单价（元） 金额（元）",
		"轴承 6204 SKF 20 个 45.50 910.00", "润滑脂 — 3 桶 316.67 950.01", // the line amounts, to the fen
		"预估合计（元） 1860.01", "原因 二号线检修备件", "采购类别 临时小额采购", "紧急程度 紧急", "密级 内部")
	wantIn("the route", section(body, "purchase-route"),
		"审批矩阵第 3 版，规则 0", "匹配规则 rules[0]：temporary/*/*/[0, 2000)",
		"部门经理审批 销售部 同意 sales.head", "经办审核 财务部 待认领")
	quotes := section(body, "quotes")
	wantIn("the quotes", quotes, "华东精密机械有限公司 ✓ 选定 sup-huadong 80.00 1790.00 2026-12-20 月结 30 天",
		"宁波金诚五金制品厂 sup-jincheng 85.00 1955.00 2026-12-18 —", // unit price × the quantity, 23
		"选定供应商 华东精密机械有限公司", "选定理由 价格最低，交期可接受", "询价人 pur.buyer")
	if n := strings.Count(body, `class="chosen" aria-current="true"`); n != 1 {
		t.Errorf("%d quotes marked chosen, want 1", n)
	}
	entry := section(body, "register-entry")
	wantIn("the register entry", entry, "订单号 PO-2026-000001", "交货日期 2026-12-20", "订单金额 1790.00")
	if strings.Contains(entry, "审批路径") || strings.Contains(body, `data-detail="quotes"`) || strings.Contains(body, `id="h-summary"`) {
		t.Errorf("the page repeats the route, the quotes or the summary outside the cards:\n%s", entry)
	}

	wantIn("the timeline", section(body, "h-timeline"), "生成订单号 pur.buyer", "订单号 PO-2026-000001",
		"回避 系统", "人员 quality.head", "原因 回避: 宁波金诚五金制品厂")
	if strings.Contains(body, `id="copies"`) {
		t.Error("a requisition is shown in copies, as a return slip is")
	}

	en := get("/processes/p-1", "en")
	for _, id := range []string{"requisition", "purchase-route", "quotes"} {
		text := section(en, id)
		for _, typed := range []string{"轴承 6204", "润滑脂", "二号线检修备件", "华东精密机械有限公司", "宁波金诚五金制品厂", "个", "桶",
			"月结 30 天", "价格最低，交期可接受"} {
			text = strings.ReplaceAll(text, typed, "")
		}
		if regexp.MustCompile(`\p{Han}`).MatchString(text) {
			t.Errorf("English page: #%s has Chinese in it: %s", id, text)
		}
	}
	wantIn("the English route", section(en, "purchase-route"), "Approval matrix version 3, rule 0",
		"rules[0] matched: temporary/*/*/[0, 2000)", "Department head approval Sales Approve sales.head", "Staff review Finance Open")

	// The buyer's sourcing task: the suppliers by name, the blacklisted
	// one marked, the rule of three quotes.
	body = get("/tasks/t-open", "")
	for _, want := range []string{
		`<option value="sup-huadong" >华东精密机械有限公司</option>`,
		`<option value="sup-shunda" >顺达贸易（黑名单）</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the sourcing form lacks %s", want)
		}
	}
	if n := strings.Count(body, `>宁波金诚五金制品厂</option>`); n < 2 {
		t.Errorf("the supplier's name labels %d choices, want every row's and the choice's", n)
	}
	wantIn("the suppliers", section(body, "suppliers"), "重要物资须至少 3 家合格供应商报价。",
		"顺达贸易 sup-shunda 否 已供货 黑名单 以次充好", "宁波金诚五金制品厂 sup-jincheng 是 首次供货")
	if strings.Contains(body, `id="quotes"`) {
		t.Error("the sourcing task shows a quotes card beside its own form")
	}

	// Its result, by name.
	wantIn("the sourcing result", section(get("/tasks/t-src", ""), "h-form"),
		"华东精密机械有限公司 80 1790 2026-12-20", "选定供应商 华东精密机械有限公司")

	// Finance's review: the quotes as a table, its step marked.
	body = get("/tasks/t-fin", "")
	wantIn("the review's quotes", section(body, "quotes"), "华东精密机械有限公司 ✓ 选定", "宁波金诚五金制品厂 sup-jincheng 85.00")
	wantIn("the review's items", section(body, "requisition"), "轴承 6204 SKF 20 个 45.50 910.00", "预估合计（元） 1860.01")
	if !strings.Contains(body, `class="route-step route-open current" data-step="approval_staff"`) {
		t.Error("the review's own step is not marked on the route")
	}
	context := section(body, "h-context")
	wantIn("the review's context", context, "回避人员 quality.head")
	for _, raw := range []string{"chosen", "quotes", "requisition", "route", "total", "steps", "华东"} {
		if strings.Contains(context, raw) {
			t.Errorf("the context shows %q, which the cards show: %s", raw, context)
		}
	}
}

// TestPurchaseLabelsKept: the requisition pages' own labels are the
// catalogue's (nothing else defines the same keys).
func TestPurchaseLabelsKept(t *testing.T) {
	for key, want := range purchasePageLabels {
		if got := (zhidu.Text{Zh: catalog["zh"][key], En: catalog["en"][key]}); got != want {
			t.Errorf("%s is %+v in the catalogue, %+v in purchasePageLabels", key, got, want)
		}
	}
}
