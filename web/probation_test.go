package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// probationAPI answers for one probation of newhire (sales, mentor
// sales.mentor, target 3) as the file's readers and newhire see it, and
// records the posts it gets; answers holds a post's answer by path.
type probationAPI struct {
	mu      sync.Mutex
	me      string // GET /api/v1/me
	process processJSON
	row     string // the register entry's row
	answers map[string]apiAnswer
	posts   []string // "PATH BODY"
	// noProbation: the user has had no probation (GET /me/probation 404).
	noProbation bool
}

type apiAnswer struct {
	status int
	body   any
}

func at(h int) time.Time { return time.Date(2026, 12, 7, h, 0, 0, 0, time.UTC) }

func newProbationAPI(me string) *probationAPI {
	ptr := func(s string) *string { return &s }
	when := func(h int) *time.Time { x := at(h); return &x }
	task := func(id, step string, state zhidu.TaskState, created int) store.Task {
		return store.Task{ID: id, ProcessID: "p-9", Kind: workflows.KindProbation, Step: step, State: state, Level: zhidu.Secret,
			Priority: 2, CreatedAt: at(created), Title: zhidu.Text{Zh: step, En: step}}
	}
	test := task("t-test", workflows.StepWrittenTest, zhidu.TaskCompleted, 1)
	test.Outcome, test.CompletedBy, test.CompletedAt, test.Data = ptr("recorded"), ptr("hr.trainer"), when(17), map[string]any{"score": 86.0}
	head := task("t-head", workflows.StepEvaluationHead, zhidu.TaskCompleted, 2)
	head.Outcome, head.CompletedBy, head.CompletedAt, head.Data = ptr("signed"), ptr("sales.head"), when(20), map[string]any{"progress": "进步明显"}
	mentor := task("t-mentor", workflows.StepEvaluationMentor, zhidu.TaskOpen, 2)
	change := task("t-change", workflows.StepMentorChange, zhidu.TaskOpen, 3)
	change.Context = map[string]any{"new_mentor": "cs.super", "asked_by": "hr.trainer"}
	sale := func(id int64, h int, ref string, amount float64) store.TimelineEntry {
		return store.TimelineEntry{ID: id, At: at(h), Actor: "newhire", Action: "sale_recorded",
			Detail: map[string]any{"reference": ref, "amount": amount, "customer": "华联超市"}}
	}
	return &probationAPI{me: me, answers: map[string]apiAnswer{},
		process: processJSON{Process: store.Process{ID: "p-9", Kind: workflows.KindProbation, Title: "张新 (newhire)",
			State: zhidu.ProcessRunning, Level: zhidu.Secret, Department: "hr", StartedBy: "hr.trainer", StartedAt: at(0),
			Readers: []zhidu.Department{zhidu.DeptHR}, Members: []string{"sales.mentor", "sales.head"},
			Input: map[string]any{"employee": "newhire", "department": "sales", "mentor": "sales.mentor", "start_date": "2026-12-07",
				"months": 2.0, "target": 3.0, "test_at": "2026-12-07T17:00:00Z", "evaluation_at": "2026-12-21T09:00:00Z",
				"ends_at": "2027-02-07T00:00:00Z", "level": "secret"},
			Tasks:    []store.Task{test, head, mentor, change},
			Timeline: []store.TimelineEntry{sale(1, 10, "S-1", 1280.5), sale(2, 11, "S-2", 99)}},
			Permissions: map[string]bool{"read": true}},
		row: `{"row":{"process_id":"p-9","state":"running","stage":"evaluation","level":"secret","employee":"newhire",
			"employee_department":"sales","mentor":"sales.mentor","start_date":"2026-12-07","ends_at":"2027-02-07T00:00:00Z","target":3,
			"sales_count":2,"test_score":86,"extended":false,"overdue":false}}`}
}

func (a *probationAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	if r.Method == http.MethodPost {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.posts = append(a.posts, r.URL.Path+" "+string(b))
		ans, ok := a.answers[r.URL.Path]
		a.mu.Unlock()
		if !ok {
			ans = apiAnswer{http.StatusCreated, map[string]any{"recorded": true, "count": 3, "target": 3}}
		}
		w.WriteHeader(ans.status)
		_ = enc.Encode(ans.body)
		return
	}
	switch r.URL.Path {
	case "/api/v1/me":
		_, _ = io.WriteString(w, a.me)
	case "/api/v1/processes/p-9":
		_ = enc.Encode(a.process)
	case "/api/v1/registers/probation/p-9":
		_, _ = io.WriteString(w, a.row)
	case "/api/v1/me/probation":
		if a.noProbation {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"not found"}}`)
			return
		}
		_, _ = io.WriteString(w, `{"process_id":"p-9","state":"running","stage":"probation","sales":2,"target":3,
			"start_date":"2026-12-07","ends_at":"2027-02-07T00:00:00Z","extended":false}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"not found"}}`)
	}
}

func (a *probationAPI) sent() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.posts)
}

const (
	headMe    = `{"username":"sales.head","name":"褚明","clearance":"secret","roles":[{"role":"dept_head","department":"sales"}]}`
	mentorMe  = `{"username":"sales.mentor","name":"柳青","clearance":"secret","roles":[{"role":"staff","department":"sales"}]}`
	newhireMe = `{"username":"newhire","name":"张新","clearance":"internal","roles":[{"role":"staff","department":"sales"}]}`
)

// probationClient drives the web handler with a session of alice's (who
// the fake API says is who).
type probationClient struct {
	t    *testing.T
	h    http.Handler
	ck   *http.Cookie
	csrf string
}

func newProbationClient(t *testing.T, a *probationAPI, onProbation bool) *probationClient {
	st := &fakeStore{sessions: map[string]store.Session{}, onProbation: onProbation}
	se, ck := signedIn(t, st)
	return &probationClient{t: t, h: New(Config{Location: time.UTC}, a, st), ck: ck, csrf: se.CSRF}
}

func (p *probationClient) do(method, path, lang string, form url.Values) *httptest.ResponseRecorder {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", p.csrf)
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.AddCookie(p.ck)
	if lang != "" {
		r.AddCookie(&http.Cookie{Name: langCookie, Value: lang})
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, r)
	return w
}

// section is the text of the element with the id, to its section's end.
func section(t *testing.T, body, id string) string {
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

func wantIn(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}

// TestProbationPage: a probation's page shows the employee, department,
// mentor (with the change awaiting the head), start and end, the next
// deadline (the evaluation, since the mentor has not signed), the sales
// as a progress bar and a table with their total, the test score and the
// evaluations, the timeline's sales; the department head gets the forms,
// the mentor does not; in English no label is Chinese.
func TestProbationPage(t *testing.T) {
	a := newProbationAPI(headMe)
	p := newProbationClient(t, a, false)
	w := p.do("GET", "/processes/p-9", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", w.Code, pageText(w.Body.String()))
	}
	body := w.Body.String()
	wantIn(t, "the file", section(t, body, "probation"), "员工 newhire", "部门 销售部", "带教 sales.mentor",
		"已申请改为 cs.super（hr.trainer 提出），待部门经理决定", "开始日期 2026-12-07", "试用期满 2027-02-07 00:00",
		"阶段 评审", "下一个节点 第15天评估 · 2026-12-21 09:00")
	wantIn(t, "the sales", section(t, body, "probation-sales"), "已完成 2 单 / 任务 3 单",
		"单号 金额（元） 客户 登记人 登记时间", "S-1 1280.50 华联超市 newhire 2026-12-07 10:00", "S-2 99.00", "合计（元） 1379.50")
	if !strings.Contains(body, `<progress value="2" max="3"`) {
		t.Error("no progress bar of 2 out of 3")
	}
	wantIn(t, "the evaluations", section(t, body, "probation-evaluations"), "入职笔试成绩 86 hr.trainer 签字 · 2026-12-07 17:00",
		"进步明显 sales.head 签字 · 2026-12-07 20:00", "未签字（应于 2026-12-21 09:00 评估）")
	wantIn(t, "the timeline", section(t, body, "h-timeline"), "登记销售 newhire", "单号 S-1", "客户 华联超市")
	for _, form := range []string{`action="/processes/p-9/sales"`, `action="/processes/p-9/mentor"`, `id="f-reference"`, `id="f-mentor"`} {
		if !strings.Contains(body, form) {
			t.Errorf("the head's page lacks %s", form)
		}
	}
	if strings.Contains(body, `id="h-summary"`) || strings.Contains(body, `data-column="sales_count"`) || strings.Contains(body, `id="copies"`) {
		t.Error("the page repeats the input or the register's columns beside the cards, or shows the file in copies")
	}

	en := p.do("GET", "/processes/p-9", "en", nil).Body.String()
	for _, id := range []string{"probation", "probation-sales", "probation-evaluations", "form-sale", "form-mentor"} {
		text := strings.NewReplacer("华联超市", "", "进步明显", "").Replace(section(t, en, id))
		if regexp.MustCompile(`\p{Han}`).MatchString(text) {
			t.Errorf("English page: #%s has Chinese in it: %s", id, text)
		}
	}
	wantIn(t, "the English file", section(t, en, "probation"), "Next deadline Day-15 evaluation · 2026-12-21 09:00", "Stage Evaluation")

	// Once both have signed, the next deadline is the end; before the test
	// is recorded, it is the test.
	a.process.Tasks[2].State = zhidu.TaskCompleted
	wantIn(t, "after the evaluation", section(t, p.do("GET", "/processes/p-9", "", nil).Body.String(), "probation"),
		"下一个节点 试用期满 · 2027-02-07 00:00")
	a.process.Tasks[0].State = zhidu.TaskOpen
	wantIn(t, "before the test", section(t, p.do("GET", "/processes/p-9", "", nil).Body.String(), "probation"),
		"下一个节点 入职笔试 · 2026-12-07 17:00")

	// The mentor reads the file but gets no form; the finished file has
	// no next deadline and no forms.
	m := newProbationClient(t, newProbationAPI(mentorMe), false)
	body = m.do("GET", "/processes/p-9", "", nil).Body.String()
	if strings.Contains(body, `id="form-sale"`) || strings.Contains(body, `id="form-mentor"`) {
		t.Error("the mentor is offered the forms")
	}
	done := newProbationAPI(headMe)
	done.process.State = zhidu.ProcessCompleted
	body = newProbationClient(t, done, false).do("GET", "/processes/p-9", "", nil).Body.String()
	if strings.Contains(body, `id="form-sale"`) || strings.Contains(body, `data-column="next"`) {
		t.Error("a finished probation offers forms or a next deadline")
	}
	// What the API does not answer is not found.
	if w := p.do("GET", "/processes/p-missing", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("a missing process: %d", w.Code)
	}
}

// TestProbationForms: the head's sale goes to the employee's sales route
// and back to the page with a note; a refused one shows the API's field
// messages next to the fields with what was typed; a change of mentor
// goes to the process's mentor route, its refusal next to its form; a
// form of a process the API does not answer, or of another kind, is not
// found and posts nothing.
func TestProbationForms(t *testing.T) {
	a := newProbationAPI(headMe)
	p := newProbationClient(t, a, false)
	sale := url.Values{"f.reference": {"S-3"}, "f.amount": {"500"}, "f.customer": {"永辉超市"}}
	w := p.do("POST", "/processes/p-9/sales", "", sale)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/processes/p-9?ok=sale" {
		t.Fatalf("sale: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if got := a.sent(); len(got) != 1 || got[0] != `/api/v1/employees/newhire/sales {"amount":500,"customer":"永辉超市","reference":"S-3"}` {
		t.Fatalf("posted %v", got)
	}
	if body := p.do("GET", "/processes/p-9?ok=sale", "", nil).Body.String(); !strings.Contains(body, "已登记该笔销售。") {
		t.Error("no note after the sale")
	}
	a.answers["/api/v1/employees/newhire/sales"] = apiAnswer{http.StatusOK, map[string]any{"recorded": false, "count": 2, "target": 3}}
	if w := p.do("POST", "/processes/p-9/sales", "", sale); w.Header().Get("Location") != "/processes/p-9?ok=sale_repeated" {
		t.Errorf("a repeated reference: to %q", w.Header().Get("Location"))
	}

	a.answers["/api/v1/employees/newhire/sales"] = apiAnswer{http.StatusBadRequest, map[string]any{"error": zhidu.Invalid(workflows.CannotRecordSale(),
		map[string]zhidu.Message{"amount": zhidu.Negative(), "customer": zhidu.Required()})}}
	w = p.do("POST", "/processes/p-9/sales", "", url.Values{"f.reference": {"S-4"}, "f.amount": {"-1"}})
	if w.Code != http.StatusBadRequest {
		t.Fatalf("refused sale: %d", w.Code)
	}
	form := section(t, w.Body.String(), "form-sale")
	wantIn(t, "the refused sale", form, "请更正标出的字段。", "不能为负数", "此项必填")
	for _, want := range []string{`data-field="f.amount"`, `data-field="f.customer"`, `value="S-4"`, `value="-1"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("the refused sale's form lacks %s", want)
		}
	}
	if strings.Contains(section(t, w.Body.String(), "form-mentor"), "field-error") {
		t.Error("the sale's messages show on the mentor's form")
	}

	w = p.do("POST", "/processes/p-9/mentor", "", url.Values{"f.mentor": {"cs.super"}, "f.reason": {"原带教调岗"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/processes/p-9?ok=mentor" {
		t.Fatalf("mentor: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if got := a.sent(); got[len(got)-1] != `/api/v1/processes/p-9/mentor {"mentor":"cs.super","reason":"原带教调岗"}` {
		t.Errorf("posted %v", got[len(got)-1])
	}
	a.answers["/api/v1/processes/p-9/mentor"] = apiAnswer{http.StatusBadRequest, map[string]any{"error": zhidu.Invalid(workflows.CannotChangeMentor(),
		map[string]zhidu.Message{"mentor": zhidu.Say("probation.same_mentor")})}}
	w = p.do("POST", "/processes/p-9/mentor", "", url.Values{"f.mentor": {"sales.mentor"}, "f.reason": {"x"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(section(t, w.Body.String(), "form-mentor"), "已是现任带教") {
		t.Errorf("refused mentor change: %d\n%s", w.Code, section(t, w.Body.String(), "form-mentor"))
	}
	a.answers["/api/v1/processes/p-9/mentor"] = apiAnswer{http.StatusForbidden, map[string]any{"error": zhidu.Fail(zhidu.CodeForbidden,
		zhidu.Say("roles.not_permitted"))}}
	w = p.do("POST", "/processes/p-9/mentor", "", url.Values{"f.mentor": {"cs.super"}, "f.reason": {"x"}})
	if w.Code != http.StatusForbidden || !strings.Contains(section(t, w.Body.String(), "form-mentor"), "您的角色无权执行此操作。") {
		t.Errorf("a forbidden mentor change: %d", w.Code)
	}

	n := len(a.sent())
	for _, path := range []string{"/processes/p-missing/sales", "/processes/p-missing/mentor"} {
		if w := p.do("POST", path, "", sale); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, w.Code)
		}
	}
	a.process.Kind = workflows.KindPurchase
	if w := p.do("POST", "/processes/p-9/sales", "", sale); w.Code != http.StatusNotFound {
		t.Errorf("a sale on a purchase's page: %d, want 404", w.Code)
	}
	if len(a.sent()) != n {
		t.Errorf("forms of unreadable processes posted: %v", a.sent()[n:])
	}
}

// TestMyProbation: the employee's own page shows their status (sales
// against the target, the end, the stage), linked in the navigation while
// they are on probation; their sale goes to their own sales route, their
// leave to their own leave route, and the first month's refusal is shown
// next to the leave form with what was typed. Someone who has had no
// probation gets the API's 404.
func TestMyProbation(t *testing.T) {
	a := newProbationAPI(newhireMe)
	p := newProbationClient(t, a, true)
	w := p.do("GET", "/me/probation", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
	if !strings.Contains(body, `<a href="/me/probation" id="nav-probation" aria-current="page">我的试用期</a>`) {
		t.Error("the navigation does not link the page")
	}
	wantIn(t, "the status", section(t, body, "my-probation"), "已完成 2 单 / 任务 3 单", "状态 进行中", "阶段 试用中",
		"开始日期 2026-12-07", "试用期满 2027-02-07 00:00")
	if strings.Contains(body, "sales.mentor") || strings.Contains(body, "p-9") {
		t.Error("the employee's page shows something of the file")
	}
	if w := p.do("POST", "/me/probation/sales", "", url.Values{"f.reference": {"S-3"}, "f.amount": {"12.5"}, "f.customer": {"永辉超市"}}); w.Code != http.StatusSeeOther ||
		w.Header().Get("Location") != "/me/probation?ok=sale" {
		t.Fatalf("own sale: %d to %q", w.Code, w.Header().Get("Location"))
	}
	a.answers["/api/v1/employees/newhire/leave"] = apiAnswer{http.StatusConflict, map[string]any{"error": zhidu.Fail(zhidu.CodeConflict,
		zhidu.Say("probation.no_leave_first_month", "from", "2027-01-07"))}}
	w = p.do("POST", "/me/probation/leave", "", url.Values{"f.from": {"2026-12-10"}, "f.days": {"1"}, "f.reason": {"体检"}})
	if w.Code != http.StatusConflict {
		t.Fatalf("leave in the first month: %d", w.Code)
	}
	wantIn(t, "the leave refusal", section(t, w.Body.String(), "form-leave"), "试用期内一个月不允许休息：2027-01-07 起方可请假")
	if !strings.Contains(w.Body.String(), `value="2026-12-10"`) || !strings.Contains(w.Body.String(), "体检</textarea>") {
		t.Error("the leave form lost what was typed")
	}
	en := p.do("POST", "/me/probation/leave", "en", url.Values{"f.from": {"2026-12-10"}, "f.days": {"1"}, "f.reason": {"体检"}}).Body.String()
	wantIn(t, "the English refusal", section(t, en, "form-leave"), "no leave in the first month of probation; leave may start on 2027-01-07")
	got := a.sent()
	if len(got) != 3 || got[0] != `/api/v1/employees/newhire/sales {"amount":12.5,"customer":"永辉超市","reference":"S-3"}` ||
		got[1] != `/api/v1/employees/newhire/leave {"days":1,"from":"2026-12-10","reason":"体检"}` {
		t.Errorf("posted %v", got)
	}

	// Not on probation: no link; someone who has had none gets the API's
	// 404.
	other := newProbationAPI(headMe)
	other.noProbation = true
	q := newProbationClient(t, other, false)
	if body := q.do("GET", "/processes/p-9", "", nil).Body.String(); strings.Contains(body, "nav-probation") {
		t.Error("the navigation links the probation page of someone not on probation")
	}
	if w := q.do("GET", "/me/probation", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("no probation: %d, want 404", w.Code)
	}
}

// TestProbationLabelsKept: the probation pages' own labels are the
// catalogue's (nothing else defines the same keys).
func TestProbationLabelsKept(t *testing.T) {
	for key, want := range probationPageLabels {
		if got := (zhidu.Text{Zh: catalog["zh"][key], En: catalog["en"][key]}); got != want {
			t.Errorf("%s is %+v in the catalogue, %+v in probationPageLabels", key, got, want)
		}
	}
}
