package e2e

import (
	"bytes"
	"context"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/web"
)

// lockedBuffer collects log output from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSecretsNeverLogged: a run that uses tokens, rotates one and
// revokes it at once (the cached user too), sets a password, signs in with
// a wrong one, and works with web sessions — besides failures the API
// logs — writes none of the tokens, passwords or session IDs to the logs.
func TestSecretsNeverLogged(t *testing.T) {
	var logs lockedBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	prevLog := log.Writer()
	log.SetOutput(&logs)
	t.Cleanup(func() { slog.SetDefault(prev); log.SetOutput(prevLog) })

	s, proxy := newFaultyStack(t)
	secrets := []string{demo.Password}
	for _, c := range s.creds {
		secrets = append(secrets, c.Token)
	}
	pid := s.startApproval("cs.agent", "日志", "internal")
	s.work("cs.head", s.waitTask(pid, "dept_head_approval"), "approve", nil)
	s.wantError(s.call("cs.agent", "GET", "/api/v1/processes/none", nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("", "GET", "/api/v1/tasks", nil, "Authorization", "Bearer zd_not-a-token"), http.StatusUnauthorized, "unauthenticated")

	// A rotated token works at once and the old one stops at once, cached
	// or not.
	s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/me", nil)) // cached now
	rot := s.must(http.StatusOK, s.call("sysadmin", "POST", "/api/v1/admin/users/sales.rep/token", nil))
	fresh := rot["token"].(string)
	secrets = append(secrets, fresh)
	if r := s.call("", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+s.creds["sales.rep"].Token); r.Status != http.StatusUnauthorized {
		t.Errorf("the rotated-away token still works: %d", r.Status)
	}
	if r := s.call("", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+fresh); r.Status != http.StatusOK {
		t.Errorf("the new token does not work: %d %s", r.Status, r.Body)
	}

	const password = "Lx9!correct-horse-battery"
	secrets = append(secrets, password)
	s.must(http.StatusOK, s.call("sysadmin", "POST", "/api/v1/admin/users/cs.agent/password", map[string]any{"password": password}))
	if _, err := s.store.CheckPassword(context.Background(), "cs.agent", "wrong-"+password); err == nil {
		t.Error("a wrong password signed in")
	}
	secrets = append(secrets, "wrong-"+password)

	inbox := httptest.NewServer(web.New(web.Config{}, s.server.Router(), s.store))
	t.Cleanup(inbox.Close)
	se, err := s.store.CreateSession(context.Background(), "cs.head", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, se.ID)
	for _, path := range []string{"/inbox", "/processes/" + pid, "/processes/none", "/api/v1/tasks"} {
		req, _ := http.NewRequest("GET", inbox.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "zhidu_session", Value: se.ID})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	s.waitProcess(pid, "running")
	// A failure the API logs: the database gone for a moment.
	proxy.setDown(true)
	s.call("cs.head", "GET", "/api/v1/tasks", nil)
	req, _ := http.NewRequest("GET", inbox.URL+"/inbox", nil)
	req.AddCookie(&http.Cookie{Name: "zhidu_session", Value: se.ID})
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}
	proxy.setDown(false)

	out := logs.String()
	if !strings.Contains(out, "request failed") {
		t.Fatalf("the API's failure is not in the logs the test reads: %q", out)
	}
	t.Logf("%d bytes of logs checked for %d secrets", len(out), len(secrets))
	for _, secret := range secrets {
		if secret != "" && strings.Contains(out, secret) {
			t.Errorf("the logs hold a secret (%d characters, starting %q)", len(secret), secret[:4])
		}
	}
}
