package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// TestRegisterVocabulariesAreLabelled: every value of every register
// column or detail column that holds a vocabulary has a label in both
// languages, so no page shows a code.
func TestRegisterVocabulariesAreLabelled(t *testing.T) {
	check := func(kind, col string, typ zhidu.ColumnType, values []string) {
		for _, v := range values {
			for _, lang := range []string{"zh", "en"} {
				got := vocabulary(lang, col, v)
				if typ == zhidu.ColumnState {
					got = label(lang, "state", v)
				}
				if got == v {
					t.Errorf("%s register, column %s: value %q has no %s label", kind, col, v, lang)
				}
			}
		}
	}
	n := 0
	for _, d := range workflows.Descriptors() {
		if d.Register == nil {
			continue
		}
		for _, c := range d.Register.Columns {
			check(d.Kind, c.Name, c.Type, c.Vocabulary())
			n += len(c.Vocabulary())
		}
		for _, dt := range d.Register.Details {
			for _, c := range dt.Columns {
				check(d.Kind, dt.Name+"."+c.Name, c.Type, c.Choices)
				n += len(c.Choices)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d vocabulary values checked: the registers declare more", n)
	}
}

// registerAPI answers the API requests of a return slip's page and of the
// return register, and records what it was asked.
type registerAPI struct {
	mu   sync.Mutex
	asks []string
}

func (a *registerAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.asks = append(a.asks, r.URL.RequestURI())
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	reg := "/api/v1/registers/" + workflows.KindReturn
	switch {
	case r.URL.Path == "/api/v1/me":
		_, _ = io.WriteString(w, `{"username":"sales.rep","name":"卫东","name_en":"Wei Dong","clearance":"internal","roles":[]}`)
	case r.URL.Path == "/api/v1/processes/p-1":
		_, _ = io.WriteString(w, `{"id":"p-1","kind":"`+workflows.KindReturn+`","title":"生抽, 华联","state":"completed","level":"internal",
			"department":"sales","started_by":"sales.rep","started_at":"2026-11-30T08:00:00Z","ended_at":null,"result":"credited",
			"input":{"customer":"华联","handling":"credit","production_unit":"二车间","amount":4850,"level":"internal"},
			"readers":["sales","wh","fin"],"tasks":[],"permissions":{},
			"timeline":[{"id":1,"at":"2026-11-30T09:00:00Z","actor":"sales.head","action":"process_shared",
			"detail":{"departments":["wh","fin","sales"],"reason":"copies"}}]}`)
	case r.URL.Path == reg+"/p-1":
		_, _ = io.WriteString(w, `{"row":{"process_id":"p-1","state":"completed","stage":"closed","level":"internal",
			"opened_at":"2026-11-30T08:00:00Z","department":"sales","customer":"华联","amount":4753,"rounds":2,"has_discrepancy":true,
			"voucher":"PZ-2026-000007","result":"credited","overdue":false},
			"details":{"reconciliations":[{"round":1,"approved_quantity":100,"received_quantity":98,"outcome":"mismatch","by":"fin.clerk",
			"notes":"少两箱","resolution":"amend","resolved_by":"sales.rep","reason":"客户确认","at":"2026-11-30T10:00:00Z"},
			{"round":2,"approved_quantity":98,"received_quantity":98,"outcome":"match","by":"fin.clerk","notes":null,"resolution":null,
			"resolved_by":null,"reason":null,"at":"2026-11-30T11:00:00Z"}]}}`)
	case r.URL.Path == "/api/v1/registers/"+workflows.KindPurchase && r.URL.Query().Get("total_min") == "50000":
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":{"code":"invalid","message":"invalid query","fields":{"total_min":"must not be greater than total_max"},
			"message_code":{"code":"query.invalid"},"field_codes":{"total_min":{"code":"number.above","params":{"other":"total_max"}}}}}`)
	case r.URL.Path == "/api/v1/registers/"+workflows.KindPurchase:
		_, _ = io.WriteString(w, `{"items":[],"total":0}`)
	case r.URL.Path == reg && r.URL.Query().Get("handling") == "swap":
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":{"code":"invalid","message":"invalid query","fields":{"handling":"must be one of credit, reprocess, replace"},
			"message_code":{"code":"query.invalid"},"field_codes":{"handling":{"code":"choice.one_of"}}}}`)
	case r.URL.Path == reg && r.URL.Query().Get("format") == "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="returns.csv"`)
		_, _ = io.WriteString(w, "process_id,state\np-1,completed\n")
	case r.URL.Path == reg:
		_, _ = io.WriteString(w, `{"items":[{"process_id":"p-1","state":"completed","stage":"closed","level":"internal",
			"opened_at":"2026-11-30T08:00:00Z","department":"sales","customer":"华联","handling":"credit","voucher":"PZ-2026-000007",
			"has_discrepancy":true,"overdue":false}],"total":1,"next_cursor":"c2"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"not found"}}`)
	}
}

func (a *registerAPI) asked(prefix string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, q := range a.asks {
		if strings.HasPrefix(q, prefix) {
			out = append(out, q)
		}
	}
	return out
}

var tags = regexp.MustCompile(`<[^>]+>`)

// pageText is a page's text, tags removed and white space folded.
func pageText(body string) string {
	return strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " ")
}

// TestRegisterPages: a process page shows its register entry (the columns
// its head and summary do not show, labelled), its details as a table
// and who holds its copies; the register page asks the API with the
// filters (dates as times in the display zone), shows its field errors,
// and the CSV route passes the API's export through.
func TestRegisterPages(t *testing.T) {
	st := &fakeStore{sessions: map[string]store.Session{}}
	a := &registerAPI{}
	h := New(Config{Location: time.UTC}, a, st)
	_, ck := signedIn(t, st)
	get := func(path string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(ck)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	reg := "/registers/" + workflows.KindReturn

	w := get("/processes/p-1")
	body := pageText(w.Body.String())
	for _, want := range []string{
		"第1联 销售部 （开单部门） 第2联 仓储部 第3联 财务部 第4联 销售部", // copies: the owner, then as shared
		"客户 华联", "生产单位 二车间", "处理方式 退款", // the slip by the start form's labels
		"传票号 PZ-2026-000007", "核对轮次 2", "有差异 是", "办理阶段 已结案", "结果 已退款", "金额 4753.00", // the entry
		"1 100 98 数量不符 fin.clerk 少两箱 更正退货单 sales.rep 客户确认 2026-11-30 10:00", // round 1
		"2 98 98 数量相符 fin.clerk — — — — 2026-11-30 11:00",                   // round 2
	} {
		if !strings.Contains(body, want) {
			t.Errorf("process page lacks %q:\n%s", want, body)
		}
	}
	entry := w.Body.String()[strings.Index(w.Body.String(), `id="register-entry"`):]
	for _, col := range []string{"process_id", "state", "level", "opened_at", "department", "customer"} {
		if strings.Contains(entry, `data-column="`+col+`"`) {
			t.Errorf("the register entry repeats %s, which the page shows already", col)
		}
	}

	// The register page: the filters go to the API, dates as the day's
	// bounds; the rows link to their processes; the next page keeps them.
	w = get(reg + "?opened_after=2026-11-01&opened_before=2026-11-30&department=sales&has_discrepancy=true&ignored=x")
	if w.Code != http.StatusOK {
		t.Fatalf("register page: %d", w.Code)
	}
	asked := a.asked("/api/v1/registers/" + workflows.KindReturn + "?")
	if len(asked) != 1 {
		t.Fatalf("asked %v", asked)
	}
	q, _ := url.ParseQuery(strings.SplitN(asked[0], "?", 2)[1])
	if q.Get("opened_after") != "2026-11-01T00:00:00Z" || q.Get("opened_before") != "2026-12-01T00:00:00Z" ||
		q.Get("department") != "sales" || q.Get("has_discrepancy") != "true" || q.Has("ignored") || q.Get("limit") != "50" {
		t.Errorf("the API was asked %v", q)
	}
	page := w.Body.String()
	for _, want := range []string{`<a href="/processes/p-1">p-1</a>`, `<option value="sales" selected>销售部</option>`,
		`href="/registers/` + workflows.KindReturn + `/csv?department=sales&amp;has_discrepancy=true&amp;opened_after=2026-11-01&amp;opened_before=2026-11-30"`,
		"cursor=c2", `<td data-label="处理方式" data-column="handling" class="short">退款</td>`,
		`<td data-label="开单部门" data-column="department" class="short">销售部</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("register page lacks %s", want)
		}
	}
	if !strings.Contains(page, `aria-current="page"`) || !strings.Contains(page, `href="/registers"`) {
		t.Error("the nav lacks the registers")
	}

	// A bad filter: the API's 400, its message next to the field.
	w = get(reg + "?handling=swap")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `<p class="field-error" data-field="handling">请从给定选项中选择</p>`) {
		t.Errorf("bad filter: %d\n%s", w.Code, pageText(w.Body.String()))
	}

	// The CSV, as the API exported it.
	w = get(reg + "/csv?has_discrepancy=true")
	if w.Code != http.StatusOK || w.Body.String() != "process_id,state\np-1,completed\n" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="returns.csv"` || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Errorf("CSV: %d %v %q", w.Code, w.Header(), w.Body)
	}
	if got := a.asked("/api/v1/registers/" + workflows.KindReturn + "?format=csv"); len(got) != 1 || !strings.Contains(got[0], "has_discrepancy=true") {
		t.Errorf("CSV asked %v", got)
	}

	// Kinds without a register have no page; /registers goes to the first.
	for _, path := range []string{"/registers/" + workflows.KindApproval, "/registers/nope", "/registers/nope/csv"} {
		if w := get(path); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, w.Code)
		}
	}
	if w := get("/registers"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/registers/"+registerKinds()[0] {
		t.Errorf("/registers: %d to %s", w.Code, w.Header().Get("Location"))
	}
}

// TestRegisterNumberFilters: a number range is two number inputs (at
// least, below) and an exact number one, their values sent to the API as
// typed; the API's error shows next to its input.
func TestRegisterNumberFilters(t *testing.T) {
	st := &fakeStore{sessions: map[string]store.Session{}}
	a := &registerAPI{}
	h := New(Config{Location: time.UTC}, a, st)
	_, ck := signedIn(t, st)
	get := func(path string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(ck)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := get("/registers/" + workflows.KindPurchase + "?total_min=2000&total_max=50000&matrix_version=1&amount_max=")
	if w.Code != http.StatusOK {
		t.Fatalf("register page: %d", w.Code)
	}
	asked := a.asked("/api/v1/registers/" + workflows.KindPurchase + "?")
	if len(asked) != 1 {
		t.Fatalf("asked %v", asked)
	}
	q, _ := url.ParseQuery(strings.SplitN(asked[0], "?", 2)[1])
	if q.Get("total_min") != "2000" || q.Get("total_max") != "50000" || q.Get("matrix_version") != "1" || q.Has("amount_max") {
		t.Errorf("the API was asked %v", q)
	}
	page := w.Body.String()
	for _, want := range []string{
		`<label for="rf-total_min">预估金额不低于</label>`, `<input type="number" step="any" id="rf-total_min" name="total_min" value="2000">`,
		`<label for="rf-total_max">预估金额低于</label>`, `<input type="number" step="any" id="rf-total_max" name="total_max" value="50000">`,
		`<label for="rf-amount_min">订单金额不低于</label>`, `<input type="number" step="any" id="rf-amount_max" name="amount_max" value="">`,
		`<label for="rf-matrix_version">审批矩阵版本</label>`, `<input type="number" step="any" id="rf-matrix_version" name="matrix_version" value="1">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("register page lacks %s", want)
		}
	}
	w = get("/registers/" + workflows.KindPurchase + "?total_min=50000&total_max=2000")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `<p class="field-error" data-field="total_min">不能大于 total_max</p>`) {
		t.Errorf("min above max: %d\n%s", w.Code, pageText(w.Body.String()))
	}
}
