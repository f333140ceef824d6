package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// quotesForm has a rows field of every column type, as a sourcing step's
// quotes.
var quotesForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "quotes", Type: zhidu.FieldRows, Label: zhidu.Text{Zh: "报价", En: "Quotes"}, Required: true, MaxRows: 5, Columns: []zhidu.Field{
			{Name: "supplier", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "供应商", En: "Supplier"}, Required: true, MaxLength: 100},
			{Name: "unit_price", Type: zhidu.FieldNumber, Label: zhidu.Text{Zh: "单价", En: "Unit price"}, Required: true},
			{Name: "delivery_date", Type: zhidu.FieldDate, Label: zhidu.Text{Zh: "交货日期", En: "Delivery date"}},
			{Name: "terms", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "付款条件", En: "Terms"}, Choices: []string{"credit", "none"}},
			{Name: "sample", Type: zhidu.FieldBoolean, Label: zhidu.Text{Zh: "已送样", En: "Sample sent"}},
		}},
		{Name: "chosen", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "选定供应商", En: "Chosen supplier"}, MaxLength: 100},
	},
	Outcomes: []string{"approve"},
}

func TestParseRows(t *testing.T) {
	posted := url.Values{
		"f.quotes[0].supplier": {" 甲公司 "}, "f.quotes[0].unit_price": {"12.5"}, "f.quotes[0].delivery_date": {"2026-12-20"},
		"f.quotes[0].terms": {"credit"}, "f.quotes[0].sample": {"true"},
		// row 1 was removed in the browser: a gap
		"f.quotes[2].supplier": {"乙公司"}, "f.quotes[2].unit_price": {"十二"}, "f.quotes[2].terms": {""},
		// blank rows are left out, wherever they are
		"f.quotes[3].supplier": {"  "}, "f.quotes[3].unit_price": {""}, "f.quotes[3].delivery_date": {""},
		// a row with only its box ticked is a row
		"f.quotes[10].sample": {"true"},
		// names that are no cell of a row
		"f.quotes[x].supplier": {"x"}, "f.quotes[01].supplier": {"x"}, "f.quotes[-1].supplier": {"x"},
		"f.quotes[" + rowMark + "].supplier": {"x"}, "f.quotes[4].extra": {"x"}, "f.quotes[5]": {"x"}, "f.quotesx[0].supplier": {"x"},
		"f.chosen": {"甲公司"}, "outcome": {"approve"},
	}
	got := parseForm(quotesForm, posted)
	want := map[string]any{
		"quotes": []any{
			map[string]any{"supplier": "甲公司", "unit_price": 12.5, "delivery_date": "2026-12-20", "terms": "credit", "sample": true},
			// a number that does not parse goes as typed, so the API says what is wrong
			map[string]any{"supplier": "乙公司", "unit_price": "十二", "sample": false},
			map[string]any{"sample": true},
		},
		"chosen": "甲公司",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("data = %#v\nwant %#v", got, want)
	}
	// The rows go through JSON as the API reads them, and the form takes
	// the first; the others are the API's to refuse, row by row.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	errs := quotesForm.Validate("approve", back)
	if len(errs) != 3 || errs["data.quotes[1].unit_price"].Code != "value.number" || errs["data.quotes[2].supplier"].Code != "field.required" ||
		errs["data.quotes[2].unit_price"].Code != "field.required" {
		t.Errorf("errors = %v", errs)
	}
	// Nothing typed: the field is absent, so "required" is the API's to say.
	empty := parseForm(quotesForm, url.Values{"f.quotes[0].supplier": {""}, "f.quotes[1].unit_price": {" "}})
	if _, ok := empty["quotes"]; ok || len(empty) != 0 {
		t.Errorf("blank table = %#v, want no data", empty)
	}
	// A start body nests dotted names; a rows field's list stays as it is.
	if n := nest(map[string]any{"items": want["quotes"], "order.note": "x"}); !reflect.DeepEqual(n["items"], want["quotes"]) {
		t.Errorf("nest = %#v", n)
	}
}

func TestRowsRendering(t *testing.T) {
	values := map[string]any{"quotes": []any{
		map[string]any{"supplier": "甲公司", "unit_price": 12.5, "terms": "credit", "sample": true},
		map[string]any{"supplier": "乙公司", "unit_price": "十二"},
	}}
	errs := map[string]zhidu.Message{
		"data.quotes":                 zhidu.RowsMin(3),
		"data.quotes[1].unit_price":   zhidu.NotNumber(),
		"data.quotes[1]":              zhidu.SomeoneElse(),
		"data.quotes[7].supplier":     zhidu.Required(), // a row no longer shown
		"data.quotes_note":            zhidu.Required(), // another field
		"data.quotes.unknown_column":  zhidu.NotInForm(),
		"data.quotes[0].delivery_day": zhidu.NotInForm(),
	}
	v := buildForm("zh", quotesForm, values, errs, "data.", false, nil)
	rows := v.Fields[0]
	if len(rows.Rows) != 5 { // two entered, three blank, at most MaxRows
		t.Fatalf("%d rows shown, want 5", len(rows.Rows))
	}
	html := renderFields(t, "zh", v)
	for _, want := range []string{
		`<span class="label" id="f-quotes-label">报价 <span class="req"`,
		`<table class="list rows-table" id="f-quotes" aria-labelledby="f-quotes-label" aria-describedby="f-quotes-err">`,
		`<th scope="col">供应商 <span class="req"`,
		`<th scope="col">交货日期</th>`,
		`<input type="text" id="f-quotes-0-supplier" name="f.quotes[0].supplier" value="甲公司" aria-label="供应商" maxlength="100"`,
		`name="f.quotes[0].unit_price" value="12.5"`,
		`<option value="credit" selected>退款</option>`,
		`<input type="checkbox" id="f-quotes-0-sample" name="f.quotes[0].sample" value="true" aria-label="已送样" checked`,
		`name="f.quotes[1].unit_price" value="十二" aria-label="单价"`,
		`aria-invalid="true" aria-describedby="f-quotes-1-unit_price-err"`,
		`<p class="field-error" id="f-quotes-1-unit_price-err" data-field="f.quotes[1].unit_price" title="must be a number">必须是数字</p>`,
		`<p class="field-error" title="must be someone else">不能是您自己</p>`,
		`<p class="field-error" id="f-quotes-err" data-field="f.quotes" title="must have at least 3 rows">至少需要 3 行</p>`,
		`<p class="field-error" data-field="f.quotes">供应商：此项必填</p>`,                // row 7's supplier, not shown
		`<p class="field-error" data-field="f.quotes">不是此表单的字段</p>`,                // a column not in the form
		`name="f.quotes[4].supplier" value=""`,                                     // the last blank row
		`name="f.quotes[` + rowMark + `].supplier"`,                                // the row the script copies
		`<button type="button" class="btn btn-ghost add-row" hidden>添加一行</button>`, // shown by the script
		`<button type="button" class="btn btn-ghost remove-row" hidden>删除</button>`,
		`data-max-rows="5"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("rendered table lacks %q", want)
		}
	}
	for _, not := range []string{`f.quotes[5]`, "quotes_note"} {
		if strings.Contains(html, not) {
			t.Errorf("rendered table has %q", not)
		}
	}
	// Every cell's name parses back as the cell it is.
	names := regexp.MustCompile(`name="(f\.quotes\[\d+\]\.[a-z_]+)"`).FindAllStringSubmatch(html, -1)
	if len(names) != 5*5 {
		t.Errorf("%d cell inputs, want 25", len(names))
	}

	// A start form's errors have no prefix; its decoder names a column
	// without its row.
	start := buildForm("en", quotesForm, nil, map[string]zhidu.Message{"quotes[0].supplier": zhidu.Required(), "quotes.unit_price": zhidu.NotNumber()}, "", false, nil)
	en := renderFields(t, "en", start)
	for _, want := range []string{`data-field="f.quotes[0].supplier" title="is required">is required</p>`,
		`<p class="field-error" data-field="f.quotes">Unit price: must be a number</p>`, `Add a row`} {
		if !strings.Contains(en, want) {
			t.Errorf("start form lacks %q", want)
		}
	}
	if len(start.Fields[0].Rows) != 3 {
		t.Errorf("an empty table offers %d rows, want 3", len(start.Fields[0].Rows))
	}

	// Disabled (not the user's task): the rows entered, no blank ones, no
	// buttons, no row to copy; an empty table still shows its columns.
	ro := renderFields(t, "zh", buildForm("zh", quotesForm, values, nil, "data.", true, nil))
	if strings.Contains(ro, "f.quotes[2]") || strings.Contains(ro, "add-row") || strings.Contains(ro, "remove-row") || strings.Contains(ro, rowMark) ||
		!strings.Contains(ro, `name="f.quotes[1].supplier" value="乙公司" aria-label="供应商" maxlength="100" disabled`) {
		t.Errorf("disabled table:\n%s", ro)
	}
	if n := len(buildForm("zh", quotesForm, nil, nil, "data.", true, nil).Fields[0].Rows); n != 1 {
		t.Errorf("disabled empty table shows %d rows, want 1", n)
	}
}

func TestRowsDescribed(t *testing.T) {
	data := map[string]any{"chosen": "甲公司", "quotes": []any{
		map[string]any{"supplier": "甲公司", "unit_price": 12.5, "terms": "credit", "sample": true},
		map[string]any{"supplier": "乙公司", "unit_price": 13.0, "delivery_date": "2026-12-20", "sample": false},
	}}
	want := &tableView{Head: []string{"供应商", "单价", "交货日期", "付款条件", "已送样"}, Rows: [][]string{
		{"甲公司", "12.5", "", "退款", "是"},
		{"乙公司", "13", "2026-12-20", "", "否"},
	}}
	got := describeData("zh", quotesForm, data, nil)
	if len(got) != 2 || got[0].Label != "报价" || !reflect.DeepEqual(got[0].Table, want) || got[1].Value != "甲公司" {
		t.Fatalf("described = %+v", got)
	}
	// A process's input, labelled by its start form, shows the same table.
	if sum := describeWith("zh", quotesForm, data); len(sum) != 2 || !reflect.DeepEqual(sum[0].Table, want) {
		t.Errorf("summary = %+v", sum)
	}
	if none := describeData("zh", quotesForm, map[string]any{"quotes": []any{}}, nil); len(none) != 0 {
		t.Errorf("no rows described as %+v", none)
	}
	tm := renderKV(t, got)
	for _, want := range []string{`<th scope="col">交货日期</th>`, `<td data-label="单价">12.5</td>`, `<td data-label="交货日期"><span class="muted">—</span></td>`} {
		if !strings.Contains(tm, want) {
			t.Errorf("described table lacks %q:\n%s", want, tm)
		}
	}
}

func renderKV(t *testing.T, kvs []kv) string {
	t.Helper()
	var b strings.Builder
	tm := template.Must(template.New("x").Funcs(funcs("zh", time.UTC)).ParseFS(assets, "assets/templates/partials.html"))
	if err := tm.ExecuteTemplate(&b, "kvlist", kvs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// rowsAPI serves one claimed task with quotesForm and refuses its
// completion with field errors of rows, recording what it was sent.
type rowsAPI struct {
	mu   sync.Mutex
	sent map[string]any
}

func (a *rowsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.Method + " " + r.URL.Path {
	case "GET /api/v1/me":
		_, _ = io.WriteString(w, `{"username":"alice","name":"爱丽丝","clearance":"internal","roles":[]}`)
	case "GET /api/v1/tasks/t-1":
		me := "alice"
		task := taskJSON{Task: store.Task{ID: "t-1", ProcessID: "p-1", Kind: "approval", Step: "sourcing", State: zhidu.TaskClaimed,
			Assignee: &me, Level: zhidu.Internal, Priority: 2, Form: quotesForm, Title: zhidu.Text{Zh: "询价", En: "Sourcing"}},
			Permissions: map[string]bool{"complete": true}}
		_ = json.NewEncoder(w).Encode(task)
	case "POST /api/v1/tasks/t-1/complete":
		a.mu.Lock()
		_ = json.NewDecoder(r.Body).Decode(&a.sent)
		a.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": zhidu.Invalid(zhidu.FormIncomplete(), map[string]zhidu.Message{
			"data.quotes[1].unit_price": zhidu.NotNumber()})})
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"not found"}}`)
	}
}

// TestRowsTaskPage: the task page renders a rows field as a table, posts
// it to the API as a list of row objects and shows the API's message
// next to the cell it names, with what was typed kept.
func TestRowsTaskPage(t *testing.T) {
	st := &fakeStore{sessions: map[string]store.Session{}}
	api := &rowsAPI{}
	h := New(Config{}, api, st)
	se, ck := signedIn(t, st)

	r := httptest.NewRequest("GET", "/tasks/t-1", nil)
	r.AddCookie(ck)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="f.quotes[2].supplier"`) {
		t.Fatalf("task page: %d\n%s", w.Code, w.Body)
	}

	form := url.Values{"csrf": {se.CSRF}, "outcome": {"approve"},
		"f.quotes[0].supplier": {"甲公司"}, "f.quotes[0].unit_price": {"12"},
		"f.quotes[1].supplier": {""}, "f.quotes[1].unit_price": {""},
		"f.quotes[2].supplier": {"乙公司"}, "f.quotes[2].unit_price": {"十二"}}
	r = httptest.NewRequest("POST", "/tasks/t-1/complete", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(ck)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	wantData := map[string]any{"quotes": []any{
		map[string]any{"supplier": "甲公司", "unit_price": 12.0, "sample": false},
		map[string]any{"supplier": "乙公司", "unit_price": "十二", "sample": false},
	}}
	api.mu.Lock()
	sent := api.sent
	api.mu.Unlock()
	if !reflect.DeepEqual(sent["data"], wantData) || sent["outcome"] != "approve" {
		t.Fatalf("sent to the API: %#v", sent)
	}
	body := w.Body.String()
	if w.Code != http.StatusBadRequest {
		t.Fatalf("refused completion: status %d", w.Code)
	}
	for _, want := range []string{
		`name="f.quotes[1].supplier" value="乙公司"`, // the blank row left out, so the API's row 1 is the second shown
		`<p class="field-error" id="f-quotes-1-unit_price-err" data-field="f.quotes[1].unit_price" title="must be a number">必须是数字</p>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page after the refusal lacks %q", want)
		}
	}
}

// TestRowsInBrowser: in Chromium, the script adds and removes rows of the
// table, and the rows typed reach the API as a list of row objects, the
// removed and the blank ones left out. Like the e2e browser tests it
// fails without Chromium (deploy/test.sh installs it).
func TestRowsInBrowser(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		t.Fatal("Chromium is not installed: the browser test of the rows table needs it (deploy/test.sh installs Debian's chromium package)")
	}
	api := &rowsAPI{}
	srv := httptest.NewServer(New(Config{}, api, &fakeStore{sessions: map[string]store.Session{}}))
	t.Cleanup(srv.Close)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	t.Cleanup(cancelAlloc)
	browser, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancelRun := context.WithTimeout(browser, 60*time.Second)
	t.Cleanup(cancelRun)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	count := func(sel string) int {
		t.Helper()
		q, _ := json.Marshal(sel)
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%s).length", q)))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}

	step("sign in", chromedp.Navigate(srv.URL+"/signin?next=/tasks/t-1"),
		chromedp.SetValue(chromedp.ID("username"), "alice"), chromedp.SetValue(chromedp.ID("password"), "pw"),
		chromedp.Click(chromedp.CSS(`#password-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".add-row")))
	if n := count("#f-quotes tbody tr"); n != 3 {
		t.Fatalf("%d rows offered, want 3 blank ones", n)
	}
	step("add a row", chromedp.Click(chromedp.CSS(".add-row")), chromedp.WaitVisible(chromedp.ID("f-quotes-3-supplier")))
	step("remove the first row", chromedp.Click(chromedp.CSS("#f-quotes tbody tr:first-child .remove-row")))
	if n, gone := count("#f-quotes tbody tr"), count("#f-quotes-0-supplier"); n != 3 || gone != 0 {
		t.Fatalf("after adding one and removing the first: %d rows (want 3), row 0 still there: %d", n, gone)
	}
	step("fill two rows", chromedp.SetValue(chromedp.ID("f-quotes-1-supplier"), "甲公司"), chromedp.SetValue(chromedp.ID("f-quotes-1-unit_price"), "12"),
		chromedp.SetValue(chromedp.ID("f-quotes-3-supplier"), "乙公司"), chromedp.SetValue(chromedp.ID("f-quotes-3-unit_price"), "十二"),
		chromedp.SetValue(chromedp.ID("f-quotes-3-terms"), "credit"), chromedp.Click(chromedp.ID("f-quotes-3-sample")))
	step("complete", chromedp.Click(chromedp.CSS(`button[data-outcome=approve]`)), chromedp.WaitVisible(chromedp.ID("f-quotes-1-unit_price-err")))
	want := map[string]any{"quotes": []any{
		map[string]any{"supplier": "甲公司", "unit_price": 12.0, "sample": false},
		map[string]any{"supplier": "乙公司", "unit_price": "十二", "terms": "credit", "sample": true},
	}}
	api.mu.Lock()
	sent := api.sent["data"]
	api.mu.Unlock()
	if !reflect.DeepEqual(sent, want) {
		t.Errorf("sent to the API: %#v\nwant %#v", sent, want)
	}
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-quotes-1-unit_price")))
	if err != nil || v != "十二" {
		t.Errorf("the refused cell shows %q (%v), want what was typed", v, err)
	}
}
