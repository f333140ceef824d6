package e2e

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/devserver"
	"github.com/zhidu/zhidu/payload"
	"github.com/zhidu/zhidu/workflows"
)

// TestTemporalRestartMidRun: zhidu on the embedded Temporal of `zhidu dev`
// (SQLite in a data directory). With approvals running — one waiting on a
// human step with a 3-second escalation timer, one whose completion is
// sent while Temporal is down — Temporal stops and starts again on the same
// directory: the timer fires late but fires (the escalation is recorded),
// the completion sent while it was down was refused cleanly (503, nothing
// recorded) and succeeds when retried, and every process completes with
// each step recorded once.
func TestTemporalRestartMidRun(t *testing.T) {
	dir := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	opt := devserver.Options{Dir: dir, Logger: quiet}
	srv, err := devserver.Start(opt)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			srv.Stop()
		}
	})
	s := newStackWith(t, func(c *api.Config) {
		sla := c.Processes[workflows.KindApproval].(*workflows.SLA)
		sla.Escalate = []time.Duration{3 * time.Second, time.Hour}
	})
	s.stopWorker()
	dial := func(addr string) client.Client {
		dc := payload.DataConverter(e2eKeys.ring)
		c, err := client.Dial(client.Options{HostPort: addr, Namespace: "default", DataConverter: dc,
			FailureConverter: payload.FailureConverter(dc), Interceptors: []interceptor.ClientInterceptor{e2eKeys.signer.ClientInterceptor()},
			Logger: sdklog.NewStructuredLogger(quiet)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	connect := func(addr string) {
		s.client = dial(addr)
		w := s.newWorker(s.store)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		s.worker = w
		t.Cleanup(w.Stop)
		s.server = api.New(s.store, s.az, api.TemporalEngine{Client: s.client, TaskQueue: s.queue}, s.cfg)
		s.server.Payloads = e2eKeys.ring
		s.http.Close()
		s.http = httptest.NewServer(s.server.Router())
		t.Cleanup(s.http.Close)
	}
	connect(srv.Address())

	waiting := s.startApproval("cs.agent", "等待升级", "internal")
	working := s.startApproval("cs.agent", "停机时办理", "internal")
	headTask := s.waitTask(waiting, "dept_head_approval")
	done := s.waitTask(working, "dept_head_approval")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+done+"/claim", nil))

	// Temporal goes down before the escalation is due.
	s.worker.Stop()
	srv.Stop()
	stopped = true
	r := s.call("cs.head", "POST", "/api/v1/tasks/"+done+"/complete", map[string]any{"outcome": "approve", "comment": "ok"})
	if r.Status != http.StatusServiceUnavailable {
		t.Errorf("a completion while Temporal is down: %d %s", r.Status, r.Body)
	}
	if n := s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND state = 'completed'`, done); n != 0 {
		t.Fatal("a refused completion was recorded")
	}
	time.Sleep(4 * time.Second) // past the escalation's due time

	opt.Port = 0
	srv, err = devserver.Start(opt)
	if err != nil {
		t.Fatal(err)
	}
	stopped = false
	connect(srv.Address())
	s.waitFor("the escalation that came due while Temporal was down", func() bool {
		return s.count(`SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_escalated'`, headTask) == 1
	})
	s.must(http.StatusOK, s.retry("cs.head", "POST", "/api/v1/tasks/"+done+"/complete", map[string]any{"outcome": "approve", "comment": "ok"}))
	s.workThrough("cs.head", headTask, "approve")
	for _, id := range []string{waiting, working} {
		s.workThrough("vp.ops", s.waitTask(id, "vp_approval"), "approve")
		s.waitProcess(id, "completed")
	}
	if n := s.count(`SELECT count(*) FROM (SELECT task_id FROM timeline WHERE process_id = ANY($1) AND action = 'task_completed'
        GROUP BY task_id HAVING count(*) <> 1) d`, []string{waiting, working}); n != 0 {
		t.Errorf("%d tasks completed other than once", n)
	}
}
