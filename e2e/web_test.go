package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/web"
)

// The web inbox, driven in headless Chromium: people sign in, start
// complaints, claim and complete tasks; the pages show only what the API
// lets them see. The tests save the screenshots the README shows.

// screenshots is where the README's screenshots are written, on every run.
const screenshots = "../docs/screenshots"

// chromiumPath finds Chromium. The browser tests fail without it (they do
// not skip): deploy/test.sh installs Debian's chromium package.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is not installed: the web inbox tests need it (deploy/test.sh installs Debian's chromium package)")
	return ""
}

// webStack is a zhidu deployment with the web inbox in front of the API,
// and one headless Chromium.
type webStack struct {
	*stack
	url     string
	browser context.Context
}

func newWebStack(t *testing.T) *webStack { return newWebStackWith(t, nil) }

// newWebStackWith is newWebStack with the API configuration adjusted
// first (newStackWith).
func newWebStackWith(t *testing.T, configure func(*api.Config)) *webStack {
	t.Helper()
	s := newStackWith(t, configure)
	srv := httptest.NewServer(web.New(web.Config{DemoSignIn: true}, s.server.Router(), s.store))
	t.Cleanup(srv.Close)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		// This machine's network is closed: keep Chromium from trying.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"), // Chinese by default, as the company's browsers are
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if err := os.MkdirAll(screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &webStack{stack: s, url: srv.URL, browser: browser}
}

// person is one browser profile (its own cookies): one person at their
// own browser.
type person struct {
	t   *testing.T
	w   *webStack
	ctx context.Context
}

func (w *webStack) person(t *testing.T) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(w.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return &person{t: t, w: w, ctx: ctx}
}

// in returns the person for use in a subtest, so failures stop that
// subtest.
func (p *person) in(t *testing.T) *person {
	c := *p
	c.t = t
	return &c
}

// step runs actions with a deadline, failing the test on error.
func (p *person) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates and returns the page's HTTP status.
func (p *person) open(path string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.w.url+path))
	if err != nil {
		p.t.Fatalf("open %s: %v", path, err)
	}
	return int(res.Status)
}

// submit clicks a button that submits a form (or a link) and returns the
// status of the page it leads to.
func (p *person) submit(sel string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		p.t.Fatalf("click %s: %v", sel, err)
	}
	return int(res.Status)
}

func (p *person) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// has reports whether the page has an element matching sel, now.
func (p *person) has(sel string) bool {
	p.t.Helper()
	q, _ := json.Marshal(sel)
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%s) !== null", q)))
	if err != nil {
		p.t.Fatalf("query %s: %v", sel, err)
	}
	return ok
}

func (p *person) value(sel string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// fill sets inputs, selects and textareas by id.
func (p *person) fill(fields map[string]string) {
	p.t.Helper()
	for id, v := range fields {
		p.step("fill "+id, chromedp.SetValue(chromedp.ID(id), v))
	}
}

func (p *person) location() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, p.w.url)
}

// signIn signs in with a username and the demo password.
func (p *person) signIn(username string) {
	p.t.Helper()
	p.open("/signin")
	p.fill(map[string]string{"username": username, "password": demo.Password})
	if st := p.submit(`#password-form button[type=submit]`); st != http.StatusOK || !p.has("#tab-mine") {
		p.t.Fatalf("sign in as %s: status %d, page %s", username, st, p.location())
	}
}

// shot saves a full-page screenshot for the README, at width pixels.
func (p *person) shot(name string, width int64) {
	p.t.Helper()
	h, err := chromedp.Run(p.ctx, chromedp.Evaluate[int64](`Math.max(document.documentElement.scrollHeight, 600)`))
	if err != nil {
		p.t.Fatal(err)
	}
	p.step("resize for "+name, chromedp.EmulateViewport(width, h))
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatal(err)
	}
	p.step("restore the viewport", chromedp.EmulateViewport(1280, 900))
	if err := os.WriteFile(filepath.Join(screenshots, name), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

var han = regexp.MustCompile(`\p{Han}`)

func TestWebInbox(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	subject := "酱油有异味 " + s.nonce

	t.Run("sign-in page lists the demo users", func(t *testing.T) {
		p := w.person(t)
		if st := p.open("/"); st != http.StatusOK || !strings.HasPrefix(p.location(), "/signin") {
			t.Fatalf("signed out, / answers %d at %s; want the sign-in page", st, p.location())
		}
		if !p.has(`button[data-user="cs.super"]`) || !p.has(`label[for="password"]`) {
			t.Fatal("the sign-in page lacks the demo users or the password label")
		}
		p.shot("signin.png", 1280)
	})

	t.Run("a wrong password is refused", func(t *testing.T) {
		p := w.person(t)
		p.open("/signin")
		p.fill(map[string]string{"username": "cs.agent", "password": "not-the-password"})
		if st := p.submit(`#password-form button[type=submit]`); st != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", st)
		}
		if got := p.text("#signin-error"); got != "用户名或密码错误。" {
			t.Fatalf("error = %q", got)
		}
		if st := p.open("/"); !strings.HasPrefix(p.location(), "/signin") {
			t.Fatalf("after a failed sign-in, / answers %d at %s", st, p.location())
		}
		if n := s.count(`SELECT count(*) FROM audit WHERE action = 'session.signin' AND actor = 'cs.agent' AND decision = 'denied'`); n != 1 {
			t.Fatalf("denied sign-ins audited: %d, want 1", n)
		}
	})

	agent := w.person(t)
	super := w.person(t)
	var processID, triageID string

	t.Run("cs.agent starts a complaint", func(t *testing.T) {
		agent := agent.in(t)
		agent.signIn("cs.agent")
		agent.open("/start")
		if st := agent.submit(`a[href="/start/complaint"]`); st != http.StatusOK {
			t.Fatalf("start page: %d", st)
		}
		agent.fill(map[string]string{"f-complainant-name": "李女士", "f-complainant-contact": "138-0000-0000",
			"f-channel": "phone", "f-category": "product_quality", "f-subject": subject,
			"f-content": "上周购买的生抽开瓶后有异味。", "f-product": "生抽 500ml", "f-batch": "B2026-11-03"})
		if st := agent.submit("#start-submit"); st != http.StatusOK {
			t.Fatalf("submit: status %d at %s", st, agent.location())
		}
		loc := agent.location()
		id, ok := strings.CutPrefix(strings.Split(loc, "?")[0], "/processes/")
		if !ok || agent.text("#process-title") != subject || !agent.has(".alert-ok") {
			t.Fatalf("after starting: at %s, title %q", loc, agent.text("#process-title"))
		}
		processID = id
		if n := s.count(`SELECT count(*) FROM processes WHERE id = $1 AND started_by = 'cs.agent' AND kind = 'complaint'`, id); n != 1 {
			t.Fatalf("process %s not recorded as started by cs.agent", id)
		}
		// The API wrote the audit entry, with the browser's address.
		if n := s.count(`SELECT count(*) FROM audit WHERE action = 'process.start' AND object = $1 AND actor = 'cs.agent' AND address = '127.0.0.1'`,
			"process:"+id); n != 1 {
			t.Fatalf("process.start audit entries with the client address: %d, want 1", n)
		}
		triageID = s.waitTask(id, "triage")
	})

	t.Run("cs.super finds it, claims and completes triage", func(t *testing.T) {
		super := super.in(t)
		super.open("/signin")
		if st := super.submit(`button[data-user="cs.super"]`); st != http.StatusOK || !super.has("#tab-mine") {
			t.Fatalf("one-click demo sign-in: %d at %s", st, super.location())
		}
		super.open("/?tab=claimable")
		row := fmt.Sprintf(`tr[data-task=%q]`, triageID)
		if !super.has(row) {
			t.Fatalf("the triage task %s is not in cs.super's claimable inbox", triageID)
		}
		if got := super.text(row + " .lvl"); got != "内部" {
			t.Errorf("level badge = %q, want 内部", got)
		}
		if got := super.text("#tab-claimable .count"); got == "0" {
			t.Errorf("claimable count = %q", got)
		}
		super.shot("inbox.png", 1280)
		super.shot("inbox-phone.png", 390)

		if st := super.submit(row + " a.task-link"); st != http.StatusOK {
			t.Fatalf("task page: %d", st)
		}
		if st := super.submit("#claim"); st != http.StatusOK || super.text(".alert-ok") != "已认领。" {
			t.Fatalf("claim: %d", st)
		}
		if got := s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND state = 'claimed' AND assignee = 'cs.super'`, triageID); got != 1 {
			t.Fatal("the task is not claimed by cs.super")
		}
		super.fill(map[string]string{"f-category": "product_quality"})
		super.shot("task.png", 1280)

		// "valid" needs the responsible department: the API says so, and
		// nothing changes.
		if st := super.submit(`button[data-outcome="valid"]`); st != http.StatusBadRequest {
			t.Fatalf("incomplete form: status %d, want 400", st)
		}
		if got := super.text(`.field-error[data-field="f.responsible_department"]`); got != "此项必填" {
			t.Fatalf("field error = %q, want the API's 'is required' in Chinese", got)
		}
		if got := super.value("#f-category"); got != "product_quality" {
			t.Errorf("the entered category was not kept: %q", got)
		}
		super.shot("task-validation.png", 1280)
		if got := s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND state = 'claimed'`, triageID); got != 1 {
			t.Fatal("a rejected form changed the task")
		}
		if got := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'task_completed'`, processID); got != 0 {
			t.Fatal("a rejected form reached the timeline")
		}

		// Comments go through the API and show on the page and the timeline.
		super.fill(map[string]string{"comment-body": "已电话联系客户，确认批号。"})
		if st := super.submit(`form.comment-form button[type=submit]`); st != http.StatusOK || super.text(".alert-ok") != "评论已发表。" {
			t.Fatalf("comment: %d", st)
		}
		if got := super.text(".comments"); !strings.Contains(got, "已电话联系客户，确认批号。") || !super.has(".tl-task_commented") {
			t.Fatalf("the comment is not shown: %q", got)
		}

		super.fill(map[string]string{"f-category": "product_quality", "f-responsible_department": "quality", "comment": "转质量部调查"})
		if st := super.submit(`button[data-outcome="valid"]`); st != http.StatusOK || super.text(".alert-ok") != "已提交。" {
			t.Fatalf("complete: status %d at %s", st, super.location())
		}
		if !super.has(".tl-task_completed") || !strings.Contains(super.text("#h-form"), "处理结果") {
			t.Fatal("the timeline does not show the completion")
		}
		if got := super.text(".tl-task_completed"); !strings.Contains(got, "cs.super") || !strings.Contains(got, "有效投诉") {
			t.Errorf("timeline entry = %q", got)
		}
		s.waitTask(processID, "investigation")
		super.open("/processes/" + processID)
		if !strings.Contains(super.text("#h-open + ul"), "投诉调查") {
			t.Errorf("the process page does not list the open investigation: %q", super.text("#h-open + ul"))
		}
	})

	t.Run("the inbox filters and a start the API refuses", func(t *testing.T) {
		super := super.in(t)
		super.open("/?tab=completed&kind=approval")
		if super.has(fmt.Sprintf(`tr[data-task=%q]`, triageID)) || super.text("#tab-completed .count") != "0" {
			t.Fatal("the kind filter did not apply")
		}
		super.open("/?tab=completed&kind=complaint&q=" + s.nonce)
		if !super.has(fmt.Sprintf(`tr[data-task=%q]`, triageID)) || super.text("#tab-completed .count") != "1" {
			t.Fatal("the filtered inbox lacks the completed triage")
		}
		if st := super.open("/?tab=mine&due_after=not-a-date"); st != http.StatusBadRequest || !super.has("#flt-after + .field-error") {
			t.Fatalf("a bad filter: status %d, want 400 with the API's field error", st)
		}

		rep := w.person(t)
		rep.signIn("sales.rep")
		rep.open("/start/complaint")
		rep.fill(map[string]string{"f-complainant-name": "赵先生", "f-complainant-contact": "137", "f-channel": "web",
			"f-category": "fees", "f-subject": "多收运费", "f-content": "运费多收了二十元。"})
		if st := rep.submit("#start-submit"); st != http.StatusForbidden || rep.text(".alert-error") != "您无权发起「客户投诉」流程。" {
			t.Fatalf("sales.rep starting a complaint: status %d, message %q", st, rep.text(".alert-error"))
		}
		if got := rep.value("#f-subject"); got != "多收运费" {
			t.Errorf("the form lost what was typed: %q", got)
		}
		if n := s.count(`SELECT count(*) FROM audit WHERE actor = 'sales.rep' AND action = 'process.start' AND decision = 'denied'`); n != 1 {
			t.Errorf("denied starts audited: %d, want 1", n)
		}
	})

	t.Run("a secret complaint is invisible to cs.agent", func(t *testing.T) {
		agent := agent.in(t)
		super := super.in(t)
		agent.open("/start/complaint")
		agent.fill(map[string]string{"f-complainant-name": "王先生", "f-complainant-contact": "139-0000-0000",
			"f-channel": "visit", "f-category": "misconduct", "f-subject": "业务员收取回扣 " + s.nonce,
			"f-content": "业务员要求回扣。", "f-course_of_events": "十一月三日到访时提出。", "f-signature": "王某"})
		if st := agent.submit("#start-submit"); st != http.StatusCreated || !strings.Contains(agent.text(".alert-ok"), "无法查看") {
			t.Fatalf("misconduct start: status %d, page %s", st, agent.location())
		}
		var id string
		if err := s.pool.QueryRow(context.Background(), `SELECT id FROM processes WHERE started_by = 'cs.agent' AND level = 2 AND title LIKE '%'||$1`,
			s.nonce).Scan(&id); err != nil {
			t.Fatal(err)
		}
		task := s.waitTask(id, "triage")
		for _, tab := range []string{"mine", "claimable", "overdue", "completed"} {
			agent.open("/?tab=" + tab)
			if agent.has(fmt.Sprintf(`tr[data-task=%q]`, task)) {
				t.Fatalf("the secret task is in cs.agent's %s tab", tab)
			}
		}
		for _, path := range []string{"/tasks/" + task, "/processes/" + id} {
			if st := agent.open(path); st != http.StatusNotFound || agent.text("#error-heading") != "未找到" {
				t.Fatalf("%s: status %d, heading %q; want not found", path, st, agent.text("#error-heading"))
			}
		}
		// cs.super, a supervisor of the owning department, sees it.
		super.open("/?tab=claimable")
		if !super.has(fmt.Sprintf(`tr[data-task=%q] .lvl-secret`, task)) {
			t.Fatal("cs.super does not see the secret triage task with its badge")
		}

		// A POST without the CSRF token is refused and changes nothing.
		status, err := chromedp.Run(super.ctx, chromedp.Evaluate[int](fmt.Sprintf(
			`fetch("/tasks/%s/claim", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "csrf=forged"}).then(r => r.status)`,
			task), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusForbidden {
			t.Fatalf("POST with a forged CSRF token: status %d, want 403", status)
		}
		status, err = chromedp.Run(super.ctx, chromedp.Evaluate[int](fmt.Sprintf(
			`fetch("/tasks/%s/claim", {method: "POST"}).then(r => r.status)`, task), chromedp.EvalAwaitPromise))
		if err != nil || status != http.StatusForbidden {
			t.Fatalf("POST without a CSRF token: status %d (%v), want 403", status, err)
		}
		if got := s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND state = 'open' AND assignee IS NULL`, task); got != 1 {
			t.Fatal("a refused POST claimed the task")
		}
	})

	t.Run("the language switch", func(t *testing.T) {
		super := super.in(t)
		super.open("/")
		if super.text("h1") != "我的收件箱" {
			t.Fatalf("default language: h1 = %q", super.text("h1"))
		}
		if st := super.submit("a.lang"); st != http.StatusOK || super.text("h1") != "My inbox" {
			t.Fatalf("after switching: status %d, h1 %q", st, super.text("h1"))
		}
		lang, err := chromedp.Run(super.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil || lang != "en" {
			t.Fatalf("html lang = %q (%v)", lang, err)
		}
		super.open("/?tab=completed")
		// Only what people typed (titles, names) may be Chinese on an English page.
		for _, sel := range []string{"header.topbar nav", "h1", ".tabs", "thead", ".filters summary", ".pager"} {
			if got := super.text(sel); han.MatchString(got) {
				t.Errorf("English page: %s has Chinese in it: %q", sel, got)
			}
		}
		if got := super.text(`td[data-label="State"] .state`); got != "Completed" {
			t.Errorf("state badge = %q", got)
		}
		super.shot("inbox-en.png", 1280)
		super.open("/tasks/" + triageID)
		if got := super.text("#h-form"); got != "Result" {
			t.Errorf("English task page: %q", got)
		}
		for _, sel := range []string{".timeline .tl-head strong", "#h-timeline", ".kv dt"} {
			if got := super.text(sel); han.MatchString(got) {
				t.Errorf("English task page: %s has Chinese in it: %q", sel, got)
			}
		}
		if st := super.submit("a.lang"); st != http.StatusOK || super.text("#h-form") != "处理结果" {
			t.Fatalf("back to Chinese: %d, %q", st, super.text("#h-form"))
		}
	})

	t.Run("top-secret pages carry the viewer's name as a watermark", func(t *testing.T) {
		gm := w.person(t)
		gm.signIn("gm")
		gm.open("/start/approval")
		gm.fill(map[string]string{"f-title": "收购计划 " + s.nonce, "f-details": "尚未公开的收购计划。", "f-level": "top_secret"})
		if st := gm.submit("#start-submit"); st != http.StatusOK {
			t.Fatalf("start: %d", st)
		}
		if !gm.has(".watermark") {
			t.Fatal("no watermark on a top-secret process page")
		}
		if got := gm.text(".watermark span"); !strings.Contains(got, "王建国") || !strings.Contains(got, "gm") {
			t.Fatalf("watermark = %q, want the viewer's name", got)
		}
		visible, err := chromedp.Run(gm.ctx, chromedp.Evaluate[bool](
			`(() => { const s = getComputedStyle(document.querySelector(".watermark span")); return s.display !== "none" && s.visibility !== "hidden" && parseFloat(s.opacity) > 0; })()`))
		if err != nil || !visible {
			t.Fatalf("the watermark is not visible (%v)", err)
		}
		gm.shot("process-top-secret.png", 1280)
		// An ordinary page has none.
		gm.open("/")
		if gm.has(".watermark") {
			t.Fatal("the inbox carries a watermark")
		}
	})

	t.Run("compliance pages", func(t *testing.T) {
		agent := agent.in(t)
		auditor := w.person(t)
		auditor.signIn("bmo.auditor")
		if st := auditor.open("/compliance/audit?object=process:" + processID); st != http.StatusOK {
			t.Fatalf("audit page: %d", st)
		}
		if got := auditor.text("table.audit tbody"); !strings.Contains(got, "process.start") || !strings.Contains(got, "cs.agent") {
			t.Fatalf("the audit page lacks the complaint's start: %q", got)
		}
		auditor.open("/compliance/audit?user=cs.super&object=task:" + triageID)
		if got := auditor.text("table.audit tbody"); !strings.Contains(got, "task.claim") || !strings.Contains(got, "task.complete") {
			t.Fatalf("the audit page lacks cs.super's claim and completion: %q", got)
		}
		auditor.open("/compliance/audit")
		auditor.shot("compliance-audit.png", 1280)
		auditor.open("/compliance/verify")
		if got := auditor.text("#h-verify"); got != "审计链完整" {
			t.Fatalf("verify: %q", got)
		}
		auditor.open("/compliance/explain?user=cs.agent&action=read&object=process:" + processID)
		if got := auditor.text("#h-verdict"); got != "允许" {
			t.Fatalf("explain: %q", got)
		}
		if got := auditor.text(".reasons"); !strings.Contains(got, "流程发起人") {
			t.Errorf("explain reasons = %q", got)
		}
		auditor.open("/compliance/who-can?action=read&object=process:" + processID)
		if got := auditor.text("table.list"); !strings.Contains(got, "cs.super") {
			t.Errorf("who-can lacks cs.super: %q", got)
		}
		// cs.agent is refused by the API, audited.
		if st := agent.open("/compliance/audit"); st != http.StatusForbidden {
			t.Fatalf("cs.agent on the audit page: %d, want 403", st)
		}
	})

	t.Run("sign out", func(t *testing.T) {
		agent := agent.in(t)
		before := s.count(`SELECT count(*) FROM web_sessions WHERE username = 'cs.agent'`)
		agent.open("/")
		if st := agent.submit(`form[action="/signout"] button`); st != http.StatusOK || !strings.HasPrefix(agent.location(), "/signin") {
			t.Fatalf("sign out: %d at %s", st, agent.location())
		}
		if after := s.count(`SELECT count(*) FROM web_sessions WHERE username = 'cs.agent'`); after != before-1 {
			t.Fatalf("sessions of cs.agent: %d before, %d after signing out", before, after)
		}
		if agent.open("/"); !strings.HasPrefix(agent.location(), "/signin") {
			t.Fatalf("after signing out / is at %s", agent.location())
		}
	})
}
