//go:build example

package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/web"
)

// The test-only example process of docs/ADDING_A_PROCESS.md
// (workflows/example_leave.go), run with -tags example: written as its own
// files plus the one line in workflows.Descriptors, it is startable over
// the API, authorised by its declared starters, worked to its end, listed
// in its register and offered by the web inbox with its labels and start
// form — with no other edit anywhere.

func init() {
	kindCases["example_leave"] = kindCase{map[string]any{"days": 2, "reason": "kinds"}, []string{"cs.agent", "sales.rep", "quality.eng", "hr.trainer"}}
}

func leave(days any, reason string) map[string]any {
	return map[string]any{"days": days, "reason": reason}
}

// TestExampleLeaveStart: the start route validates the body with the
// process's own messages (400 naming each field, nothing stored), refuses
// who is not a declared starter (403, audited), and an Idempotency-Key
// names one process.
func TestExampleLeaveStart(t *testing.T) {
	s := newStack(t)
	processes := s.count(`SELECT count(*) FROM processes`)
	for _, tc := range []struct {
		body   any
		fields map[string]string
	}{
		{leave(2.5, "探亲"), map[string]string{"days": "must be a whole number of days from 1 to 30"}},
		{leave(31, ""), map[string]string{"days": "must be a whole number of days from 1 to 30", "reason": "is required"}},
		{leave(2, "两\n行"), map[string]string{"reason": ""}},
		{map[string]any{"days": 2, "reason": "探亲", "level": "secret"}, map[string]string{"level": ""}},
		{leave("two", "探亲"), map[string]string{"days": ""}},
	} {
		e := s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/example_leave", tc.body), http.StatusBadRequest, "invalid")
		fields, _ := e["fields"].(map[string]any)
		for f, want := range tc.fields {
			if got, _ := fields[f].(string); got == "" || want != "" && got != want {
				t.Errorf("%v: field %s = %q, want %q (error %v)", tc.body, f, got, want, e)
			}
		}
		if len(fields) != len(tc.fields) {
			t.Errorf("%v: fields = %v, want %d", tc.body, fields, len(tc.fields))
		}
	}
	e := s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/example_leave", leave(0, "探亲")), http.StatusBadRequest, "invalid")
	if e["message"] != "cannot request the leave" || e["message_code"].(map[string]any)["code"] != "example_leave.cannot_request" ||
		e["field_codes"].(map[string]any)["days"].(map[string]any)["code"] != "example_leave.days" {
		t.Errorf("error = %v, want the process's own message and field code", e)
	}
	if n := s.count(`SELECT count(*) FROM processes`); n != processes {
		t.Fatalf("refused starts stored %d processes", n-processes)
	}

	// Not a declared starter: a department head, the GM, an administrator.
	for _, user := range []string{"cs.head", "gm", "sysadmin"} {
		s.wantError(s.call(user, "POST", "/api/v1/processes/example_leave", leave(2, "探亲")), http.StatusForbidden, "forbidden")
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE actor = 'cs.head' AND action = 'process.start' AND object = 'process:example_leave' AND decision = 'denied'`); n != 1 {
		t.Errorf("%d audited denials of cs.head's start, want 1", n)
	}

	// Started: 201 with the facts the descriptor gave it; the same key
	// answers 201 with the same process again, a different body 409.
	key := s.key("leave")
	p := s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/example_leave", leave(2, "探亲 visiting family"), "Idempotency-Key", key))
	id, _ := p["id"].(string)
	if !strings.HasPrefix(id, "example_leave-") || p["kind"] != "example_leave" || p["title"] != "探亲 visiting family" ||
		p["level"] != "internal" || p["department"] != "cs" || p["state"] != "running" {
		t.Fatalf("started = %v", p)
	}
	if in := p["input"].(map[string]any); len(in) != 2 || in["days"] != 2.0 || in["reason"] != "探亲 visiting family" {
		t.Errorf("stored input = %v", in)
	}
	again := s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/example_leave", leave(2, "探亲 visiting family"), "Idempotency-Key", key))
	if again["id"] != id {
		t.Errorf("repeated start = %v, want %s", again["id"], id)
	}
	s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/example_leave", leave(3, "探亲 visiting family"), "Idempotency-Key", key),
		http.StatusConflict, "conflict")
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = 'example_leave'`); n != 1 {
		t.Errorf("%d example_leave processes, want 1", n)
	}
}

// TestExampleLeaveStarters: the declared starters (staff and supervisors,
// in their own department) are the default policy's start lines, and
// may_start says so.
func TestExampleLeaveStarters(t *testing.T) {
	s := newStack(t)
	var lines []string
	rows, err := s.pool.Query(context.Background(),
		`SELECT v0 || ' ' || v1 FROM casbin_rule WHERE v2 = 'process:example_leave' AND v3 = 'start' ORDER BY v0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(lines, ", ") != "staff own, supervisor own" {
		t.Errorf("start lines = %q, want staff own, supervisor own", lines)
	}
	for user, want := range map[string]bool{"cs.agent": true, "cs.super": true, "sales.rep": true, "cs.head": false, "vp.ops": false,
		"gm": false, "bmo.auditor": false} {
		var k map[string]any
		for _, v := range s.must(http.StatusOK, s.call(user, "GET", "/api/v1/process-kinds", nil))["kinds"].([]any) {
			if v.(map[string]any)["kind"] == "example_leave" {
				k = v.(map[string]any)
			}
		}
		if k == nil || k["may_start"] != want {
			t.Errorf("%s: example_leave = %v, want may_start %v", user, k, want)
			continue
		}
		if l := k["label"].(map[string]any); l["zh"] != "请假（示例）" || l["en"] != "Leave (example)" {
			t.Errorf("label = %v", l)
		}
		if f := k["start_form"].(map[string]any)["fields"].([]any); len(f) != 2 || f[0].(map[string]any)["name"] != "days" ||
			f[1].(map[string]any)["name"] != "reason" || f[1].(map[string]any)["max_length"] != 200.0 {
			t.Errorf("start form = %v", f)
		}
		if c := k["register"].(map[string]any)["columns"].([]any); len(c) != 4 {
			t.Errorf("register columns = %v", c)
		}
	}
}

// TestExampleLeaveSteps: a long leave is worked to its end over the API —
// the requester may not grant it, the head and then the VP in charge do —
// and its register lists it with what the steps recorded, with the read
// rule of the processes.
func TestExampleLeaveSteps(t *testing.T) {
	s := newStack(t)
	long := s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/example_leave", leave(5, "探亲")))["id"].(string)
	short := s.must(http.StatusCreated, s.call("cs.super", "POST", "/api/v1/processes/example_leave", leave(1, "体检")))["id"].(string)

	head := s.waitTask(long, "leave_head")
	s.wantError(s.call("cs.agent", "POST", "/api/v1/tasks/"+head+"/claim", nil), http.StatusForbidden, "forbidden")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+head+"/claim", nil))
	e := s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+head+"/complete", map[string]any{"outcome": "decline"}), http.StatusBadRequest, "invalid")
	if f, _ := e["fields"].(map[string]any); f["data.remark"] == nil {
		t.Errorf("a decline without a remark: %v", e)
	}
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+head+"/complete", map[string]any{"outcome": "grant"}))
	s.work("vp.ops", s.waitTask(long, "leave_vp"), "grant", map[string]any{"remark": "同意"})
	s.waitProcess(long, "completed")
	s.work("cs.head", s.waitTask(short, "leave_head"), "decline", map[string]any{"remark": "月底结账，请改期"})
	s.waitProcess(short, "completed")
	if p := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/processes/"+long, nil)); p["result"] != "granted" {
		t.Errorf("result = %v, want granted", p["result"])
	}
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1 AND state = 'completed'`, long); n != 2 {
		t.Errorf("%d completed tasks, want 2 (head, VP)", n)
	}

	rows := s.must(http.StatusOK, s.call("cs.head", "GET", "/api/v1/registers/example_leave", nil))
	if rows["total"] != 2.0 {
		t.Fatalf("register = %v, want 2 rows", rows)
	}
	byID := map[string]map[string]any{}
	for _, r := range rows["items"].([]any) {
		byID[r.(map[string]any)["process_id"].(string)] = r.(map[string]any)
	}
	if r := byID[long]; r["days"] != 5.0 || r["result"] != "granted" || r["requested_at"] == nil || len(r) != 4 {
		t.Errorf("the long leave's row = %v", r)
	}
	if r := byID[short]; r["days"] != 1.0 || r["result"] != "declined" {
		t.Errorf("the short leave's row = %v", r)
	}
	for query, want := range map[string][]string{"?result=granted": {long}, "?result=declined": {short}, "?result=pending": nil} {
		if got := registerIDs(t, s.must(http.StatusOK, s.call("cs.head", "GET", "/api/v1/registers/example_leave"+query, nil))); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	s.wantError(s.call("cs.head", "GET", "/api/v1/registers/example_leave?result=maybe", nil), http.StatusBadRequest, "invalid")
	r := s.call("cs.head", "GET", "/api/v1/registers/example_leave?format=csv", nil)
	if header, _, _ := strings.Cut(strings.TrimPrefix(string(r.Body), "\ufeff"), "\n"); r.Status != http.StatusOK ||
		header != "process_id,requested_at,days,result" || !strings.Contains(r.Header.Get("Content-Disposition"), "leaves.csv") {
		t.Errorf("CSV: %d %q %q", r.Status, header, r.Header.Get("Content-Disposition"))
	}
	// The read rule of the processes: sales sees none of customer service's leaves.
	if rows := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/registers/example_leave", nil)); rows["total"] != 0.0 {
		t.Errorf("sales.rep's register = %v, want empty", rows)
	}
}

// inboxClient is a signed-in browser of the web inbox in one language.
type inboxClient struct {
	t    *testing.T
	base string
	lang string
	http *http.Client
}

func (s *stack) inboxAs(user, lang string) *inboxClient {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &inboxClient{t: s.t, base: s.webServer(web.Config{}), lang: lang, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, page := c.get("/signin")
	res := c.post("/signin", url.Values{"username": {user}, "password": {demo.Password}, "csrf": {csrfOf(s.t, page)}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign-in as %s: %d", user, res.StatusCode)
	}
	return c
}

func (c *inboxClient) get(path string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Accept-Language", c.lang)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c *inboxClient) post(path string, form url.Values) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", c.lang)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(strings.NewReader(string(b)))
	return res
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page: %.500s", page)
	}
	return m[1]
}

func wantIn(t *testing.T, what, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestExampleLeaveWeb: the web inbox offers the kind in its kind filters
// and on the start page, with its labels and its start form in both
// languages; the form starts it (its own message in Chinese on a bad
// value); the task page shows its step and outcomes by their labels.
func TestExampleLeaveWeb(t *testing.T) {
	s := newStack(t)
	zh, en := s.inboxAs("cs.agent", "zh-CN"), s.inboxAs("cs.agent", "en")

	for _, path := range []string{"/", "/processes"} {
		_, page := zh.get(path)
		wantIn(t, "the kind filter of "+path, page, `<option value="example_leave" >请假（示例）</option>`)
	}
	_, index := zh.get("/start")
	wantIn(t, "/start", index, "请假（示例）", `href="/start/example_leave"`)

	status, page := zh.get("/start/example_leave")
	if status != http.StatusOK {
		t.Fatalf("GET /start/example_leave: %d", status)
	}
	wantIn(t, "the Chinese start page", page, "<h1>请假（示例）</h1>", "请假申请：部门经理批准；超过规定天数的，再由分管副总批准。",
		`name="f.days"`, "请假天数", `name="f.reason"`, "事由", `maxlength="200"`, "提交请假")
	csrf := csrfOf(t, page)
	_, page = en.get("/start/example_leave")
	wantIn(t, "the English start page", page, "<h1>Leave (example)</h1>", "the VP in charge too for a long leave",
		"Days of leave", "Reason", "Request the leave")

	// The start form starts it; a bad value comes back in Chinese, by its code.
	form := url.Values{"csrf": {csrf}, "idempotency_key": {"leave-web-1"}, "f.days": {"40"}, "f.reason": {"探亲"}}
	res := zh.post("/start/example_leave", form)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "须为 1 至 30 的整天数") {
		t.Errorf("a leave of 40 days: %d, want 400 saying 须为 1 至 30 的整天数:\n%.3000s", res.StatusCode, body)
	}
	form.Set("f.days", "4")
	res = zh.post("/start/example_leave", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/processes/example_leave-") {
		t.Fatalf("start from the web: %d %q", res.StatusCode, loc)
	}
	id := strings.TrimPrefix(strings.TrimSuffix(loc, "?ok=started"), "/processes/")
	_, page = zh.get(loc)
	wantIn(t, "the process page", page, "请假天数", "探亲")

	task := s.waitTask(id, "leave_head")
	head := s.inboxAs("cs.head", "zh-CN")
	_, inbox := head.get("/?tab=claimable")
	wantIn(t, "the head's inbox", inbox, "请假（示例）", "部门经理批假")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+task+"/claim", nil))
	_, page = head.get("/tasks/" + task)
	wantIn(t, "the task page", page, "部门经理批假", `value="grant"`, ">准假<", `value="decline"`, ">不准假<", "批示")
	_, page = s.inboxAs("cs.head", "en").get("/tasks/" + task)
	wantIn(t, "the English task page", page, "Head&#39;s approval", ">Grant<", ">Decline<", "Remark")
}
