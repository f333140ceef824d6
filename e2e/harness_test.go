// Package e2e drives zhidu over HTTP against a real PostgreSQL and a real
// in-process Temporal server: no mocks.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"github.com/zhidu/zhidu/activities"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/internal/testdb"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	temporalOnce sync.Once
	temporalSrv  *temporaltest.TestServer
)

// temporalServer is one in-process Temporal server per test binary; each
// test isolates itself on its own task queue.
func temporalServer() *temporaltest.TestServer {
	temporalOnce.Do(func() {
		temporalSrv = temporaltest.NewServer(temporaltest.WithBaseServerOptions(
			temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
				dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
				dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
			})))
	})
	return temporalSrv
}

// stack is one zhidu deployment: a fresh database with the demo
// organisation, a worker on its own task queue, and the API over HTTP.
type stack struct {
	t      *testing.T
	pool   *pgxpool.Pool
	store  *store.Store
	client client.Client
	queue  string
	worker worker.Worker
	server *api.Server
	az     *authz.Authz
	cfg    api.Config
	http   *httptest.Server
	creds  demo.Credentials
	nonce  string
}

func newStack(t *testing.T) *stack { return newStackWith(t, nil) }

// newStackWith is newStack with the API configuration adjusted first (e.g.
// short SLAs so escalations happen within the test).
func newStackWith(t *testing.T, configure func(*api.Config)) *stack {
	t.Helper()
	st, creds := testdb.Demo(t, 20)
	pool := st.Pool
	ts := temporalServer()
	s := &stack{t: t, pool: pool, store: st, client: sealedClient(), queue: "zhidu-" + randHex(6), creds: creds, nonce: randHex(6)}
	s.startWorker()
	az, err := authz.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	// Tests drive thousands of requests from one address in seconds; the
	// tests of the limits themselves set them again.
	cfg.RatePerAddress, cfg.RatePerUser = api.Rate{}, api.Rate{}
	cfg.Namespace, cfg.CodecOrigins = ts.GetDefaultNamespace(), []string{uiOrigin}
	if configure != nil {
		configure(&cfg)
	}
	s.az, s.cfg = az, cfg
	s.server = api.New(st, az, api.TemporalEngine{Client: s.client, TaskQueue: s.queue}, cfg)
	s.server.Payloads = e2eKeys.ring
	s.http = httptest.NewServer(s.server.Router())
	t.Cleanup(s.http.Close)
	return s
}

func (s *stack) startWorker() {
	w := s.newWorker(s.store)
	if err := w.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.worker = w
	s.t.Cleanup(w.Stop)
}

// newWorker is a worker of the stack's task queue whose activities write
// through st.
func (s *stack) newWorker(st *store.Store) worker.Worker {
	w := worker.New(s.client, s.queue, worker.Options{MaxConcurrentWorkflowTaskPollers: 4, MaxConcurrentActivityTaskPollers: 4,
		Interceptors: []interceptor.WorkerInterceptor{e2eKeys.signer.WorkerInterceptor()}})
	workflows.Register(w)
	(&activities.Activities{Store: st}).Register(w)
	return w
}

func (s *stack) stopWorker() { s.worker.Stop() }

// watchUsers makes the API reload its policy and forget the users it
// cached whenever PostgreSQL announces a change, as every deployment does
// (authz.Watch): a change the worker makes (a separated employee's
// disabled account) reaches the API's cache at once.
func (s *stack) watchUsers() {
	ctx, cancel := context.WithCancel(context.Background())
	s.t.Cleanup(cancel)
	listening := make(chan struct{})
	go s.az.Watch(ctx, s.pool, func() { close(listening) }, s.server.ForgetUsers)
	<-listening
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// key makes an idempotency key unique to this test: every test shares one
// Temporal namespace.
func (s *stack) key(k string) string { return s.nonce + "-" + k }

type response struct {
	Status int
	Body   []byte
	Header http.Header
}

// JSON decodes the body into a generic value.
func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// call sends a request as user ("" sends none).
func (s *stack) call(user, method, path string, body any, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.http.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if user != "" {
		cr, ok := s.creds[user]
		if !ok {
			s.t.Fatalf("no demo user %q", user)
		}
		req.Header.Set("Authorization", "Bearer "+cr.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	r := response{Status: res.StatusCode, Body: b, Header: res.Header}
	checkOpenAPI(s.t, req, r)
	checkMessageCodes(s.t, r)
	return r
}

var (
	openAPIOnce   sync.Once
	openAPIRouter routers.Router
	openAPIErr    error
)

// checkOpenAPI checks a response against the OpenAPI document the API
// serves (api/openapi.json, with the parts of processes built under a
// build tag): its status must be documented for the route, and its body
// must match the documented schema (kin-openapi's response validation), so
// the document cannot drift from what any route the tests exercise
// answers. A request to a route the document does not have must have been
// answered 404 or 405.
func checkOpenAPI(t *testing.T, req *http.Request, r response) {
	t.Helper()
	openAPIOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPI())
		if err == nil {
			err = doc.Validate(loader.Context)
		}
		if err == nil {
			openAPIRouter, err = gorillamux.NewRouter(doc)
		}
		openAPIErr = err
	})
	if openAPIErr != nil {
		t.Fatalf("api/openapi.json: %v", openAPIErr)
	}
	if req.Method == http.MethodOptions {
		return // a browser's CORS preflight (the codec endpoint): not part of the API's contract
	}
	route, params, err := openAPIRouter.FindRoute(req)
	if err != nil {
		if r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
			t.Errorf("openapi.json: %s %s is not documented (%v), yet it answered %d", req.Method, req.URL.Path, err, r.Status)
		}
		return
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		t.Errorf("openapi.json: the answer to %s %s (%d) does not match the document: %v\n%.2000s", req.Method, req.URL.RequestURI(), r.Status, err, r.Body)
	}
}

// must checks the status and returns the decoded body.
func (s *stack) must(want int, r response) map[string]any {
	s.t.Helper()
	if r.Status != want {
		s.t.Fatalf("status = %d, want %d: %s", r.Status, want, r.Body)
	}
	return r.JSON(s.t)
}

// wantError checks an error response's status and code.
func (s *stack) wantError(r response, status int, code string) map[string]any {
	s.t.Helper()
	body := s.must(status, r)
	e, ok := body["error"].(map[string]any)
	if !ok || e["code"] != code {
		s.t.Fatalf("error = %s, want code %q", r.Body, code)
	}
	return e
}

// startApproval starts an approval as user and returns the process ID.
func (s *stack) startApproval(user, title, level string) string {
	s.t.Helper()
	p := s.must(http.StatusCreated, s.call(user, "POST", "/api/v1/processes/approval",
		map[string]any{"title": title, "details": "for the test", "level": level}))
	return p["id"].(string)
}

// inbox returns the task IDs in a user's inbox (default scope).
func (s *stack) inbox(user string, query string) []string {
	s.t.Helper()
	page := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/tasks"+query, nil))
	var ids []string
	for _, it := range page["items"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return ids
}

// waitTask waits until the process has an open task at step and returns
// its ID (the workflow creates tasks asynchronously).
func (s *stack) waitTask(processID, step string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var id string
		err := s.pool.QueryRow(context.Background(), `SELECT id FROM tasks WHERE process_id = $1 AND step = $2 AND state IN ('open', 'claimed')`,
			processID, step).Scan(&id)
		if err == nil {
			return id
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no open %s task for %s after 20s", step, processID)
	return ""
}

// waitProcess waits until the process reaches state.
func (s *stack) waitProcess(processID, state string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var got string
		if err := s.pool.QueryRow(context.Background(), `SELECT state FROM processes WHERE id = $1`, processID).Scan(&got); err == nil && got == state {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("process %s did not reach %s in 20s", processID, state)
}

// count runs a count query.
func (s *stack) count(sql string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// work claims and completes a task as user.
func (s *stack) work(user, taskID, outcome string, data map[string]any) map[string]any {
	s.t.Helper()
	s.must(http.StatusOK, s.call(user, "POST", "/api/v1/tasks/"+taskID+"/claim", nil))
	return s.must(http.StatusOK, s.call(user, "POST", "/api/v1/tasks/"+taskID+"/complete",
		map[string]any{"outcome": outcome, "data": data}))
}
