package e2e

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/internal/testdb"
	"github.com/zhidu/zhidu/store"
)

// faultProxy stands between zhidu and PostgreSQL and breaks connections
// on purpose, after Temporal's own persistence fault injector: with
// probability rate it lets a request (a simple query, or an extended
// query's Sync) reach the server — which executes it, a COMMIT commits —
// and then cuts the connection before the answer comes back, so that the
// client sees an error for a write that happened: "committed, but the
// answer was lost". Everything else passes through untouched.
type faultProxy struct {
	ln     net.Listener
	dial   func() (net.Conn, error)
	rate   atomic.Uint64 // the probability, in billionths
	cuts   atomic.Int64
	mu     sync.Mutex
	random *rand.Rand
	// down refuses every connection (PostgreSQL is not there); open are
	// the connections relayed now, closed when it goes down.
	down bool
	open map[net.Conn]bool
}

// setDown takes PostgreSQL away — every connection is closed and new ones
// are refused, as a restart does — or brings it back.
func (p *faultProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.open {
			c.Close()
		}
	}
}

// track registers a relayed connection; false when PostgreSQL is down.
func (p *faultProxy) track(c net.Conn, on bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open == nil {
		p.open = map[net.Conn]bool{}
	}
	if !on {
		delete(p.open, c)
		return true
	}
	if p.down {
		return false
	}
	p.open[c] = true
	return true
}

func newFaultProxy(t *testing.T, pool *pgxpool.Pool) (*faultProxy, *pgxpool.Config) {
	t.Helper()
	cfg := pool.Config().Copy()
	host, port := cfg.ConnConfig.Host, cfg.ConnConfig.Port
	dial := func() (net.Conn, error) {
		if strings.HasPrefix(host, "/") {
			return net.Dial("unix", filepath.Join(host, ".s.PGSQL."+strconv.Itoa(int(port))))
		}
		return net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(int(port))))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, dial: dial, random: rand.New(rand.NewPCG(1, 2))}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	cfg.ConnConfig.Host = "127.0.0.1"
	cfg.ConnConfig.Port = uint16(ln.Addr().(*net.TCPAddr).Port)
	cfg.ConnConfig.Fallbacks = nil
	cfg.ConnConfig.TLSConfig = nil
	return p, cfg
}

func (p *faultProxy) setRate(r float64) { p.rate.Store(uint64(r * 1e9)) }

func (p *faultProxy) cut() bool {
	r := float64(p.rate.Load()) / 1e9
	if r == 0 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.random.Float64() < r
}

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

// handle relays one connection: the startup as it is, then message by
// message from the client, each answer back unless the exchange is cut.
func (p *faultProxy) handle(client net.Conn) {
	if !p.track(client, true) {
		client.Close()
		return
	}
	defer p.track(client, false)
	server, err := p.dial()
	if err != nil {
		client.Close()
		return
	}
	var cutting atomic.Bool
	closeBoth := func() { client.Close(); server.Close() }
	go func() {
		defer closeBoth()
		buf := make([]byte, 32<<10)
		for {
			n, err := server.Read(buf)
			if cutting.Load() {
				return
			}
			if n > 0 {
				if _, err := client.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	defer closeBoth()
	r := bufio.NewReader(client)
	// Startup: untyped messages (an SSL or GSS request first, perhaps)
	// until the startup message proper.
	for {
		msg, code, err := readUntyped(r)
		if err != nil {
			return
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
		if code != 80877103 && code != 80877104 { // SSLRequest, GSSENCRequest
			break
		}
	}
	for {
		typ, err := r.ReadByte()
		if err != nil {
			return
		}
		var n uint32
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		doomed := (typ == 'S' || typ == 'Q') && p.cut()
		if doomed {
			cutting.Store(true)
		}
		out := append([]byte{typ, 0, 0, 0, 0}, body...)
		binary.BigEndian.PutUint32(out[1:5], n)
		if _, err := server.Write(out); err != nil {
			return
		}
		if doomed {
			p.cuts.Add(1)
			time.Sleep(30 * time.Millisecond) // the server executes it; its answer is dropped
			return
		}
	}
}

func readUntyped(r *bufio.Reader) ([]byte, uint32, error) {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return nil, 0, err
	}
	if n < 8 || n > 1<<16 {
		return nil, 0, fmt.Errorf("startup message of %d bytes", n)
	}
	msg := make([]byte, n)
	binary.BigEndian.PutUint32(msg, n)
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, 0, err
	}
	return msg, binary.BigEndian.Uint32(msg[4:8]), nil
}

// newFaultyStack is newStack with zhidu's own store — the API's and the
// worker's activities' — connected through a fault proxy; the test reads
// PostgreSQL directly.
func newFaultyStack(t *testing.T) (*stack, *faultProxy) {
	t.Helper()
	s := newStack(t)
	s.stopWorker()
	proxy, cfg := newFaultProxy(t, s.pool)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	faulty := store.New(pool)
	w := s.newWorker(faulty)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	s.cfg.RequestTimeout = 3 * time.Second // fail fast: a request never waits long on a database that is gone
	s.server = api.New(faulty, s.az, api.TemporalEngine{Client: s.client, TaskQueue: s.queue}, s.cfg)
	s.server.Payloads = e2eKeys.ring
	s.http.Close()
	s.http = httptest.NewServer(s.server.Router())
	t.Cleanup(s.http.Close)
	return s, proxy
}

// retry sends the call until it is answered below 500, as a client does
// after a lost answer, and returns that answer.
func (s *stack) retry(user, method, path string, body any, headers ...string) response {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := s.call(user, method, path, body, headers...)
		if r.Status < 500 || time.Now().After(deadline) {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// workThrough claims and completes a task as user however the answers are
// lost: each retry finds what the lost one did (a claim already held, a
// completion already recorded) and goes on from there.
func (s *stack) workThrough(user, task, outcome string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := s.retry(user, "GET", "/api/v1/tasks/"+task, nil)
		if r.Status != http.StatusOK {
			s.t.Fatalf("read task %s: %d %s", task, r.Status, r.Body)
		}
		t := r.JSON(s.t)
		switch {
		case t["state"] == "completed":
			return
		case t["state"] == "open":
			s.retry(user, "POST", "/api/v1/tasks/"+task+"/claim", nil)
		case t["assignee"] == user:
			s.retry(user, "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"outcome": outcome, "comment": "ok"})
		default:
			s.t.Fatalf("task %s is %v's", task, t["assignee"])
		}
	}
	s.t.Fatalf("task %s not completed in time", task)
}

// TestNothingLostNothingDoubledUnderFaults drives approvals through the
// API while one database request in five has its answer lost after the
// server executed it — the API's reads and writes and every projection
// activity's. Clients retry; the activities retry. In the end every
// process is completed, each with exactly its two tasks, each task
// completed once (one completion in the timeline and the audit trail), the
// inbox as its source says, and the audit chain whole.
func TestNothingLostNothingDoubledUnderFaults(t *testing.T) {
	s, proxy := newFaultyStack(t)
	proxy.setRate(0.2)
	const n = 12
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.retry("cs.agent", "POST", "/api/v1/processes/approval",
				map[string]any{"title": fmt.Sprintf("耳机 %d", i), "details": "under faults", "level": "internal"},
				"Idempotency-Key", s.key(fmt.Sprintf("faults-%d", i)))
			if r.Status != http.StatusCreated && r.Status != http.StatusOK {
				t.Errorf("start %d: %d %s", i, r.Status, r.Body)
				return
			}
			ids[i] = r.JSON(t)["id"].(string)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.workThrough("cs.head", s.waitTask(id, "dept_head_approval"), "approve")
			s.workThrough("vp.ops", s.waitTask(id, "vp_approval"), "approve")
		}()
	}
	wg.Wait()
	proxy.setRate(0)
	for _, id := range ids {
		s.waitProcess(id, "completed")
	}
	t.Logf("%d database answers lost on purpose", proxy.cuts.Load())
	if proxy.cuts.Load() < n/2 {
		t.Fatalf("only %d faults injected", proxy.cuts.Load())
	}

	if got := s.count(`SELECT count(*) FROM processes WHERE id = ANY($1) AND state = 'completed'`, ids); got != n {
		t.Errorf("%d of %d processes completed", got, n)
	}
	if got := s.count(`SELECT count(*) FROM tasks WHERE process_id = ANY($1)`, ids); got != 2*n {
		t.Errorf("%d tasks, want %d", got, 2*n)
	}
	testdb.CheckInvariants(t, s.pool, ids)
	v := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/audit/verify", nil))
	if v["ok"] != true {
		t.Errorf("audit chain: %v", v)
	}
}

// TestPostgreSQLRestartMidRun: PostgreSQL goes away while approvals are
// being started and worked. Requests meanwhile fail fast — 503 within the
// request timeout, never a hang —; when it is back they succeed again
// (starts retried with their Idempotency-Key find their process), every
// start that was acknowledged is there, and the workflows that waited on
// their projection writes resume and complete.
func TestPostgreSQLRestartMidRun(t *testing.T) {
	s, proxy := newFaultyStack(t)
	start := func(i int) response {
		return s.call("cs.agent", "POST", "/api/v1/processes/approval",
			map[string]any{"title": fmt.Sprintf("重启 %d", i), "details": "restart", "level": "internal"},
			"Idempotency-Key", s.key(fmt.Sprintf("restart-%d", i)))
	}
	var acknowledged []string
	for i := range 3 {
		acknowledged = append(acknowledged, s.must(http.StatusCreated, start(i))["id"].(string))
	}
	proxy.setDown(true)
	var refused []int
	for i := 3; i < 6; i++ {
		began := time.Now()
		r := start(i)
		if took := time.Since(began); took > s.cfg.RequestTimeout+2*time.Second {
			t.Errorf("a request while PostgreSQL was down took %v (timeout %v)", took, s.cfg.RequestTimeout)
		}
		if r.Status != http.StatusServiceUnavailable {
			t.Errorf("start %d while PostgreSQL was down: %d %s", i, r.Status, r.Body)
		}
		refused = append(refused, i)
	}
	r := s.call("cs.head", "GET", "/api/v1/tasks", nil)
	if r.Status != http.StatusServiceUnavailable {
		t.Errorf("the inbox while PostgreSQL was down: %d", r.Status)
	}
	time.Sleep(2 * time.Second) // the workflows' projection writes retry meanwhile
	proxy.setDown(false)
	for _, i := range refused {
		r := s.retry("cs.agent", "POST", "/api/v1/processes/approval",
			map[string]any{"title": fmt.Sprintf("重启 %d", i), "details": "restart", "level": "internal"},
			"Idempotency-Key", s.key(fmt.Sprintf("restart-%d", i)))
		if r.Status != http.StatusCreated && r.Status != http.StatusOK {
			t.Fatalf("start %d after the restart: %d %s", i, r.Status, r.Body)
		}
		acknowledged = append(acknowledged, r.JSON(t)["id"].(string))
	}
	for _, id := range acknowledged {
		s.workThrough("cs.head", s.waitTask(id, "dept_head_approval"), "approve")
		s.workThrough("vp.ops", s.waitTask(id, "vp_approval"), "approve")
		s.waitProcess(id, "completed")
	}
	if got := s.count(`SELECT count(*) FROM processes WHERE kind = 'approval' AND state = 'completed'`); got != len(acknowledged) {
		t.Errorf("%d approvals completed, want %d", got, len(acknowledged))
	}
	if got := s.count(`SELECT count(*) FROM tasks t JOIN processes p ON p.id = t.process_id WHERE p.kind = 'approval'`); got != 2*len(acknowledged) {
		t.Errorf("%d tasks, want %d", got, 2*len(acknowledged))
	}
}
