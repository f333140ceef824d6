package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// TestStepNotation: the editor's steps notation reads back what it shows,
// in both languages, for every role and department; codes work too, and a
// word that is neither goes to the API as typed.
func TestStepNotation(t *testing.T) {
	seed := matrix.Seed()
	for _, lang := range []string{"zh", "en"} {
		ed := editorOf(lang, seed)
		rules, ok := ed.document(lang)
		if !ok || !matrix.Equal(matrix.Matrix{Rules: rules}, seed) {
			t.Errorf("%s: the seed does not survive the editor (ok %v):\n%+v", lang, ok, rules)
		}
		for _, r := range zhidu.Roles() {
			for _, d := range append(departmentCodes(), matrix.Requester) {
				want := matrix.Step{Role: r, Department: d}
				text := stepOf(lang, want).String()
				if got, _ := parseSteps(text); len(got) != 1 || got[0] != want {
					t.Errorf("%s: %q reads as %+v, want %+v", lang, text, got, want)
				}
			}
		}
	}
	for text, want := range map[string][]matrix.Step{
		"dept_head@requester -> staff@fin, gm@gmo": {{Role: "dept_head", Department: "requester"}, {Role: "staff", Department: "fin"},
			{Role: "gm", Department: "gmo"}},
		" 部门经理＠申请人所在部门 → 项目第一责任人\n营管办@营管办；Staff@FINANCE ": {{Role: "dept_head", Department: "requester"}, {ProjectLead: true},
			{Role: "compliance", Department: "bmo"}, {Role: "staff", Department: "fin"}},
		"project_lead": {{ProjectLead: true}},
		"boss@moon":    {{Role: "boss", Department: "moon"}},
		"总经理":          {{Role: "gm"}},
		" → ,":         nil,
	} {
		got, typed := parseSteps(text)
		if !slices.Equal(got, want) || len(typed) != len(want) {
			t.Errorf("%q reads as %+v (typed %q), want %+v", text, got, typed, want)
		}
	}
	for in, want := range map[float64]string{0: "¥0", 2000.01: "¥2,000.01", 50000: "¥50,000", 1234567.5: "¥1,234,567.50", 999: "¥999"} {
		if got := money(in); got != want {
			t.Errorf("money(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestEditorFieldErrors: each of the API's field paths lands on its rule
// and cell; a step's says which step, as typed.
func TestEditorFieldErrors(t *testing.T) {
	ed := &editorView{Rows: []editRow{{Kind: "regular"}, {Kind: "lavish"}, {Kind: "regular", Steps: "部门经理@申请人所在部门 → boss@财务部"}}}
	if _, ok := ed.document("zh"); !ok {
		t.Fatal("the rows do not read")
	}
	ed.fail("zh", map[string]zhidu.Message{
		"rules":                       zhidu.Say("matrix.uncovered", "kind", "regular", "department", "cs", "level", "public"),
		"rules[0]":                    zhidu.Say("matrix.unreachable", "rules", []string{"rules[2]"}),
		"rules[1].kind":               zhidu.OneOf(matrix.Kinds()),
		"rules[1].max_amount":         zhidu.Say("matrix.gap_above", "from", "0"),
		"rules[2].steps[1].role":      zhidu.OneOf([]string{"staff"}),
		"rules[2].steps":              zhidu.Say("matrix.no_steps"),
		"rules[2].steps[0].something": zhidu.Required(),
		"rules[2].surprise":           zhidu.Required(),
		"rules[7].kind":               zhidu.Required(),
		"note":                        zhidu.MaxChars(2000),
	})
	for _, tc := range []struct {
		row  int
		cell string
		want []string
	}{
		{0, "rule", []string{"没有申请会用到此规则：它匹配的申请都已被之前的 rules[2] 处理"}},
		{1, "kind", []string{"请从给定选项中选择"}},
		{1, "max_amount", []string{"同一类别、部门和密级中，金额 0 及以上没有规则（最后一档不设上限：null）"}},
		{2, "steps", []string{"至少须有一个审批步骤", "第 1 步（部门经理@申请人所在部门）：此项必填", "第 2 步（boss@财务部）：请从给定选项中选择"}},
		{2, "rule", []string{"此项必填"}},
	} {
		if got := ed.Rows[tc.row].Errors[tc.cell]; !slices.Equal(got, tc.want) {
			t.Errorf("row %d %s = %q, want %q", tc.row, tc.cell, got, tc.want)
		}
	}
	if ed.NoteError != "最多 2000 个字符" || !slices.Equal(ed.Errors, []string{"没有规则处理客服部密级为公开的月度计划采购", "rules[7].kind: 此项必填"}) {
		t.Errorf("note %q, document errors %q", ed.NoteError, ed.Errors)
	}
}

// TestEditorRows: the row buttons change the rows and nothing else; blank
// rows stay out of a proposal; an amount that is no number is marked and
// never sent.
func TestEditorRows(t *testing.T) {
	rows := func(ed *editorView) string {
		var out []string
		for _, r := range ed.Rows {
			out = append(out, r.Kind+":"+r.Min)
		}
		return strings.Join(out, " ")
	}
	ed := &editorView{Rows: []editRow{{Kind: "a", Min: "0"}, {Kind: "b", Min: "1"}, {Kind: "c", Min: "2"}}}
	steps := []struct {
		op   string
		ok   bool
		want string
	}{
		{"up.1", true, "b:1 a:0 c:2"},
		{"up.0", true, "b:1 a:0 c:2"},
		{"down.2", true, "b:1 a:0 c:2"},
		{"down.0", true, "a:0 b:1 c:2"},
		{"insert.0", true, "a:0 : b:1 c:2"},
		{"remove.3", true, "a:0 : b:1"},
		{"add", true, "a:0 : b:1 :"},
		{"remove.9", false, "a:0 : b:1 :"},
		{"up.x", false, "a:0 : b:1 :"},
		{"sideways.1", false, "a:0 : b:1 :"},
	}
	for _, st := range steps {
		if ok := ed.edit(st.op); ok != st.ok || rows(ed) != st.want {
			t.Errorf("%s: %v, rows %q; want %v, %q", st.op, ok, rows(ed), st.ok, st.want)
		}
	}
	if ed.Rows[1].Department != matrix.Any || ed.Rows[1].Level != matrix.Any {
		t.Errorf("a new row = %+v, want any department and level", ed.Rows[1])
	}
	rules, ok := ed.document("en")
	if !ok || len(rules) != 2 || len(ed.Rows) != 2 || rules[1].Kind != "b" || rules[1].MinAmount != 1 {
		t.Errorf("document = %+v (ok %v), rows %q", rules, ok, rows(ed))
	}
	ed = &editorView{Rows: []editRow{{Kind: "regular", Min: "1,000", Max: "¥2,000.01"}, {Kind: "regular", Min: "lots", Max: "NaN"}}}
	rules, ok = ed.document("en")
	if ok || rules[0].MinAmount != 1000 || *rules[0].MaxAmount != 2000.01 ||
		!slices.Equal(ed.Rows[1].Errors["min_amount"], []string{"must be a number"}) || len(ed.Rows[1].Errors["max_amount"]) != 1 {
		t.Errorf("amounts: %+v ok %v, errors %v", rules, ok, ed.Rows[1].Errors)
	}
}

// matrixFake answers the matrix routes as the API would for one user, and
// records what it was sent.
type matrixFake struct {
	mu       sync.Mutex
	user     string // the signed-in user: secadmin, gm, cs.agent
	proposal bool   // a version awaits the GM
	putBody  []byte
	putReply func(w http.ResponseWriter)
	asks     []string
}

var fakeUsers = map[string]string{
	"secadmin": `{"username":"secadmin","name":"安全员","name_en":"Security","department":"bmo","clearance":"confidential","roles":[{"role":"secadmin","department":"bmo"}]}`,
	"gm":       `{"username":"gm","name":"总经理","department":"gmo","clearance":"top_secret","roles":[{"role":"gm","department":"gmo"}]}`,
	"cs.agent": `{"username":"cs.agent","name":"客服","department":"cs","clearance":"internal","roles":[{"role":"staff","department":"cs"}]}`,
	"sysadmin": `{"username":"sysadmin","name":"系统员","department":"gmo","clearance":"internal","roles":[{"role":"sysadmin","department":"gmo"}]}`,
}

func (a *matrixFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asks = append(a.asks, r.Method+" "+r.URL.RequestURI())
	w.Header().Set("Content-Type", "application/json")
	forbidden := func() {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"error":{"code":"forbidden","message":"only secadmin may do this"}}`)
	}
	reader := a.user == "secadmin" || a.user == "gm"
	switch {
	case r.URL.Path == "/api/v1/me":
		_, _ = io.WriteString(w, fakeUsers[a.user])
	case r.URL.Path == matrixAPI && r.Method == http.MethodGet && !reader:
		forbidden()
	case r.URL.Path == matrixAPI && r.Method == http.MethodGet:
		active := store.MatrixVersion{Version: 1, Document: matrix.Seed(), State: store.MatrixActive, ProposedBy: "zhidu-migrate",
			ProposedAt: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), DecidedBy: "zhidu-migrate"}
		out := map[string]any{"active": active, "proposal": nil}
		if a.proposal {
			doc := matrix.Seed()
			doc.Rules[3].Steps = doc.Rules[3].Steps[:1]
			doc.Rules = append(doc.Rules[:16], doc.Rules[17])
			base := 1
			v := store.MatrixVersion{Version: 2, Document: doc, State: store.MatrixProposed, ProposedBy: "secadmin", BaseVersion: &base,
				ProcessID: "matrix_change-secadmin-x", Note: "小额临时采购由部门经理审批即可"}
			b, _ := json.Marshal(v)
			var p map[string]any
			_ = json.Unmarshal(b, &p)
			p["changes"] = matrix.Diff(active.Document, doc)
			out["proposal"] = p
		}
		_ = json.NewEncoder(w).Encode(out)
	case r.URL.Path == matrixAPI && r.Method == http.MethodPut:
		a.putBody, _ = io.ReadAll(r.Body)
		if a.user != "secadmin" {
			forbidden()
			return
		}
		a.putReply(w)
	case r.URL.Path == matrixRouteAPI && a.user == "sysadmin":
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"error":{"code":"forbidden","message":"only holders of a business role and the security administrator ask the approval matrix",
			"message_code":{"code":"matrix.route_denied"}}}`)
	case r.URL.Path == matrixRouteAPI && r.URL.Query().Get("kind") == "":
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":{"code":"invalid","message":"invalid query","fields":{"kind":"is required"},
			"message_code":{"code":"query.invalid"},"field_codes":{"kind":{"code":"field.required"}}}}`)
	case r.URL.Path == matrixRouteAPI:
		q := r.URL.Query()
		amount, _ := strconv.ParseFloat(q.Get("amount"), 64)
		level, _ := zhidu.ParseLevel(q.Get("level"))
		doc := matrix.Seed()
		steps, rule, why := doc.Route(q.Get("kind"), amount, zhidu.Department(q.Get("department")), level)
		_ = json.NewEncoder(w).Encode(map[string]any{"version": 1, "state": "active", "rule": rule, "matched": doc.Rules[rule],
			"steps": steps, "why": why.String(), "why_code": why})
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"not found"}}`)
	}
}

func (a *matrixFake) sent() (map[string]any, []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var body map[string]any
	if a.putBody != nil {
		_ = json.Unmarshal(a.putBody, &body)
	}
	return body, slices.Clone(a.asks)
}

// matrixClient signs a user in to a web inbox in front of the fake.
type matrixClient struct {
	t    *testing.T
	h    http.Handler
	ck   *http.Cookie
	csrf string
}

func newMatrixClient(t *testing.T, a *matrixFake) *matrixClient {
	t.Helper()
	st := &fakeStore{sessions: map[string]store.Session{}}
	se, ck := signedIn(t, st)
	return &matrixClient{t: t, h: New(Config{Location: time.UTC}, a, st), ck: ck, csrf: se.CSRF}
}

func (m *matrixClient) get(path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.AddCookie(m.ck)
	for _, ck := range cookies {
		r.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	m.h.ServeHTTP(w, r)
	return w
}

func (m *matrixClient) post(path string, form url.Values) *httptest.ResponseRecorder {
	form.Set("csrf", m.csrf)
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(m.ck)
	w := httptest.NewRecorder()
	m.h.ServeHTTP(w, r)
	return w
}

// seedForm is the editor's form filled with the seed, as the page shows it.
func seedForm(lang string) url.Values {
	f := url.Values{}
	ed := editorOf(lang, matrix.Seed())
	f.Set("rows", strconv.Itoa(len(ed.Rows)))
	for i, r := range ed.Rows {
		p := "r." + strconv.Itoa(i) + "."
		f.Set(p+"kind", r.Kind)
		f.Set(p+"department", r.Department)
		f.Set(p+"level", r.Level)
		f.Set(p+"min", r.Min)
		f.Set(p+"max", r.Max)
		f.Set(p+"steps", r.Steps)
	}
	return f
}

// TestMatrixPage: the security administrator sees the active version, the
// editor filled with it, and proposes through the API: the document sent
// is what the rows say; the API's field errors come back next to their
// rule; a success goes back to the page. Others get no editor.
func TestMatrixPage(t *testing.T) {
	a := &matrixFake{user: "secadmin"}
	c := newMatrixClient(t, a)
	w := c.get("/admin/approval-matrix")
	body := w.Body.String()
	text := pageText(body)
	if w.Code != http.StatusOK {
		t.Fatalf("page: %d", w.Code)
	}
	for _, want := range []string{
		`<a href="/admin/approval-matrix" aria-current="page">审批矩阵</a>`, // the nav
		`<input type="hidden" name="rows" value="18">`,
		`<option value="temporary" selected>临时小额采购</option>`,
		`>部门经理@申请人所在部门 → 职员@财务部</textarea>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, want := range []string{"现行版本：第 1 版", "3 临时小额采购 任何部门 任何密级 低于 ¥2,000.01 部门经理 @申请人所在部门 → 职员 @财务部",
		"4 临时小额采购 任何部门 任何密级 ¥2,000.01 至低于 ¥50,000.01", "0 临时小额采购 任何部门 秘密及以上 低于 ¥2,000.01 部门经理 @申请人所在部门 → 营管办 @营管办 → 职员 @财务部"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q:\n%s", want, text)
		}
	}

	// In English, nothing is in Chinese.
	en := pageText(c.get("/admin/approval-matrix", &http.Cookie{Name: langCookie, Value: "en"}).Body.String())
	en = strings.NewReplacer("制 zhidu", "", "中文", "").Replace(en) // the brand mark, the language switch
	if han := regexp.MustCompile(`\p{Han}+`).FindAllString(en, -1); len(han) > 0 || !strings.Contains(en,
		"3 Temporary small purchase Any department Any level Below ¥2,000.01 Department head @Requester&#39;s department → Staff @Finance") {
		t.Errorf("the English page has %q:\n%s", han, en)
	}

	// A row button shows the rows again, changed; the API is not asked to store anything.
	f := seedForm("zh")
	f.Set("op", "remove.0")
	if w := c.post("/admin/approval-matrix", f); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="rows" value="17"`) {
		t.Errorf("remove: %d", w.Code)
	}
	if body, _ := a.sent(); body != nil {
		t.Errorf("a row button sent %v", body)
	}

	// Proposing: the API's 400 with field codes, each next to its rule.
	a.putReply = func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":{"code":"invalid","message":"cannot propose the approval matrix: rules[3].steps[1].role: must be one of …",
			"message_code":{"code":"matrix.cannot_propose"},"fields":{"rules[3].steps[1].role":"must be one of …"},
			"field_codes":{"rules[3].steps[1].role":{"code":"choice.one_of","params":{"choices":["staff"]}},"rules[5]":{"code":"matrix.unreachable","params":{"rules":["rules[4]"]}}}}}`)
	}
	f = seedForm("zh")
	f.Set("r.3.steps", "部门经理@申请人所在部门 → boss@财务部")
	f.Set("note", "  小额临时采购由部门经理审批即可 ")
	f.Set("op", "propose")
	w = c.post("/admin/approval-matrix", f)
	sent, _ := a.sent()
	if w.Code != http.StatusBadRequest {
		t.Fatalf("refused proposal: %d", w.Code)
	}
	rules := sent["rules"].([]any)
	if len(rules) != 18 || sent["note"] != "小额临时采购由部门经理审批即可" {
		t.Fatalf("sent %v", sent)
	}
	if got, _ := json.Marshal(rules[3]); string(got) != `{"department":"*","kind":"temporary","level":"*","max_amount":2000.01,"min_amount":0,"steps":[{"department":"requester","role":"dept_head"},{"department":"fin","role":"boss"}]}` {
		t.Errorf("rule 3 sent as %s", got)
	}
	page := w.Body.String()
	row3 := page[strings.Index(page, `id="rule-3"`):]
	row3 = row3[:strings.Index(row3, `id="rule-4"`)]
	if !strings.Contains(row3, `<p class="field-error">第 2 步（boss@财务部）：请从给定选项中选择</p>`) || !strings.Contains(row3, `class="cell-steps has-error"`) ||
		!strings.Contains(row3, "boss@财务部</textarea>") {
		t.Errorf("rule 3's row lacks its message:\n%s", row3)
	}
	if !strings.Contains(page, `<tr class="rule-errors" data-rule="5"><td></td><td colspan="7"><p class="field-error">没有申请会用到此规则：它匹配的申请都已被之前的 rules[4] 处理</p>`) {
		t.Error("rule 5's message is not under it")
	}
	if !strings.Contains(page, "请更正标出的字段。") || !strings.Contains(page, "  小额临时采购由部门经理审批即可 </textarea>") {
		t.Error("the page does not say to correct the fields, or lost the note")
	}

	// An amount that is no number is marked without asking the API.
	a.putBody = nil
	f.Set("r.4.min", "两千")
	if w := c.post("/admin/approval-matrix", f); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "必须是数字") {
		t.Errorf("bad amount: %d", w.Code)
	}
	if body, _ := a.sent(); body != nil {
		t.Errorf("a bad amount was sent: %v", body)
	}

	// Accepted: back to the page, which says so.
	a.putReply = func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"proposal":{}}`)
	}
	f.Set("r.4.min", "2000.01")
	if w := c.post("/admin/approval-matrix", f); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/approval-matrix?ok=matrix_proposed" {
		t.Errorf("accepted: %d to %q", w.Code, w.Header().Get("Location"))
	}

	// While a version awaits the GM: its changes, no editor.
	a.proposal = true
	w = c.get("/admin/approval-matrix?ok=matrix_proposed")
	text = pageText(w.Body.String())
	for _, want := range []string{"新版本已提交，等待总经理批准。", "待批准的提议：第 2 版 等待总经理决定",
		"修改的版本：第 1 版", "修改步骤 3 临时小额采购 任何部门 任何密级 低于 ¥2,000.01 部门经理 @申请人所在部门 → 职员 @财务部 ⇒ 部门经理 @申请人所在部门",
		"删除 16 项目物资 任何部门 任何密级 低于 ¥50,000.01", "第 2 版正待总经理决定，决定后再提交"} {
		if !strings.Contains(text, want) {
			t.Errorf("page with a proposal lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(w.Body.String(), `id="matrix-form"`) || !strings.Contains(w.Body.String(), `href="/processes/matrix_change-secadmin-x"`) {
		t.Error("the editor is offered while a version awaits the GM, or the process is not linked")
	}

	// The GM reads it, with no editor; proposing anyway is the API's 403.
	a.user = "gm"
	if w := c.get("/admin/approval-matrix"); w.Code != http.StatusOK || strings.Contains(w.Body.String(), `id="matrix-form"`) ||
		!strings.Contains(w.Body.String(), `id="matrix-proposal"`) || strings.Contains(w.Body.String(), `id="matrix-pending"`) {
		t.Errorf("the GM's page: %d", w.Code)
	}
	if w := c.post("/admin/approval-matrix", f); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "只有安全保密管理员可以提出审批矩阵的新版本。") {
		t.Errorf("the GM proposing: %d", w.Code)
	}
	// Staff: the API's 403, and their nav leads to the dry run.
	a.user = "cs.agent"
	w = c.get("/admin/approval-matrix")
	if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), `id="matrix-form"`) ||
		!strings.Contains(w.Body.String(), "只有安全保密管理员、总经理和安全审计员可以查看审批矩阵。") ||
		!strings.Contains(w.Body.String(), `<a href="/approval-matrix/route" >审批矩阵</a>`) {
		t.Errorf("staff: %d\n%s", w.Code, pageText(w.Body.String()))
	}
	if w := c.post("/admin/approval-matrix", f); w.Code != http.StatusForbidden {
		t.Errorf("staff proposing: %d", w.Code)
	}
	// A bad row button changes nothing.
	a.user = "secadmin"
	f.Set("op", "explode.3")
	if w := c.post("/admin/approval-matrix", f); w.Code != http.StatusBadRequest {
		t.Errorf("unknown op: %d", w.Code)
	}
	// Without the CSRF token nothing reaches the API.
	_, before := a.sent()
	r := httptest.NewRequest("POST", "/admin/approval-matrix", strings.NewReader("op=propose&rows=0"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(c.ck)
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	if _, after := a.sent(); rec.Code != http.StatusForbidden || len(after) != len(before) {
		t.Errorf("no CSRF token: %d, API asked %v", rec.Code, after[len(before):])
	}
}

// TestMatrixRoutePage: the dry run asks the API with the form's values and
// shows the steps, the rule and the version; its field errors go next to
// the fields; whoever the API refuses gets its 403.
func TestMatrixRoutePage(t *testing.T) {
	a := &matrixFake{user: "cs.agent"}
	c := newMatrixClient(t, a)
	w := c.get("/approval-matrix/route")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<option value="cs" selected>客服部</option>`) ||
		!strings.Contains(w.Body.String(), `<option value="internal" selected>内部</option>`) || strings.Contains(w.Body.String(), "field-error") {
		t.Errorf("empty form: %d", w.Code)
	}
	w = c.get("/approval-matrix/route?kind=temporary&amount=1%2C800&department=sales&level=internal&version=")
	text := pageText(w.Body.String())
	if w.Code != http.StatusOK || !strings.Contains(text, "按第 1 版 现行 审批步骤 部门经理 @销售部 职员 @财务部") ||
		!strings.Contains(text, "3 临时小额采购 任何部门 任何密级 低于 ¥2,000.01") || !strings.Contains(text, "匹配规则 rules[3]：temporary/*/*/[0, 2000.01)") {
		t.Errorf("route: %d\n%s", w.Code, text)
	}
	if _, asks := a.sent(); !slices.Contains(asks, "GET "+matrixRouteAPI+"?amount=1800&department=sales&kind=temporary&level=internal") {
		t.Errorf("asked %v", asks)
	}
	w = c.get("/approval-matrix/route?kind=&amount=1&department=cs")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `<p class="field-error" data-field="kind">此项必填</p>`) {
		t.Errorf("missing kind: %d", w.Code)
	}
	a.user = "sysadmin"
	for _, path := range []string{"/approval-matrix/route", "/approval-matrix/route?kind=regular&amount=1&department=cs"} {
		if w := c.get(path); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "只有业务角色和安全保密管理员可以查询审批矩阵") ||
			strings.Contains(w.Body.String(), `href="/approval-matrix/route" >`) {
			t.Errorf("%s for sysadmin: %d", path, w.Code)
		}
	}
}

// TestMatrixChangeTask: the GM's task shows the changes as a table while
// the version awaits the decision, instead of its context's lines.
func TestMatrixChangeTask(t *testing.T) {
	a := &matrixFake{user: "gm", proposal: true}
	lines := `["~ rules[3] temporary/*/*/[0, 2000.01): dept_head@requester → staff@fin ⇒ dept_head@requester"]`
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/tasks/t-1":
			_, _ = io.WriteString(w, `{"id":"t-1","process_id":"p-1","kind":"`+workflows.KindMatrixChange+`","step":"`+workflows.StepMatrixApproval+`","title":{"zh":"总经理批准审批矩阵","en":"GM approval"},
				"state":"open","level":"internal","department":"gmo","priority":2,"created_at":"2026-12-01T08:00:00Z",
				"context":{"matrix_version":2,"base_version":1,"changes":`+lines+`},"form":{"fields":[],"outcomes":["approve","reject"]},
				"comments":[],"permissions":{"complete":true}}`)
		case "/api/v1/processes/p-1":
			_, _ = io.WriteString(w, `{"id":"p-1","kind":"`+workflows.KindMatrixChange+`","title":"审批矩阵 v2","state":"running","level":"internal","department":"gmo",
				"started_by":"secadmin","started_at":"2026-12-01T08:00:00Z","input":{"matrix_version":2,"base_version":1},"tasks":[],"timeline":[],"permissions":{}}`)
		default:
			a.ServeHTTP(w, r)
		}
	})
	st := &fakeStore{sessions: map[string]store.Session{}}
	_, ck := signedIn(t, st)
	srv := New(Config{Location: time.UTC}, h, st)
	get := func() string {
		r := httptest.NewRequest("GET", "/tasks/t-1", nil)
		r.AddCookie(ck)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("task page: %d", w.Code)
		}
		return w.Body.String()
	}
	page := get()
	if !strings.Contains(pageText(page), "与现行版本相比的变更 变更 编号 采购类别 申请部门 密级 金额 审批步骤（依次） 修改步骤 3 临时小额采购") ||
		strings.Contains(page, "dept_head@requester → staff@fin") {
		t.Errorf("the GM's task lacks the table, or still shows the lines:\n%s", pageText(page))
	}
	// Decided (no proposal any more): the lines the task recorded.
	a.proposal = false
	if page := get(); strings.Contains(page, `id="matrix-changes"`) || !strings.Contains(page, "dept_head@requester → staff@fin") {
		t.Errorf("a decided task: %s", pageText(page))
	}
}
