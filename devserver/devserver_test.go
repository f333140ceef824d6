package devserver

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", already used by the server
)

const testTaskQueue = "devserver-test"

func timerWorkflow(ctx workflow.Context) (string, error) {
	if err := workflow.Sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	return "timer fired", nil
}

// testLogger sends server logs at Warn and above to the test log, until the
// test ends (t.Log after that panics, and goroutines the server leaks keep
// logging).
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.done.Store(true) })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	t    *testing.T
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func startServer(t *testing.T, opt Options) *Server {
	t.Helper()
	start := time.Now()
	s, err := Start(opt)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("server started on %s in %v (UI %q)", s.Address(), time.Since(start).Round(time.Millisecond), s.UIAddress())
	t.Cleanup(s.Stop)
	return s
}

func dial(t *testing.T, s *Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.Address(),
		Namespace: "default",
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	return c
}

func startWorker(t *testing.T, c client.Client) worker.Worker {
	t.Helper()
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflow(timerWorkflow)
	if err := w.Start(); err != nil {
		t.Fatalf("worker start: %v", err)
	}
	return w
}

func hasEvent(ctx context.Context, t *testing.T, c client.Client, id string, typ enumspb.EventType) bool {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history: %v", err)
		}
		if ev.GetEventType() == typ {
			return true
		}
	}
	return false
}

// TestRestartKeepsState starts a workflow with a 2 s timer, stops the whole
// server before the timer fires, restarts on the same data dir and checks the
// workflow completes. It also checks the SQLite file is in WAL mode and that
// the UI answers.
func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	uiPort, err := freePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Dir: dir, Port: 0, UIPort: uiPort, Logger: testLogger(t)}

	s1 := startServer(t, opt)
	_, portStr, _ := net.SplitHostPort(s1.Address())
	port, _ := strconv.Atoi(portStr)
	if port < minFreePort || port > maxFreePort {
		t.Errorf("frontend port %d outside %d-%d", port, minFreePort, maxFreePort)
	}
	if want := net.JoinHostPort("127.0.0.1", strconv.Itoa(uiPort)); s1.UIAddress() != want {
		t.Errorf("UIAddress = %q, want %q", s1.UIAddress(), want)
	}

	t.Run("WAL", func(t *testing.T) {
		dbFile := filepath.Join(dir, DBFileName)
		if _, err := os.Stat(dbFile + "-wal"); err != nil {
			t.Errorf("no WAL file while running: %v", err)
		}
		db, err := sql.Open("sqlite", "file:"+dbFile+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var mode string
		if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
	})

	t.Run("UI", func(t *testing.T) {
		checkUI(t, s1)
	})

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	c1 := dial(t, s1)
	w1 := startWorker(t, c1)
	run, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "restart-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		TaskQueue: testTaskQueue,
	}, timerWorkflow)
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	// Wait until the worker has run the first workflow task (timer started).
	for !hasEvent(ctx, t, c1, run.GetID(), enumspb.EVENT_TYPE_TIMER_STARTED) {
		if ctx.Err() != nil {
			t.Fatal("timer never started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	timerStarted := time.Now()

	w1.Stop()
	c1.Close()
	s1.Stop()
	s1.Stop() // idempotent
	stopped := time.Since(timerStarted)
	t.Logf("worker, client and server stopped %v after the timer started", stopped.Round(time.Millisecond))
	if stopped >= 2*time.Second {
		t.Logf("warning: shutdown took longer than the timer; the timer may have fired before the stop")
	}

	// A fresh frontend port: the server leaks the pollers of its system
	// workers on Stop, and they would reconnect to a new server on the old
	// address. (A real `zhidu dev` restart is a new process.) The UI port is
	// reused, which checks that Stop released it.
	opt.Port = 0
	s2 := startServer(t, opt)
	c2 := dial(t, s2)
	defer c2.Close()
	w2 := startWorker(t, c2)
	defer w2.Stop()

	var result string
	if err := c2.GetWorkflow(ctx, run.GetID(), run.GetRunID()).Get(ctx, &result); err != nil {
		t.Fatalf("workflow after restart: %v", err)
	}
	if result != "timer fired" {
		t.Errorf("result = %q", result)
	}
	if !hasEvent(ctx, t, c2, run.GetID(), enumspb.EVENT_TYPE_TIMER_FIRED) {
		t.Error("no TimerFired event after restart")
	}
	t.Logf("workflow completed %v after the timer started", time.Since(timerStarted).Round(time.Millisecond))

	t.Run("UIAfterRestart", func(t *testing.T) {
		checkUI(t, s2)
	})
}

func checkUI(t *testing.T, s *Server) {
	t.Helper()
	if s.UIAddress() == "" {
		t.Fatal("no UI address")
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) (int, string) {
		resp, err := hc.Get("http://" + s.UIAddress() + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/"); code != http.StatusOK || !strings.Contains(strings.ToLower(body), "<html") {
		t.Errorf("GET / = %d, body %.200q", code, body)
	}
	// Proxied to the frontend over gRPC: checks the UI is wired to our server.
	if code, body := get("/api/v1/namespaces/default"); code != http.StatusOK || !strings.Contains(body, `"default"`) {
		t.Errorf("GET /api/v1/namespaces/default = %d, body %.300q", code, body)
	}
}

// TestInMemory checks the Dir == "" mode and the defaults (no UI, namespace
// "default" registered, task queues with one partition).
func TestInMemory(t *testing.T) {
	s := startServer(t, Options{Logger: testLogger(t)})
	if s.UIAddress() != "" {
		t.Errorf("UIAddress = %q, want empty", s.UIAddress())
	}
	c := dial(t, s)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"}); err != nil {
		t.Fatalf("DescribeNamespace: %v", err)
	}
	w := startWorker(t, c)
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: testTaskQueue}, timerWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// 2 s timer; with 4 task queue partitions this often takes several
	// seconds more.
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("2 s workflow took %v", d)
	}
}

func TestFreePort(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		p, err := freePort("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if p < minFreePort || p > maxFreePort || p >= 32768 {
			t.Fatalf("port %d out of range", p)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
}

func TestDynamicConfig(t *testing.T) {
	dc, err := dynamicConfig(map[string]any{
		"matching.numTaskqueueReadPartitions": float64(2),
		"some.float":                          0.5,
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(k string) any {
		for key, v := range dc {
			if strings.EqualFold(key.String(), k) {
				return v
			}
		}
		return nil
	}
	if v := get("matching.numTaskqueueReadPartitions"); v != 2 {
		t.Errorf("read partitions = %#v, want int 2", v)
	}
	if v := get("matching.numTaskqueueWritePartitions"); v != 1 {
		t.Errorf("write partitions = %#v, want 1", v)
	}
	if v := get("some.float"); v != 0.5 {
		t.Errorf("some.float = %#v", v)
	}
}

// TestPortInUse checks busy ports are reported as errors (the UI server
// would otherwise call os.Exit).
func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port
	if _, err := Start(Options{Port: busy}); err == nil || !strings.Contains(err.Error(), "frontend port") {
		t.Errorf("busy frontend port: err = %v", err)
	}
	if _, err := Start(Options{UIPort: busy}); err == nil || !strings.Contains(err.Error(), "UI port") {
		t.Errorf("busy UI port: err = %v", err)
	}
}
