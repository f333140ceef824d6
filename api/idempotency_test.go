package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/internal/testdb"
	"github.com/zhidu/zhidu/store"
)

// idemFixture runs the idempotent middleware over the real store in
// front of a handler the test scripts: the caller is the X-User header.
type idemFixture struct {
	t       *testing.T
	st      *store.Store
	h       http.Handler
	calls   atomic.Int64
	respond func(c *gin.Context) // the handler's answer
}

func newIdemFixture(t *testing.T) *idemFixture {
	t.Helper()
	st, _ := testdb.Demo(t, 5)
	srv := New(st, nil, nil, DefaultConfig())
	f := &idemFixture{t: t, st: st}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.Any("/thing", func(c *gin.Context) { c.Set(userKey, store.User{Username: c.GetHeader("X-User")}) }, srv.idempotent,
		func(c *gin.Context) {
			f.calls.Add(1)
			f.respond(c)
		})
	f.h = r
	return f
}

func (f *idemFixture) call(user, method, key, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(method, "/thing", strings.NewReader(body))
	req.Header.Set("X-User", user)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	return w
}

func messageCode(t *testing.T, w *httptest.ResponseRecorder) zhidu.Message {
	t.Helper()
	var e struct {
		Error struct {
			Code        string        `json:"code"`
			MessageCode zhidu.Message `json:"message_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("not an error body: %s", w.Body)
	}
	return e.Error.MessageCode
}

// TestIdempotentReplay: the same call twice under one key runs once and
// answers twice alike (the second marked as replayed, Location kept); the
// key is the caller's own; a different body under it is 409 naming the
// key; a body re-encoded with other key order and spacing is the same
// request; without a key every call runs; reads pass through.
func TestIdempotentReplay(t *testing.T) {
	f := newIdemFixture(t)
	f.respond = func(c *gin.Context) {
		c.Header("Location", "/things/1")
		c.JSON(http.StatusCreated, gin.H{"n": f.calls.Load(), "token": "zd_secret_token"})
	}
	first := f.call("cs.agent", "POST", "k-1", `{"a":1,"b":[1,2]}`)
	again := f.call("cs.agent", "POST", "k-1", `{ "b": [1, 2], "a": 1 }`)
	if first.Code != http.StatusCreated || again.Code != http.StatusCreated || first.Body.String() != again.Body.String() {
		t.Fatalf("first %d %s, again %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if f.calls.Load() != 1 {
		t.Fatalf("handler ran %d times, want 1", f.calls.Load())
	}
	if again.Header().Get(ReplayedHeader) != "true" || first.Header().Get(ReplayedHeader) != "" {
		t.Errorf("replayed header: first %q, again %q", first.Header().Get(ReplayedHeader), again.Header().Get(ReplayedHeader))
	}
	if again.Header().Get("Location") != "/things/1" || !strings.HasPrefix(again.Header().Get("Content-Type"), "application/json") {
		t.Errorf("replayed headers: %v", again.Header())
	}
	// The kept answer is sealed: the token is not in the table.
	var n int
	if err := f.st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM idempotency_keys
        WHERE position('zd_secret_token'::bytea in body) > 0 OR position('k-1'::bytea in key_hash) > 0`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a kept answer shows its token or key: %d rows, %v", n, err)
	}

	other := f.call("cs.agent", "POST", "k-1", `{"a":2}`)
	if other.Code != http.StatusConflict || messageCode(t, other).Code != "idempotency.reused" ||
		!strings.Contains(other.Body.String(), `k-1`) {
		t.Errorf("another body under the key: %d %s", other.Code, other.Body)
	}
	if w := f.call("cs.agent", "PATCH", "k-1", `{"a":1,"b":[1,2]}`); w.Code != http.StatusConflict {
		t.Errorf("another method under the key: %d %s", w.Code, w.Body)
	}
	if w := f.call("sales.rep", "POST", "k-1", `{"a":2}`); w.Code != http.StatusCreated || w.Header().Get(ReplayedHeader) != "" {
		t.Errorf("another caller's key: %d %s", w.Code, w.Body)
	}
	before := f.calls.Load()
	f.call("cs.agent", "POST", "", `{"a":1}`)
	f.call("cs.agent", "POST", "", `{"a":1}`)
	f.call("cs.agent", "GET", "k-1", "")
	if got := f.calls.Load() - before; got != 3 {
		t.Errorf("without a key / a read: handler ran %d times, want 3", got)
	}
	if w := f.call("cs.agent", "POST", strings.Repeat("k", 201), `{}`); w.Code != http.StatusBadRequest {
		t.Errorf("a long key: %d", w.Code)
	}
}

// TestIdempotentFailuresNotKept: a 5xx, a panic and a 4xx let the key go,
// so the next call under it runs (a 4xx's corrected request with another
// body too).
func TestIdempotentFailuresNotKept(t *testing.T) {
	f := newIdemFixture(t)
	status := http.StatusInternalServerError
	f.respond = func(c *gin.Context) { c.JSON(status, gin.H{"n": f.calls.Load()}) }
	if w := f.call("cs.agent", "POST", "k-5xx", `{}`); w.Code != http.StatusInternalServerError {
		t.Fatalf("first: %d", w.Code)
	}
	status = http.StatusOK
	if w := f.call("cs.agent", "POST", "k-5xx", `{}`); w.Code != http.StatusOK || w.Header().Get(ReplayedHeader) != "" {
		t.Fatalf("after a 5xx: %d %v", w.Code, w.Header())
	}
	if f.calls.Load() != 2 {
		t.Fatalf("handler ran %d times, want 2", f.calls.Load())
	}

	f.respond = func(c *gin.Context) { panic("boom") }
	if w := f.call("cs.agent", "POST", "k-panic", `{}`); w.Code != http.StatusInternalServerError {
		t.Fatalf("panic: %d", w.Code)
	}
	f.respond = func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{}) }
	if w := f.call("cs.agent", "POST", "k-panic", `{}`); w.Code != http.StatusOK || w.Header().Get(ReplayedHeader) != "" {
		t.Fatalf("after a panic: %d", w.Code)
	}

	f.respond = func(c *gin.Context) { fail(c, zhidu.Fail(zhidu.CodeInvalid, zhidu.Required())) }
	if w := f.call("cs.agent", "POST", "k-4xx", `{"x":""}`); w.Code != http.StatusBadRequest {
		t.Fatalf("4xx: %d", w.Code)
	}
	f.respond = func(c *gin.Context) { c.JSON(http.StatusCreated, gin.H{}) }
	if w := f.call("cs.agent", "POST", "k-4xx", `{"x":"fixed"}`); w.Code != http.StatusCreated {
		t.Fatalf("the corrected request after a 4xx: %d %s", w.Code, w.Body)
	}
	var n int
	if err := f.st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM idempotency_keys WHERE state = 'pending'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("pending rows left: %d, %v", n, err)
	}
}

// TestIdempotentConcurrent: a duplicate arriving while the first call
// runs waits for its answer and replays it; one that waits longer than
// idempotencyWait is 409 idempotency.pending with Retry-After; a pending
// row abandoned by a stopped server is taken over.
func TestIdempotentConcurrent(t *testing.T) {
	f := newIdemFixture(t)
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	f.respond = func(c *gin.Context) {
		started <- struct{}{}
		<-release
		c.JSON(http.StatusOK, gin.H{"n": f.calls.Load()})
	}
	var wg sync.WaitGroup
	var first *httptest.ResponseRecorder
	wg.Go(func() { first = f.call("cs.agent", "POST", "k-c", `{}`) })
	<-started
	go func() { time.Sleep(300 * time.Millisecond); close(release) }()
	second := f.call("cs.agent", "POST", "k-c", `{}`)
	wg.Wait()
	if f.calls.Load() != 1 || second.Code != http.StatusOK || second.Body.String() != first.Body.String() ||
		second.Header().Get(ReplayedHeader) != "true" {
		t.Fatalf("calls %d; first %d %s; second %d %s", f.calls.Load(), first.Code, first.Body, second.Code, second.Body)
	}

	if testing.Short() {
		return
	}
	release2 := make(chan struct{})
	f.respond = func(c *gin.Context) {
		started <- struct{}{}
		<-release2
		c.JSON(http.StatusOK, gin.H{})
	}
	wg.Go(func() { f.call("cs.agent", "POST", "k-slow", `{}`) })
	<-started
	w := f.call("cs.agent", "POST", "k-slow", `{}`)
	close(release2)
	wg.Wait()
	if w.Code != http.StatusConflict || messageCode(t, w).Code != "idempotency.pending" || w.Header().Get("Retry-After") == "" {
		t.Errorf("a duplicate of a slow call: %d %s %v", w.Code, w.Body, w.Header())
	}

	// A server stopped in the middle of a call left its key pending.
	call := idempotentCall("cs.agent", "k-stale", "POST", "/thing", []byte(`{}`))
	if _, err := f.st.Pool.Exec(context.Background(), `INSERT INTO idempotency_keys (username, key_hash, method, path, request_hash, claim, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, now() - interval '1 hour')`, call.Username, call.KeyHash, call.Method, call.Path, call.RequestHash, call.Claim); err != nil {
		t.Fatal(err)
	}
	f.respond = func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{}) }
	if w := f.call("cs.agent", "POST", "k-stale", `{}`); w.Code != http.StatusOK || w.Header().Get(ReplayedHeader) != "" {
		t.Errorf("an abandoned key: %d %s", w.Code, w.Body)
	}
}

func TestCanonicalJSON(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{`{"a":1,"b":2}`, ` { "b" : 2 , "a" : 1 } `},
		{`{"n":1.50}`, `{"n":1.50}`},
		{`not json`, `not json`},
	} {
		if !bytes.Equal(canonicalJSON([]byte(tc.a)), canonicalJSON([]byte(tc.b))) {
			t.Errorf("%s and %s differ", tc.a, tc.b)
		}
	}
	for _, tc := range []struct{ a, b string }{
		{`{"n":1.5}`, `{"n":1.50}`}, // numbers as written: the handler may tell them apart
		{`{"a":1}`, `{"a":1}{}`},
		{`{"a":"x"}`, `{"a":"y"}`},
	} {
		if bytes.Equal(canonicalJSON([]byte(tc.a)), canonicalJSON([]byte(tc.b))) {
			t.Errorf("%s and %s are the same", tc.a, tc.b)
		}
	}
}
