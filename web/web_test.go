package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
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

func TestCatalogHasEveryKeyInBothLanguages(t *testing.T) {
	zh, en := catalogKeys("zh"), catalogKeys("en")
	for _, k := range zh {
		if _, ok := catalog["en"][k]; !ok {
			t.Errorf("key %q is in zh but not in en", k)
		}
	}
	for _, k := range en {
		if _, ok := catalog["zh"][k]; !ok {
			t.Errorf("key %q is in en but not in zh", k)
		}
	}
	for lang, m := range catalog {
		for k, v := range m {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: key %q is empty", lang, k)
			}
			if strings.Count(v, "%") != strings.Count(catalog[other(lang)][k], "%") {
				t.Errorf("key %q: zh and en take different arguments: %q / %q", k, catalog["zh"][k], catalog["en"][k])
			}
		}
	}
}

func other(lang string) string {
	if lang == "en" {
		return "zh"
	}
	return "en"
}

// usedKeys finds the catalogue keys the templates and the Go code name
// literally.
func usedKeys(t *testing.T) map[string]string {
	t.Helper()
	used := map[string]string{}
	srcs, err := templateSources()
	if err != nil {
		t.Fatal(err)
	}
	tmplKey := regexp.MustCompile(`\bt "([^"]+)"`)
	for path, src := range srcs {
		for _, m := range tmplKey.FindAllStringSubmatch(src, -1) {
			used[m[1]] = path
		}
	}
	goFiles, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	goKey := regexp.MustCompile(`(?:\.T|translate\(\w+,)\(?\s*"([a-z][a-z0-9_.-]*)"`)
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in use: the patterns no longer match the templates", len(used))
	}
	return used
}

func TestTemplatesUseOnlyKnownKeys(t *testing.T) {
	for key, where := range usedKeys(t) {
		if strings.HasSuffix(key, ".") { // a family prefix: its members are checked below
			continue
		}
		if !hasKey(key) {
			t.Errorf("%s uses key %q, which the catalogue lacks", where, key)
		}
	}
	// Keys built at run time: every member of each family must exist.
	var dynamic []string
	for _, tab := range inboxTabs {
		dynamic = append(dynamic, "inbox.tab."+tab.Name, "inbox.empty."+tab.Name)
	}
	for _, k := range startKinds() {
		dynamic = append(dynamic, "kind."+k.Kind, "start.describe."+k.Kind, "start.submit."+k.Kind)
	}
	dynamic = append(dynamic, "registers.range.after", "registers.range.before", "registers.range.min", "registers.range.max")
	for _, k := range matrix.Kinds() {
		dynamic = append(dynamic, "matrix.kind."+k)
	}
	for _, op := range []string{matrix.OpAdded, matrix.OpRemoved, matrix.OpChanged, matrix.OpMoved} {
		dynamic = append(dynamic, "matrix.op."+op)
	}
	for _, st := range []string{store.MatrixActive, store.MatrixProposed, store.MatrixRejected, store.MatrixSuperseded} {
		dynamic = append(dynamic, "matrix.state."+st)
	}
	for _, a := range []string{"claim", "unclaim", "complete", "delegate", "comment", "started", "matrix_proposed"} {
		dynamic = append(dynamic, "flash."+a)
	}
	for _, l := range zhidu.Levels() {
		dynamic = append(dynamic, "level."+l.String())
	}
	for _, d := range zhidu.Departments() {
		dynamic = append(dynamic, "dept."+string(d))
	}
	for _, r := range zhidu.Roles() {
		dynamic = append(dynamic, "role."+string(r))
	}
	for _, a := range zhidu.Actions() {
		dynamic = append(dynamic, "act."+a)
	}
	for _, s := range []zhidu.TaskState{zhidu.TaskOpen, zhidu.TaskClaimed, zhidu.TaskCompleted, zhidu.TaskCancelled} {
		dynamic = append(dynamic, "state."+string(s))
	}
	for _, s := range []zhidu.ProcessState{zhidu.ProcessRunning, zhidu.ProcessCompleted, zhidu.ProcessCancelled, zhidu.ProcessFailed} {
		dynamic = append(dynamic, "state."+string(s))
	}
	for _, vs := range [][]string{workflows.ComplaintCategories, workflows.ComplaintChannels, workflows.ComplaintRemedies} {
		for _, v := range vs {
			dynamic = append(dynamic, "value."+v)
		}
	}
	for _, s := range []string{workflows.StepTriage, workflows.StepInvestigation, workflows.StepApproval, workflows.StepGMApproval,
		workflows.StepRemedy, workflows.StepReply, workflows.StepReceivables, workflows.StepSuperior, workflows.StepFollowUp,
		workflows.StepSpotCheck, "dept_head_approval", "vp_approval"} {
		dynamic = append(dynamic, "step."+s)
	}
	for p := zhidu.PriorityLow; p <= zhidu.PriorityUrgent; p++ {
		dynamic = append(dynamic, "priority."+strconv.Itoa(p))
	}
	for _, k := range dynamic {
		if !hasKey(k) {
			t.Errorf("key %q is built at run time but missing from the catalogue", k)
		}
	}
	for code := range map[int]bool{400: true, 401: true, 403: true, 404: true, 409: true, 413: true, 500: true, 503: true} {
		if !hasKey("error.status." + strconv.Itoa(code)) {
			t.Errorf("no heading for status %d", code)
		}
	}
}

// TestDescriptorLabels: the labels a descriptor gives its steps' words
// are the catalogue's in both languages, so a word the catalogue or
// another process labels already is labelled the same.
func TestDescriptorLabels(t *testing.T) {
	for _, d := range workflows.Descriptors() {
		for key, want := range d.Labels {
			if got := (zhidu.Text{Zh: catalog["zh"][key], En: catalog["en"][key]}); got != want {
				t.Errorf("%s labels %s %+v, the catalogue %+v", d.Kind, key, want, got)
			}
		}
	}
}

func TestLanguage(t *testing.T) {
	for _, tc := range []struct {
		accept, cookie, want string
	}{
		{"", "", "zh"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "", "zh"},
		{"en-US,en;q=0.9", "", "en"},
		{"fr-FR,en;q=0.5,zh;q=0.4", "", "en"},
		{"de-DE", "", "zh"},
		{"en-US", "zh", "zh"},
		{"zh-CN", "en", "en"},
		{"zh-CN", "xx", "zh"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.accept != "" {
			r.Header.Set("Accept-Language", tc.accept)
		}
		if tc.cookie != "" {
			r.AddCookie(&http.Cookie{Name: langCookie, Value: tc.cookie})
		}
		if got := language(r); got != tc.want {
			t.Errorf("Accept-Language %q, cookie %q: language = %q, want %q", tc.accept, tc.cookie, got, tc.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"": "/", "/": "/", "/tasks/t-1?ok=claim": "/tasks/t-1?ok=claim", "//evil.example/": "/", "https://evil.example/": "/",
		"/\\evil.example": "/", "tasks": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTranslateMessage(t *testing.T) {
	for _, tc := range []struct {
		m        zhidu.Message
		en, want string
	}{
		{zhidu.Required(), "is required", "此项必填"},
		{zhidu.MaxChars(200), "must be at most 200 characters", "最多 200 个字符"},
		{zhidu.LevelAtLeast(zhidu.Secret), "must be at least secret for this category", "此类别至少为秘密"},
		{zhidu.TaskIs(zhidu.TaskCompleted), "the task is completed", "任务当前状态为「已完成」。"},
		{zhidu.StartDenied("complaint"), "you may not start a complaint process", "您无权发起「客户投诉」流程。"},
		{zhidu.MayNotWork("cs.agent", zhidu.NotCleared("cs.agent", zhidu.Secret)), "cs.agent may not work this task: cs.agent is not cleared for secret",
			"cs.agent 无权办理此任务：cs.agent 的密级不够（需要秘密）。"},
		{zhidu.OneOf([]string{"a", "b"}), "must be one of a, b", "请从给定选项中选择"},
		{zhidu.Plain("something nobody wrote a code for"), "something nobody wrote a code for", "此项无效"},
	} {
		if got := translateMessage("zh", tc.m); got != tc.want {
			t.Errorf("zh %q = %q, want %q", tc.en, got, tc.want)
		}
		if got := translateMessage("en", tc.m); got != tc.en {
			t.Errorf("en %q = %q, want it as the API says it", tc.en, got)
		}
	}
	// Through JSON, as the web reads the API's answers.
	var m zhidu.Message
	if err := json.Unmarshal([]byte(`{"code":"task.state","params":{"state":"claimed"}}`), &m); err != nil || translateMessage("zh", m) != "任务当前状态为「处理中」。" {
		t.Errorf("decoded %+v (%v) says %q", m, err, translateMessage("zh", m))
	}
	if got := translateReason("zh", zhidu.ReasonBelowLevel(zhidu.Internal, zhidu.Secret)); got != "密级内部低于对象的密级秘密" {
		t.Errorf("reason = %q", got)
	}
	if got := translateReason("zh", zhidu.ReasonNeedToKnow(zhidu.ReasonCandidateRole(zhidu.RoleDeptHead, zhidu.DeptCS))); got != "知悉必要：担任客服部部门经理，是该流程的候选角色" {
		t.Errorf("nested reason = %q", got)
	}
	if got := translateReason("zh", zhidu.Plain("p, staff, own, process, read")); got != "p, staff, own, process, read" {
		t.Errorf("plain reason = %q, want it as written", got)
	}
	// Recorded texts (the audit trail, a step's note) are read back by
	// zhidu's catalogue.
	for recorded, want := range map[string]string{
		"clearance internal (内部) is below the level secret (秘密)":       "密级内部低于对象的密级秘密",
		"need-to-know: started the process":                            "知悉必要：流程发起人",
		"you may not start a complaint process":                        "您无权发起「客户投诉」流程。",
		"no role of cs.agent permits cancel on processes of sales":     "cs.agent 没有可对销售部流程执行「取消」的角色",
		"the entry's content does not match its hash (it was altered)": "该记录内容与其哈希不符（已被改动）。",
		"a reason someone typed":                                       "a reason someone typed",
	} {
		if got := auditText("zh", recorded); got != want {
			t.Errorf("audit %q = %q, want %q", recorded, got, want)
		}
		if got := auditText("en", recorded); got != recorded {
			t.Errorf("audit en %q = %q, want it as recorded", recorded, got)
		}
	}
	if got := storedMessage("zh", zhidu.ReplyNote().String()); got != "答复按此处所写发送；内部的客户投诉处理表不得送交客户。" {
		t.Errorf("note = %q", got)
	}
}

// placeholders lists the parameter names a template uses.
func placeholders(tmpl string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`\{([^{}:|]+)(?:[:|]([^{}]*))?\}`).FindAllStringSubmatch(tmpl, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TestEveryMessageCodeIsTranslated walks zhidu's catalogue: every code has
// a Chinese template here (the English is zhidu's), naming only parameters
// the English names, and says a sample of it without a placeholder left
// over; no Chinese template is for a code zhidu does not have.
func TestEveryMessageCodeIsTranslated(t *testing.T) {
	codes := map[string]bool{}
	for _, code := range zhidu.MessageCodes() {
		codes[code] = true
		en, _ := zhidu.EnglishTemplate(code)
		zh, ok := chineseTemplate(code)
		if !ok {
			t.Errorf("message code %s has no Chinese template (English: %q)", code, en)
			continue
		}
		enParams := placeholders(en)
		sample := zhidu.Message{Code: code, Params: map[string]any{}}
		for name, family := range enParams {
			switch family {
			case "msg":
				sample.Params[name] = zhidu.Required()
			case "level", "level_zh":
				sample.Params[name] = "secret"
			default:
				sample.Params[name] = "x"
			}
		}
		for name, family := range placeholders(zh) {
			if _, ok := enParams[name]; !ok {
				t.Errorf("%s: the Chinese names parameter %s, which the English does not have", code, name)
			}
			if family != "" && family != "msg" && !strings.Contains(family, " ") && !hasFamily(family) {
				t.Errorf("%s: the Chinese labels %s through family %q, which the catalogue lacks", code, name, family)
			}
		}
		got, ok := messageCatalog("zh").Render(sample)
		if !ok || got == "" || strings.ContainsAny(got, "{}") {
			t.Errorf("%s: sample %+v says %q (ok %v)", code, sample, got, ok)
		}
	}
	for code := range messagesZh {
		if !codes[code] {
			t.Errorf("Chinese template for %s, which is no code of zhidu's catalogue", code)
		}
	}
}

// hasFamily reports whether some catalogue key belongs to the family.
func hasFamily(family string) bool {
	for _, k := range catalogKeys("zh") {
		if strings.HasPrefix(k, family+".") {
			return true
		}
	}
	return false
}

var testForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "category", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "投诉类别", En: "Category"}, Choices: []string{"product_quality", "fees"}},
		{Name: "responsible_department", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "责任部门", En: "Responsible department"},
			Choices: []string{"cs", "quality"}, RequiredFor: []string{"valid"}},
		{Name: "joint", Type: zhidu.FieldBoolean, Label: zhidu.Text{Zh: "联合处理", En: "Joint handling"}},
		{Name: "deadline", Type: zhidu.FieldDate, Label: zhidu.Text{Zh: "处理时效", En: "Deadline"}},
		{Name: "amount", Type: zhidu.FieldNumber, Label: zhidu.Text{Zh: "金额", En: "Amount"}},
		{Name: "reason", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "原因", En: "Reason"}, Required: true, MaxLength: 2000},
		{Name: "short", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "简述", En: "Summary"}, MaxLength: 100},
		{Name: "witnesses", Type: zhidu.FieldList, Label: zhidu.Text{Zh: "证人", En: "Witnesses"}},
	},
	Outcomes: []string{"valid", "invalid"},
}

// renderFields runs the "field" partial over a form, as the task page does.
func renderFields(t *testing.T, lang string, f formView) string {
	t.Helper()
	tm := template.Must(template.New("x").Funcs(funcs(lang, time.UTC)).ParseFS(assets, "assets/templates/partials.html"))
	var buf bytes.Buffer
	for _, fv := range f.Fields {
		if err := tm.ExecuteTemplate(&buf, "field", fv); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

func TestFormRendering(t *testing.T) {
	values := map[string]any{"category": "fees", "joint": true, "amount": 12.5, "short": "写了一半", "witnesses": []any{"张三", "李四"}}
	errs := map[string]zhidu.Message{"data.reason": zhidu.Required(), "data.amount": zhidu.Negative()}
	v := buildForm("zh", testForm, values, errs, "data.", false, nil)
	if len(v.Fields) != len(testForm.Fields) || len(v.Outcomes) != 2 || v.Outcomes[0].Label != "有效投诉" {
		t.Fatalf("form view = %+v", v)
	}
	html := renderFields(t, "zh", v)
	for _, want := range []string{
		// every input has a label
		`<label for="f-category">投诉类别</label>`,
		`<select id="f-category" name="f.category"`,
		`<option value="fees" selected>收费</option>`,
		`<option value="quality" >质量部</option>`,
		`选择「有效投诉」时必填`,
		`<input type="checkbox" id="f-joint" name="f.joint" value="true" checked`,
		// a date input on a Chinese page: YYYY-MM-DD whatever the browser's locale
		`<input type="text" inputmode="numeric" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" placeholder="YYYY-MM-DD" maxlength="10" id="f-deadline" name="f.deadline"`,
		`name="f.amount" value="12.5"`,
		`<textarea id="f-reason" name="f.reason"`,
		`aria-required="true"`,
		`<p class="field-error" id="f-reason-err" data-field="f.reason" title="is required">此项必填</p>`,
		`不能为负数`,
		`<input type="text" id="f-short" name="f.short" value="写了一半" maxlength="100"`,
		"张三\n李四</textarea>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("rendered form lacks %q", want)
		}
	}
	if en := renderFields(t, "en", buildForm("en", testForm, values, errs, "data.", false, nil)); !strings.Contains(en, `<input type="date" id="f-deadline" name="f.deadline"`) {
		t.Error("an English page keeps <input type=date>")
	}
	if n := strings.Count(html, "<label"); n != len(testForm.Fields) {
		t.Errorf("%d labels for %d fields", n, len(testForm.Fields))
	}
	en := renderFields(t, "en", buildForm("en", testForm, nil, errs, "data.", true, nil))
	for _, want := range []string{`<label for="f-category">Category</label>`, `is required`, `Required for “Valid”`, `disabled`} {
		if !strings.Contains(en, want) {
			t.Errorf("English form lacks %q", want)
		}
	}
	if regexp.MustCompile(`[\p{Han}]`).MatchString(strings.ReplaceAll(en, "—", "")) {
		t.Errorf("the English form has Chinese in it:\n%s", en)
	}
}

func TestParseForm(t *testing.T) {
	posted := url.Values{
		"f.category": {"fees"}, "f.joint": {"true"}, "f.deadline": {""}, "f.amount": {" 12.5 "},
		"f.reason": {"  原因\r\n第二行  "}, "f.short": {"   "}, "f.witnesses": {"张三\r\n\r\n 李四 \n"},
		"outcome": {"valid"}, "csrf": {"x"},
	}
	got := parseForm(testForm, posted)
	want := map[string]any{"category": "fees", "joint": true, "amount": 12.5, "reason": "原因\n第二行", "witnesses": []any{"张三", "李四"}}
	if len(got) != len(want) {
		t.Fatalf("data = %#v, want %#v", got, want)
	}
	for k, w := range want {
		if gs, ok := got[k].([]any); ok {
			if !slices.Equal(gs, w.([]any)) {
				t.Errorf("%s = %#v, want %#v", k, got[k], w)
			}
			continue
		}
		if got[k] != w {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	// A number that does not parse goes to the API as typed, so the API's
	// message is the one shown; an unchecked box is false.
	got = parseForm(testForm, url.Values{"f.amount": {"twelve"}})
	if got["amount"] != "twelve" || got["joint"] != false {
		t.Errorf("data = %#v", got)
	}
	if n := nest(map[string]any{"complainant.name": "李女士", "complainant.contact": "138", "subject": "s"}); n["complainant"].(map[string]any)["name"] != "李女士" || n["subject"] != "s" {
		t.Errorf("nest = %#v", n)
	}
}

// fakeStore keeps sessions in memory for the handler tests.
type fakeStore struct {
	mu          sync.Mutex
	sessions    map[string]store.Session
	audit       []store.AuditEntry
	onProbation bool // alice is on probation
}

func (f *fakeStore) CheckPassword(_ context.Context, username, password string) (store.User, error) {
	if username == "alice" && password == "pw" {
		return store.User{Username: "alice"}, nil
	}
	return store.User{}, zhidu.Errorf(zhidu.CodeUnauthenticated, "wrong username or password")
}
func (f *fakeStore) UserByToken(context.Context, string) (store.User, error) {
	return store.User{}, zhidu.Errorf(zhidu.CodeNotFound, "user not found")
}
func (f *fakeStore) User(_ context.Context, u string) (store.User, error) {
	return store.User{Username: u}, nil
}
func (f *fakeStore) CreateSession(_ context.Context, u string, ttl time.Duration, now time.Time) (store.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	se := store.Session{ID: store.RandomToken(), Username: u, CSRF: store.RandomToken(), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	f.sessions[se.ID] = se
	return se, nil
}
func (f *fakeStore) Session(_ context.Context, id string, _ time.Time) (store.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	se, ok := f.sessions[id]
	if !ok {
		return se, zhidu.Errorf(zhidu.CodeNotFound, "session not found")
	}
	return se, nil
}
func (f *fakeStore) DeleteSession(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, id)
	return nil
}
func (f *fakeStore) Audit(_ context.Context, e store.AuditEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.audit = append(f.audit, e)
	return nil
}

func (f *fakeStore) SigninLock(context.Context, string, time.Time) (store.Lockout, bool, error) {
	return store.Lockout{}, false, nil
}
func (f *fakeStore) SigninFailed(context.Context, store.SigninFailure) (store.Lockout, bool, error) {
	return store.Lockout{}, false, nil
}
func (f *fakeStore) SigninSucceeded(context.Context, string) error     { return nil }
func (f *fakeStore) OnProbation(context.Context, string) (bool, error) { return f.onProbation, nil }

// fakeAPI answers /api/v1/me and records every other request it gets.
type fakeAPI struct {
	mu    sync.Mutex
	calls []string
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/api/v1/me" {
		_, _ = io.WriteString(w, `{"username":"alice","name":"爱丽丝","name_en":"Alice","clearance":"internal","roles":[]}`)
		return
	}
	a.mu.Lock()
	a.calls = append(a.calls, r.Method+" "+r.URL.Path+" from "+r.RemoteAddr)
	a.mu.Unlock()
	if r.URL.Path == "/healthz" {
		_, _ = io.WriteString(w, `{"status":"ok"}`)
		return
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{}`)
}

func (a *fakeAPI) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls)
}

func signedIn(t *testing.T, st *fakeStore) (store.Session, *http.Cookie) {
	t.Helper()
	se, err := st.CreateSession(context.Background(), "alice", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return se, &http.Cookie{Name: sessionCookie, Value: se.ID}
}

func TestCSRF(t *testing.T) {
	st := &fakeStore{sessions: map[string]store.Session{}}
	api := &fakeAPI{}
	h := New(Config{}, api, st)
	se, ck := signedIn(t, st)

	post := func(path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = "192.0.2.7:4321"
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for name, form := range map[string]url.Values{
		"no token":          {},
		"wrong token":       {"csrf": {"forged"}},
		"another's session": {"csrf": {store.RandomToken()}},
	} {
		t.Run(name, func(t *testing.T) {
			w := post("/tasks/t-1/claim", form, ck)
			if w.Code != http.StatusForbidden {
				t.Fatalf("status = %d, want 403", w.Code)
			}
			if calls := api.seen(); len(calls) != 0 {
				t.Fatalf("the API was called: %v", calls)
			}
		})
	}
	w := post("/tasks/t-1/claim", url.Values{"csrf": {se.CSRF}}, ck)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/tasks/t-1?ok=claim" {
		t.Fatalf("with the token: status %d, location %q", w.Code, w.Header().Get("Location"))
	}
	if calls := api.seen(); !slices.Equal(calls, []string{"POST /api/v1/tasks/t-1/claim from 192.0.2.7:4321"}) {
		t.Fatalf("API calls = %v, want the claim with the client's address", calls)
	}

	// Sign-in forms carry a pre-session token that must equal its cookie.
	pre := &http.Cookie{Name: signinCookie, Value: store.RandomToken()}
	if w := post("/signin", url.Values{"username": {"alice"}, "password": {"pw"}}, pre); w.Code != http.StatusForbidden {
		t.Fatalf("sign-in without the token: status %d, want 403", w.Code)
	}
	if w := post("/signin", url.Values{"username": {"alice"}, "password": {"pw"}, "csrf": {pre.Value}}); w.Code != http.StatusForbidden {
		t.Fatalf("sign-in without the cookie: status %d, want 403", w.Code)
	}
	if w := post("/signin", url.Values{"username": {"alice"}, "password": {"nope"}, "csrf": {pre.Value}}, pre); w.Code != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d, want 401", w.Code)
	}
	w = post("/signin", url.Values{"username": {"alice"}, "password": {"pw"}, "csrf": {pre.Value}, "next": {"//evil.example/"}}, pre)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
		t.Fatalf("sign-in: status %d, location %q", w.Code, w.Header().Get("Location"))
	}
	var sessCookie *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			sessCookie = c
		}
	}
	if sessCookie == nil || !sessCookie.HttpOnly || sessCookie.SameSite != http.SameSiteStrictMode || sessCookie.Path != "/" {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Strict, path /", sessCookie)
	}
	if _, err := st.Session(context.Background(), se.ID, time.Now()); err != nil {
		t.Fatal("signing in without a session cookie ended another session")
	}
	// Signing in again from a signed-in browser ends its old session.
	if w := post("/signin", url.Values{"username": {"alice"}, "password": {"pw"}, "csrf": {pre.Value}}, pre, ck); w.Code != http.StatusSeeOther {
		t.Fatalf("second sign-in: status %d", w.Code)
	}
	if _, err := st.Session(context.Background(), se.ID, time.Now()); err == nil {
		t.Fatal("the old session survived a new sign-in")
	}
	if len(st.audit) != 3 || st.audit[0].Decision != "denied" || st.audit[1].Decision != "allowed" || st.audit[2].Action != "session.signin" {
		t.Errorf("sign-ins are audited: %+v", st.audit)
	}

	// Demo sign-in exists only when configured.
	if w := post("/signin/demo", url.Values{"username": {"gm"}, "csrf": {pre.Value}}, pre); w.Code != http.StatusNotFound {
		t.Fatalf("demo sign-in outside dev: status %d, want 404", w.Code)
	}
}

func TestRoutes(t *testing.T) {
	st := &fakeStore{sessions: map[string]store.Session{}}
	api := &fakeAPI{}
	h := New(Config{}, api, st)
	get := func(path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := get("/healthz"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ok") {
		t.Errorf("/healthz is not passed through: %d %s", w.Code, w.Body)
	}
	if w := get("/api/v1/tasks"); w.Code != http.StatusOK || len(api.seen()) != 2 {
		t.Errorf("/api/ is not passed through: %d %v", w.Code, api.seen())
	}
	if w := get("/tasks/t-1"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/signin?next=%2Ftasks%2Ft-1" {
		t.Errorf("signed out: %d to %q, want the sign-in page", w.Code, w.Header().Get("Location"))
	}
	w := get("/signin")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<label for="password">密码</label>`) {
		t.Errorf("sign-in page: %d", w.Code)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	if w := get("/assets/style.css"); w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Content-Type"), "css") {
		t.Errorf("stylesheet: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if w := get("/no/such/page"); w.Code != http.StatusNotFound {
		t.Errorf("unknown page: %d", w.Code)
	}
	_, ck := signedIn(t, st)
	if w := get("/lang?set=en&next=/start", ck); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/start" {
		t.Errorf("language switch: %d %q", w.Code, w.Header().Get("Location"))
	}
	w = get("/start", ck, &http.Cookie{Name: langCookie, Value: "en"})
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Start a process") || !strings.Contains(w.Body.String(), `lang="en"`) {
		t.Errorf("English start page: %d", w.Code)
	}
}
