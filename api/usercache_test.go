package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/internal/testdb"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// countingStore is the real store, counting the statements that resolve a
// caller.
type countingStore struct {
	Store
	byToken, byName atomic.Int64
}

func (s *countingStore) UserByToken(ctx context.Context, token string) (store.User, error) {
	s.byToken.Add(1)
	return s.Store.UserByToken(ctx, token)
}

func (s *countingStore) User(ctx context.Context, username string) (store.User, error) {
	s.byName.Add(1)
	return s.Store.User(ctx, username)
}

// noEngine stands in for Temporal: these tests start no process.
type noEngine struct{}

func (noEngine) Start(context.Context, string, string, any) (string, error) {
	return "", errors.New("no workflow engine in this test")
}
func (noEngine) Update(context.Context, string, string, any, any) error {
	return errors.New("no workflow engine in this test")
}
func (noEngine) Ping(context.Context) error                        { return nil }
func (noEngine) Settle(context.Context, string) error              { return nil }
func (noEngine) Signal(context.Context, string, string, any) error { return nil }

// cacheFixture is one API server over a fresh demo database.
type cacheFixture struct {
	t     *testing.T
	st    *store.Store
	count *countingStore
	az    *authz.Authz
	srv   *Server
	h     http.Handler
	creds demo.Credentials
}

func newCacheFixture(t *testing.T, ttl time.Duration) *cacheFixture {
	t.Helper()
	st, creds := testdb.Demo(t, 5)
	az, err := authz.New(st.Pool)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.UserCacheTTL = ttl
	count := &countingStore{Store: st}
	srv := New(count, az, noEngine{}, cfg)
	return &cacheFixture{t: t, st: st, count: count, az: az, srv: srv, h: srv.Router(), creds: creds}
}

// call sends a request with a bearer token ("" sends none).
func (f *cacheFixture) call(token, method, path string, body any) (int, map[string]any) {
	f.t.Helper()
	return f.send(context.Background(), token, method, path, body)
}

// as sends a request on behalf of a user, as the web inbox does.
func (f *cacheFixture) as(username, method, path string) (int, map[string]any) {
	f.t.Helper()
	return f.send(AsUser(context.Background(), username), "", method, path, nil)
}

func (f *cacheFixture) send(ctx context.Context, token, method, path string, body any) (int, map[string]any) {
	f.t.Helper()
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			f.t.Fatal(err)
		}
	}
	req := httptest.NewRequestWithContext(ctx, method, path, bytes.NewReader(b))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		f.t.Fatalf("%s %s: body is not a JSON object: %s", method, path, w.Body.Bytes())
	}
	return w.Code, out
}

func (f *cacheFixture) token(user string) string { return f.creds[user].Token }

// must checks a demo user's request answers want.
func (f *cacheFixture) must(want int, user, method, path string, body any) map[string]any {
	f.t.Helper()
	got, out := f.call(f.token(user), method, path, body)
	if got != want {
		f.t.Fatalf("%s %s as %s: status %d, want %d: %v", method, path, user, got, want, out)
	}
	return out
}

// putProcess records a running process of cs's head straight in the
// projection.
func (f *cacheFixture) putProcess(id string, level zhidu.Level) {
	f.t.Helper()
	f.exec(`INSERT INTO processes (id, run_id, kind, title, level, department, started_by, started_at, input)
        VALUES ($1, $2, 'approval', $1, $3, 'cs', 'cs.head', now(), '{}')`, id, "run-"+id, level)
}

// lists reports whether user's process list holds the process.
func (f *cacheFixture) lists(user, id string) bool {
	f.t.Helper()
	out := f.must(http.StatusOK, user, "GET", "/api/v1/processes", nil)
	items, _ := out["items"].([]any)
	return slices.ContainsFunc(items, func(it any) bool { return it.(map[string]any)["id"] == id })
}

// exec runs SQL straight in PostgreSQL, as another replica would.
func (f *cacheFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.st.Pool.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatal(err)
	}
}

// eventually polls cond every few milliseconds for at most 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > 10*time.Second {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("%s after %s", what, time.Since(began).Round(time.Millisecond))
}

// TestWarmRequestRunsNoAuthStatement: once a caller is resolved, their next
// requests run no statement to authenticate, by token or in-process; a
// refusal is never remembered.
func TestWarmRequestRunsNoAuthStatement(t *testing.T) {
	f := newCacheFixture(t, time.Hour)
	for i := range 3 {
		if me := f.must(http.StatusOK, "cs.agent", "GET", "/api/v1/me", nil); me["username"] != "cs.agent" {
			t.Fatalf("request %d: /me = %v", i, me)
		}
	}
	if n := f.count.byToken.Load(); n != 1 {
		t.Fatalf("UserByToken ran %d times for 3 requests with one token, want 1", n)
	}
	f.must(http.StatusOK, "cs.head", "GET", "/api/v1/me", nil)
	f.must(http.StatusOK, "cs.head", "GET", "/api/v1/me", nil)
	if n := f.count.byToken.Load(); n != 2 {
		t.Fatalf("UserByToken ran %d times for two tokens, want 2", n)
	}
	for range 2 {
		if st, _ := f.call("zd_unknown", "GET", "/api/v1/me", nil); st != http.StatusUnauthorized {
			t.Fatalf("unknown token: %d, want 401", st)
		}
	}
	if n := f.count.byToken.Load(); n != 4 {
		t.Fatalf("UserByToken ran %d times, want 4: an unknown token must be looked up every time", n)
	}

	for range 3 {
		if st, me := f.as("cs.super", "GET", "/api/v1/me"); st != http.StatusOK || me["username"] != "cs.super" {
			t.Fatalf("as cs.super: %d %v", st, me)
		}
	}
	if n := f.count.byName.Load(); n != 1 {
		t.Fatalf("User ran %d times for 3 in-process requests, want 1", n)
	}
	for range 2 {
		if st, _ := f.as("nobody", "GET", "/api/v1/me"); st != http.StatusUnauthorized {
			t.Fatalf("as an unknown user: %d, want 401", st)
		}
	}
	if n := f.count.byName.Load(); n != 3 {
		t.Fatalf("User ran %d times, want 3: an unknown user must be looked up every time", n)
	}
}

// TestUserCacheTTLZero: a TTL of 0 resolves the caller on every request.
func TestUserCacheTTLZero(t *testing.T) {
	f := newCacheFixture(t, 0)
	for range 3 {
		f.must(http.StatusOK, "cs.agent", "GET", "/api/v1/me", nil)
		if st, _ := f.as("cs.agent", "GET", "/api/v1/me"); st != http.StatusOK {
			t.Fatalf("as cs.agent: %d", st)
		}
	}
	if a, b := f.count.byToken.Load(), f.count.byName.Load(); a != 3 || b != 3 {
		t.Fatalf("UserByToken ran %d and User %d times for 3 requests each, want 3 and 3", a, b)
	}
}

// TestAdminChangesApplyAtOnce: with the cache on, every change through the
// admin and designation API holds from the very next request.
func TestAdminChangesApplyAtOnce(t *testing.T) {
	f := newCacheFixture(t, time.Hour)
	user := "/api/v1/admin/users/cs.agent"
	warm := func() {
		t.Helper()
		f.must(http.StatusOK, "cs.agent", "GET", "/api/v1/me", nil)
		if st, _ := f.as("cs.agent", "GET", "/api/v1/me"); st != http.StatusOK {
			t.Fatalf("as cs.agent: %d, want 200", st)
		}
	}

	t.Run("disable", func(t *testing.T) {
		warm()
		f.must(http.StatusOK, "sysadmin", "PATCH", user, map[string]any{"disabled": true})
		f.must(http.StatusUnauthorized, "cs.agent", "GET", "/api/v1/me", nil)
		if st, _ := f.as("cs.agent", "GET", "/api/v1/me"); st != http.StatusUnauthorized {
			t.Fatalf("disabled, in-process: %d, want 401", st)
		}
		f.must(http.StatusOK, "sysadmin", "PATCH", user, map[string]any{"disabled": false})
		warm()
	})
	t.Run("clearance", func(t *testing.T) {
		warm()
		f.must(http.StatusOK, "secadmin", "PATCH", user, map[string]any{"clearance": "secret"})
		if me := f.must(http.StatusOK, "cs.agent", "GET", "/api/v1/me", nil); me["clearance"] != "secret" {
			t.Fatalf("clearance after the change = %v, want secret", me["clearance"])
		}
		f.must(http.StatusOK, "secadmin", "PATCH", user, map[string]any{"clearance": "internal"})
	})
	t.Run("token", func(t *testing.T) {
		warm()
		old := f.token("cs.agent")
		out := f.must(http.StatusOK, "sysadmin", "POST", user+"/token", nil)
		if st, _ := f.call(old, "GET", "/api/v1/me", nil); st != http.StatusUnauthorized {
			t.Fatalf("the replaced token: %d, want 401", st)
		}
		if st, _ := f.call(out["token"].(string), "GET", "/api/v1/me", nil); st != http.StatusOK {
			t.Fatalf("the new token: %d, want 200", st)
		}
		cr := f.creds["cs.agent"]
		cr.Token = out["token"].(string)
		f.creds["cs.agent"] = cr
	})
	t.Run("roles", func(t *testing.T) {
		pid := "approval-roles"
		f.putProcess(pid, zhidu.Internal)
		warm()
		if f.lists("cs.agent", pid) {
			t.Fatal("staff list a process they take no part in")
		}
		f.must(http.StatusOK, "secadmin", "PUT", user+"/roles", map[string]any{"roles": []map[string]any{{"role": "supervisor", "department": "cs"}}})
		if !f.lists("cs.agent", pid) {
			t.Fatal("a new supervisor must list the department's processes at once")
		}
		f.must(http.StatusOK, "secadmin", "PUT", user+"/roles", map[string]any{"roles": []map[string]any{{"role": "staff", "department": "cs"}}})
		if f.lists("cs.agent", pid) {
			t.Fatal("a former supervisor must stop listing them at once")
		}
	})
	t.Run("designation", func(t *testing.T) {
		pid := "approval-designated"
		f.putProcess(pid, zhidu.TopSecret)
		warm()
		if f.lists("cs.agent", pid) {
			t.Fatal("a top-secret process is listed without a designation")
		}
		f.must(http.StatusCreated, "gm", "POST", "/api/v1/designations", map[string]any{"user": "cs.agent", "object": "process:" + pid, "reason": "witness"})
		if !f.lists("cs.agent", pid) {
			t.Fatal("a designation must count at once")
		}
		f.must(http.StatusOK, "gm", "DELETE", "/api/v1/designations?user=cs.agent&object=process:"+pid, nil)
		if f.lists("cs.agent", pid) {
			t.Fatal("a revoked designation must stop counting at once")
		}
	})
}

// TestChangeInPostgreSQLEmptiesCache: a change made in PostgreSQL by
// someone else (another replica, a worker, an operator) empties the cache
// through the policy channel, long before the TTL.
func TestChangeInPostgreSQLEmptiesCache(t *testing.T) {
	f := newCacheFixture(t, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	listening := make(chan struct{})
	go f.az.Watch(ctx, f.st.Pool, func() { close(listening) }, f.srv.ForgetUsers)
	<-listening

	f.must(http.StatusOK, "cs.agent", "GET", "/api/v1/me", nil)
	f.must(http.StatusOK, "cs.agent", "GET", "/api/v1/me", nil)
	if n := f.count.byToken.Load(); n != 1 {
		t.Fatalf("UserByToken ran %d times, want 1 (the cache is on)", n)
	}

	f.exec(`UPDATE users SET name = '改名' WHERE username = 'cs.agent'`)
	eventually(t, "a new name is seen", func() bool {
		return f.must(http.StatusOK, "cs.agent", "GET", "/api/v1/me", nil)["name"] == "改名"
	})

	f.exec(`UPDATE users SET disabled = true WHERE username = 'cs.agent'`)
	eventually(t, "a disabled user is refused", func() bool {
		st, _ := f.call(f.token("cs.agent"), "GET", "/api/v1/me", nil)
		return st == http.StatusUnauthorized
	})
	f.exec(`UPDATE users SET disabled = false WHERE username = 'cs.agent'`)
	eventually(t, "an enabled user is admitted", func() bool {
		st, _ := f.call(f.token("cs.agent"), "GET", "/api/v1/me", nil)
		return st == http.StatusOK
	})

	pid := "approval-direct"
	f.putProcess(pid, zhidu.TopSecret)
	if f.lists("cs.agent", pid) {
		t.Fatal("a top-secret process is listed without a designation")
	}
	f.exec(`INSERT INTO designations (username, object, granted_by, granted_at, reason)
        VALUES ('cs.agent', $1, 'gm', now(), 'direct')`, "process:"+pid)
	eventually(t, "a designation is seen", func() bool { return f.lists("cs.agent", pid) })

	f.exec(`UPDATE users SET token_hash = $1 WHERE username = 'cs.agent'`, store.HashToken("zd_replaced"))
	eventually(t, "a replaced token is refused", func() bool {
		st, _ := f.call(f.token("cs.agent"), "GET", "/api/v1/me", nil)
		return st == http.StatusUnauthorized
	})
}

// TestUserCacheRules checks the cache itself: expiry, refusals never kept,
// a lookup that raced a flush not kept, the bound.
func TestUserCacheRules(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := newUserCache(10 * time.Second)
	c.now = func() time.Time { return now }
	loads := 0
	active := func() (store.User, error) {
		loads++
		return store.User{Username: "u", Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptCS}}}, nil
	}
	get := func(key userCacheKey, load func() (store.User, error)) store.User {
		t.Helper()
		u, err := c.user(key, load)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	u := get(tokenKey("zd_a"), active)
	u.Roles[0].Role = zhidu.RoleGM // a request changing its copy changes nothing cached
	if u := get(tokenKey("zd_a"), active); loads != 1 || u.Roles[0].Role != zhidu.RoleStaff {
		t.Fatalf("loads = %d, roles %v; want 1 load and the staff role", loads, u.Roles)
	}
	if get(nameKey("u"), active); loads != 2 {
		t.Fatalf("loads = %d: a username and a token are separate keys", loads)
	}
	now = now.Add(10 * time.Second)
	if get(tokenKey("zd_a"), active); loads != 3 {
		t.Fatalf("loads = %d: an entry must expire after the TTL", loads)
	}

	for _, load := range []func() (store.User, error){
		func() (store.User, error) { loads++; return store.User{Username: "d", Disabled: true}, nil },
		func() (store.User, error) { loads++; return store.User{}, zhidu.Errorf(zhidu.CodeNotFound, "no") },
	} {
		loads = 0
		_, _ = c.user(nameKey("d"), load)
		_, _ = c.user(nameKey("d"), load)
		if loads != 2 {
			t.Fatalf("loads = %d: a refusal must not be remembered", loads)
		}
	}

	loads = 0
	racing := func() (store.User, error) {
		c.forget() // a change announced while the row was read
		return active()
	}
	get(nameKey("r"), racing)
	if get(nameKey("r"), active); loads != 2 {
		t.Fatalf("loads = %d: a lookup that raced a flush must not be remembered", loads)
	}

	c.forget()
	for i := range maxCachedUsers {
		get(nameKey(fmt.Sprint("u", i)), active)
	}
	if len(c.entries) != maxCachedUsers {
		t.Fatalf("%d entries, want %d", len(c.entries), maxCachedUsers)
	}
	get(nameKey("one more"), active)
	if len(c.entries) > maxCachedUsers {
		t.Fatalf("%d entries: the cache must stay bounded", len(c.entries))
	}

	if newUserCache(0) != nil {
		t.Fatal("a TTL of 0 must disable the cache")
	}
}
