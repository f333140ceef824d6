package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/store"
)

// snapshot counts the rows bad input must not change.
func (s *stack) snapshot() string {
	s.t.Helper()
	var b strings.Builder
	for _, table := range []string{"processes", "tasks", "task_candidates", "task_comments", "timeline"} {
		b.WriteString(table)
		b.WriteString("=")
		b.WriteString(strings.Repeat("|", s.count("SELECT count(*) FROM "+table)))
		b.WriteString(" ")
	}
	var states string
	if err := s.pool.QueryRow(context.Background(), `SELECT COALESCE(string_agg(id || state || COALESCE(assignee, ''), ',' ORDER BY id), '') FROM tasks`).Scan(&states); err != nil {
		s.t.Fatal(err)
	}
	return b.String() + states
}

// TestErrors checks every error status of the API, and that bad input
// changes nothing.
func TestErrors(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "errors", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")
	secret := s.startApproval("cs.super", "secret matter", "secret")
	ts := s.waitTask(secret, "dept_head_approval")
	before := s.snapshot()

	big := `{"title":"` + strings.Repeat("x", 1<<20+10) + `"}`
	cases := []struct {
		name, user, method, path string
		body                     any
		status                   int
		code                     string
		field                    string
	}{
		{"no token", "", "GET", "/api/v1/tasks", nil, 401, "unauthenticated", ""},
		{"no token on start", "", "POST", "/api/v1/processes/approval", map[string]any{"title": "x"}, 401, "unauthenticated", ""},
		{"unknown kind", "cs.agent", "POST", "/api/v1/processes/nonsense", map[string]any{"title": "x"}, 404, "not_found", ""},
		{"unknown task", "cs.head", "GET", "/api/v1/tasks/t-nope", nil, 404, "not_found", ""},
		{"unknown process", "cs.head", "GET", "/api/v1/processes/approval-nope", nil, 404, "not_found", ""},
		{"unknown route", "cs.head", "GET", "/api/v1/nowhere", nil, 404, "not_found", ""},
		{"other department's task", "quality.eng", "GET", "/api/v1/tasks/" + t1, nil, 404, "not_found", ""},
		{"other department's process", "quality.head", "GET", "/api/v1/processes/" + pid, nil, 404, "not_found", ""},
		{"claim invisible task", "sales.rep", "POST", "/api/v1/tasks/" + t1 + "/claim", nil, 404, "not_found", ""},
		{"secret task above clearance", "cs.agent", "GET", "/api/v1/tasks/" + ts, nil, 404, "not_found", ""},
		{"secret process above clearance", "cs.agent", "GET", "/api/v1/processes/" + secret, nil, 404, "not_found", ""},
		{"comment invisible task", "rnd.eng", "POST", "/api/v1/tasks/" + t1 + "/comments", map[string]any{"body": "hi"}, 404, "not_found", ""},
		{"claim as non-candidate", "vp.ops", "POST", "/api/v1/tasks/" + t1 + "/claim", nil, 403, "forbidden", ""},
		{"administrators may not start", "sysadmin", "POST", "/api/v1/processes/approval", map[string]any{"title": "x"}, 403, "forbidden", ""},
		{"complete unclaimed", "cs.head", "POST", "/api/v1/tasks/" + t1 + "/complete", map[string]any{"outcome": "approve"}, 409, "conflict", ""},
		{"unclaim unclaimed", "cs.head", "POST", "/api/v1/tasks/" + t1 + "/unclaim", nil, 409, "conflict", ""},
		{"delegate unclaimed", "cs.head", "POST", "/api/v1/tasks/" + t1 + "/delegate", map[string]any{"to": "cs.super"}, 409, "conflict", ""},
		{"missing title", "cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"details": "x"}, 400, "invalid", "title"},
		{"title too long", "cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"title": strings.Repeat("长", 201)}, 400, "invalid", "title"},
		{"bad level", "cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"title": "x", "level": "ultra"}, 400, "invalid", "level"},
		{"level above clearance", "cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"title": "x", "level": "secret"}, 400, "invalid", "level"},
		{"unknown field", "cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"title": "x", "amount": 3}, 400, "invalid", "amount"},
		{"wrong type", "cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"title": 42}, 400, "invalid", "title"},
		{"not JSON", "cs.agent", "POST", "/api/v1/processes/approval", "{title:", 400, "invalid", ""},
		{"trailing data", "cs.agent", "POST", "/api/v1/processes/approval", `{"title":"a"} {"title":"b"}`, 400, "invalid", ""},
		{"too large", "cs.agent", "POST", "/api/v1/processes/approval", big, 413, "too_large", ""},
		{"long idempotency key", "cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"title": "x"}, 400, "invalid", "Idempotency-Key"},
		{"bad state filter", "cs.head", "GET", "/api/v1/tasks?state=done", nil, 400, "invalid", "state"},
		{"bad limit", "cs.head", "GET", "/api/v1/tasks?limit=1000", nil, 400, "invalid", "limit"},
		{"bad priority", "cs.head", "GET", "/api/v1/tasks?priority=9", nil, 400, "invalid", "priority"},
		{"bad overdue", "cs.head", "GET", "/api/v1/tasks?overdue=maybe", nil, 400, "invalid", "overdue"},
		{"bad due_before", "cs.head", "GET", "/api/v1/tasks?due_before=tomorrow", nil, 400, "invalid", "due_before"},
		{"bad sort", "cs.head", "GET", "/api/v1/tasks?sort=title", nil, 400, "invalid", "sort"},
		{"bad scope", "cs.head", "GET", "/api/v1/tasks?scope=everything", nil, 400, "invalid", "scope"},
		{"bad cursor", "cs.head", "GET", "/api/v1/tasks?cursor=abc", nil, 400, "invalid", "cursor"},
		{"process filter too long", "cs.head", "GET", "/api/v1/tasks?process=" + strings.Repeat("p", 201), nil, 400, "invalid", "process"},
		{"bad process state", "cs.head", "GET", "/api/v1/processes?state=sleeping", nil, 400, "invalid", "state"},
		{"empty comment", "cs.head", "POST", "/api/v1/tasks/" + t1 + "/comments", map[string]any{"body": ""}, 400, "invalid", "body"},
		{"cancel without reason", "cs.agent", "POST", "/api/v1/processes/" + pid + "/cancel", map[string]any{"reason": ""}, 400, "invalid", "reason"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.name == "long idempotency key" {
				headers = []string{"Idempotency-Key", strings.Repeat("k", 201)}
			}
			e := s.wantError(s.call(tc.user, tc.method, tc.path, tc.body, headers...), tc.status, tc.code)
			if tc.field != "" {
				fields, _ := e["fields"].(map[string]any)
				if _, ok := fields[tc.field]; !ok {
					t.Fatalf("fields = %v, want an error for %q", e["fields"], tc.field)
				}
			}
		})
	}
	if after := s.snapshot(); after != before {
		t.Fatalf("bad input changed the database:\nbefore %s\nafter  %s", before, after)
	}

	// A task the caller may not see answers exactly like a missing one.
	hidden := s.call("quality.eng", "GET", "/api/v1/tasks/"+t1, nil)
	missing := s.call("quality.eng", "GET", "/api/v1/tasks/t-doesnotexist", nil)
	if !bytes.Equal(bytes.ReplaceAll(hidden.Body, []byte(t1), []byte("X")), bytes.ReplaceAll(missing.Body, []byte("t-doesnotexist"), []byte("X"))) {
		t.Fatalf("hidden %s and missing %s answer differently", hidden.Body, missing.Body)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE decision = 'denied' AND actor = 'vp.ops' AND action = 'task.claim'`); n != 1 {
		t.Fatalf("denied claim audit entries = %d, want 1", n)
	}
}

// TestCompletionRejections: the workflow and the API refuse completions
// that break the task's rules, and nothing changes.
func TestCompletionRejections(t *testing.T) {
	s := newStack(t)
	// cs.head starts an approval: they are its requester and may not approve it.
	own := s.startApproval("cs.head", "my own request", "internal")
	tOwn := s.waitTask(own, "dept_head_approval")
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+tOwn+"/claim", nil), 403, "forbidden")
	if got := s.inbox("cs.head", ""); len(got) != 0 {
		t.Fatalf("the requester's own approval must not be claimable: %v", got)
	}

	pid := s.startApproval("cs.agent", "rules", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil))
	before := s.snapshot()
	for _, tc := range []struct {
		name, user string
		body       any
		status     int
		code       string
	}{
		{"outcome not allowed", "cs.head", map[string]any{"outcome": "maybe"}, 400, "invalid"},
		{"missing required field", "cs.head", map[string]any{"outcome": "reject"}, 400, "invalid"},
		{"unknown form field", "cs.head", map[string]any{"outcome": "approve", "data": map[string]any{"colour": "red"}}, 400, "invalid"},
		{"field of wrong type", "cs.head", map[string]any{"outcome": "approve", "data": map[string]any{"opinion": 5}}, 400, "invalid"},
		{"not the assignee", "cs.super", map[string]any{"outcome": "approve"}, 403, "forbidden"},
		{"claim taken", "cs.head", nil, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.status == 0 {
				s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil), 409, "conflict")
				return
			}
			s.wantError(s.call(tc.user, "POST", "/api/v1/tasks/"+t1+"/complete", tc.body), tc.status, tc.code)
		})
	}
	if after := s.snapshot(); after != before {
		t.Fatalf("rejected completions changed the database:\nbefore %s\nafter  %s", before, after)
	}
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/complete", map[string]any{"outcome": "approve"}))
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/complete", map[string]any{"outcome": "approve"}), 409, "conflict")
}

// TestNotReady: while PostgreSQL is unreachable, /readyz fails and API
// requests fail fast with 503 instead of hanging.
func TestNotReady(t *testing.T) {
	s := newStack(t)
	dead, err := store.Connect(context.Background(), "postgres://zhidu:x@127.0.0.1:1/zhidu?sslmode=disable&connect_timeout=1", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	az, err := authz.New(s.pool)
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(store.New(dead), az, api.TemporalEngine{Client: s.client, TaskQueue: s.queue}, api.DefaultConfig())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Watch(ctx, 50*time.Millisecond)
	h := httptest.NewServer(srv.Router())
	defer h.Close()

	res, err := http.Get(h.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d, want 503", res.StatusCode)
	}
	time.Sleep(200 * time.Millisecond)
	req, _ := http.NewRequest("GET", h.URL+"/api/v1/tasks", nil)
	req.Header.Set("Authorization", "Bearer "+s.creds["cs.head"].Token)
	began := time.Now()
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("request while not ready = %d, want 503", res.StatusCode)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Fatalf("a request while not ready took %s; it should fail fast", took)
	}

	// An unreachable Temporal makes the API unready too.
	deadTemporal, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer deadTemporal.Close()
	noTemporal := httptest.NewServer(api.New(s.store, az, api.TemporalEngine{Client: deadTemporal, TaskQueue: s.queue}, api.DefaultConfig()).Router())
	defer noTemporal.Close()
	res, err = http.Get(noTemporal.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"temporal":"unreachable"`) {
		t.Fatalf("/readyz without Temporal = %d %s, want 503 naming temporal", res.StatusCode, body)
	}

	// The healthy stack is ready.
	if r := s.call("", "GET", "/readyz", nil); r.Status != http.StatusOK {
		t.Fatalf("/readyz on a healthy stack = %d: %s", r.Status, r.Body)
	}
	if r := s.call("", "GET", "/healthz", nil); r.Status != http.StatusOK {
		t.Fatalf("/healthz = %d", r.Status)
	}
}
