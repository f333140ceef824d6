package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu/bench"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/internal/testdb"
	"github.com/zhidu/zhidu/payload"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// TestCluster runs zhidu the way production does, as separate OS
// processes: one Temporal server process of its own (zhidu
// temporal-server, on PostgreSQL, from a configuration file in the
// cluster's shape, its schema made by zhidu temporal-sql-tool), two
// `zhidu worker` and two `zhidu serve`. Processes of every kind go through
// both API replicas in turn; mid-run one worker and one API replica are
// killed with SIGKILL and started again. Then: every process completed,
// nothing is doubled in the projection or the audit trail, the audit chain
// verifies, a start retried on the other replica with its Idempotency-Key
// answers the first start's process, a policy change made through one
// replica holds on the other within a second, and serve refuses a
// database whose schema it does not know. Last, a worker that kills itself
// right after writing a task (--fault-kill-after) loses and doubles
// nothing: the next worker finishes the process.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("the cluster test starts five processes; -short skips it")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()

	// PostgreSQL: zhidu's database, and Temporal's two.
	zhiduURL, temporalURL, visibilityURL := pgtest.URL(t), pgtest.URL(t), pgtest.URL(t)
	temporalSchema(t, temporalURL, "postgresql/v12/temporal")
	temporalSchema(t, visibilityURL, "postgresql/v12/visibility")

	// Temporal: one server process running all four services.
	ports := freePorts(t, 8)
	confFile := writeTemporalConfig(t, dir, temporalURL, visibilityURL, ports)
	const namespace = "zhidu-cluster"
	temporalSrv := startProcess(t, dir, "temporal", nil, "temporal-server", "--config-file", confFile, "--namespace", namespace)
	temporalSrv.waitLine(t, "temporal-server: ready", 2*time.Minute)
	frontend := "127.0.0.1:" + strconv.Itoa(ports[0])

	// zhidu's database: migrated by zhidu migrate, the demo organisation.
	env := []string{"ZHIDU_DATABASE_URL=" + zhiduURL, "ZHIDU_TEMPORAL_ADDRESS=" + frontend, "ZHIDU_TEMPORAL_NAMESPACE=" + namespace,
		"ZHIDU_KEYS_FILE=" + filepath.Join(dir, "keys.json"), "ZHIDU_API_RATE_PER_ADDRESS=off", "ZHIDU_API_RATE_PER_USER=off",
		// What each kind's bench scenario asks of a deployment (no waits
		// between people).
		"ZHIDU_COMPLAINT_FOLLOW_UP_AFTER=0", "ZHIDU_COMPLAINT_SPOT_CHECK_PERCENT=0", "ZHIDU_PROBATION_DAY_LENGTH=1ms",
		"ZHIDU_PROBATION_MONTH_LENGTH=1h"}
	if _, _, err := payload.LoadOrCreateFile(filepath.Join(dir, "keys.json"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if out, err := zhiduRun(t, env, "migrate"); err != nil {
		t.Fatalf("zhidu migrate: %v\n%s", err, out)
	}
	pool, err := pgxpool.New(ctx, zhiduURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	creds, err := demo.Seed(ctx, store.New(pool))
	if err != nil {
		t.Fatal(err)
	}

	// serve refuses a database its migrations have not reached.
	if out, err := zhiduRun(t, append(slices.Clone(env), "ZHIDU_DATABASE_URL="+pgtest.URL(t)), "serve"); err == nil ||
		!strings.Contains(string(out), `run "zhidu migrate" first`) {
		t.Fatalf("serve on an empty database: %v\n%s", err, out)
	}

	// Two workers, two API replicas.
	httpPorts := freePorts(t, 6)
	replicaEnv := func(i int) []string {
		return append(slices.Clone(env), "ZHIDU_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(httpPorts[i]),
			"ZHIDU_METRICS_ADDR=127.0.0.1:"+strconv.Itoa(httpPorts[i+2]))
	}
	workerEnv := func(i int) []string {
		return append(slices.Clone(env), "ZHIDU_METRICS_ADDR=127.0.0.1:"+strconv.Itoa(httpPorts[i+4]))
	}
	workers := []*process{startProcess(t, dir, "worker-0", workerEnv(0), "worker"), startProcess(t, dir, "worker-1", workerEnv(1), "worker")}
	apis := []*process{startProcess(t, dir, "serve-0", replicaEnv(0), "serve"), startProcess(t, dir, "serve-1", replicaEnv(1), "serve")}
	replicas := []string{"http://127.0.0.1:" + strconv.Itoa(httpPorts[0]), "http://127.0.0.1:" + strconv.Itoa(httpPorts[1])}
	for i, u := range replicas {
		waitReady(t, u+"/readyz", apis[i])
	}
	for i := range workers {
		waitReady(t, "http://127.0.0.1:"+strconv.Itoa(httpPorts[i+4])+"/readyz", workers[i])
	}

	tokens := map[string]string{}
	for u, c := range creds {
		tokens[u] = c.Token
	}
	rr := &roundRobin{replicas: replicas, base: http.DefaultTransport.(*http.Transport).Clone()}
	cl := &bench.Client{URL: "http://zhidu", Tokens: tokens, HTTP: &http.Client{Transport: rr}}

	// A few hundred processes of every kind, through both replicas.
	perKind := 30
	if v, err := strconv.Atoi(os.Getenv("ZHIDU_CLUSTER_PER_KIND")); err == nil && v > 0 {
		perKind = v
	}
	nonce := randomHex(4)
	var flows []*bench.Flow
	var sources []string // processes the flows read, left running
	for _, kind := range bench.Kinds() {
		sc, err := bench.ScenarioFor(kind)
		if err != nil {
			t.Fatal(err)
		}
		f := &bench.Flow{Client: cl, Scenario: sc, Nonce: nonce, Timeout: 2 * time.Minute}
		if err := f.Check(); err != nil {
			t.Fatal(err)
		}
		if err := f.Prepare(ctx, 0, perKind); err != nil {
			t.Fatalf("prepare %s: %v", kind, err)
		}
		flows = append(flows, f)
		if id := f.SourceID(); id != "" {
			sources = append(sources, id)
		}
	}
	total := perKind * len(flows)
	rec := bench.NewRecorder()
	var done atomic.Int64
	var failures sync.Map
	jobs := make(chan [2]int)
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			for j := range jobs {
				f := flows[j[0]]
				if err := f.One(ctx, j[1], rec); err != nil {
					failures.Store(fmt.Sprintf("%s #%d", f.Scenario.Kind, j[1]), err)
				}
				done.Add(1)
			}
		})
	}
	go func() {
		defer close(jobs)
		for i := range perKind {
			for k := range flows {
				select {
				case jobs <- [2]int{k, i}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	// Mid-run: SIGKILL a worker and an API replica, then start them again.
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for done.Load() < int64(total/3) {
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("%d of %d processes done: SIGKILL worker-0 and serve-0", done.Load(), total)
		workers[0].kill(t)
		apis[0].kill(t)
		time.Sleep(2 * time.Second)
		workers[0] = workers[0].restart(t)
		apis[0] = apis[0].restart(t)
	}()
	progress := time.NewTicker(15 * time.Second)
	defer progress.Stop()
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
wait:
	for {
		select {
		case <-finished:
			break wait
		case <-progress.C:
			t.Logf("%d of %d processes done, %d requests retried on the other replica", done.Load(), total, rr.retried.Load())
		}
	}
	<-killed
	failures.Range(func(k, v any) bool {
		t.Errorf("%s: %v", k, v)
		return true
	})
	t.Logf("%d processes of %d kinds done; %d requests retried on the other replica after the kill, %d of them after 409 idempotency.pending",
		total, len(flows), rr.retried.Load(), rr.pending.Load())
	waitReady(t, replicas[0]+"/readyz", apis[0])

	// Nothing lost, nothing doubled.
	var ids []string
	if err := pool.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM processes`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	var running int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM processes WHERE state = 'running' AND NOT id = ANY($1)`, sources).Scan(&running); err != nil {
		t.Fatal(err)
	}
	if len(ids) != total+len(sources) || running != 0 {
		t.Errorf("%d processes in the projection, %d still running; want %d and %d sources, all ended but the sources",
			len(ids), running, total, len(sources))
		logRunning(t, pool)
	}
	testdb.CheckInvariants(t, pool, ids)
	direct := func(replica int) *bench.Client {
		return &bench.Client{URL: replicas[replica], Tokens: tokens, HTTP: &http.Client{}}
	}
	var verified struct {
		OK      bool `json:"ok"`
		Entries int  `json:"entries"`
	}
	if err := direct(1).Do(ctx, "bmo.auditor", "GET", "/api/v1/audit/verify", nil, &verified); err != nil || !verified.OK {
		t.Errorf("the audit chain does not verify: %v %+v", err, verified)
	}

	// A start whose answer was lost, retried on the other replica with its
	// Idempotency-Key, answers the same process.
	var first, again struct {
		ID string `json:"id"`
	}
	start := map[string]any{"title": "retried on the other replica", "level": "internal"}
	key := "cluster-" + nonce
	if err := direct(0).Do(ctx, "cs.agent", "POST", "/api/v1/processes/approval", start, &first, "Idempotency-Key", key); err != nil {
		t.Fatal(err)
	}
	if err := direct(1).Do(ctx, "cs.agent", "POST", "/api/v1/processes/approval", start, &again, "Idempotency-Key", key); err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || first.ID != again.ID {
		t.Errorf("a start retried on the other replica answered %q, the first %q", again.ID, first.ID)
	}

	// A policy change through one replica holds on the other within a
	// second (LISTEN/NOTIFY), both ways.
	line := map[string]any{"role": "compliance", "domain": "*", "object": "audit", "action": "read"}
	policyHolds := func(changeOn, checkOn int, method string, want int) {
		t.Helper()
		if err := direct(changeOn).Do(ctx, "secadmin", method, "/api/v1/admin/policy", line, nil); err != nil {
			t.Fatal(err)
		}
		changed := time.Now()
		for {
			err := direct(checkOn).Do(ctx, "bmo.auditor", "GET", "/api/v1/audit?limit=1", nil, nil)
			var apiErr *bench.APIError
			status := http.StatusOK
			if errors.As(err, &apiErr) {
				status = apiErr.Status
			} else if err != nil {
				t.Fatal(err)
			}
			if status == want {
				t.Logf("%s policy on replica %d: replica %d answers %d after %s", method, changeOn, checkOn, want, time.Since(changed))
				return
			}
			if time.Since(changed) > time.Second {
				t.Fatalf("%s policy on replica %d: replica %d still answers %d after a second", method, changeOn, checkOn, status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	policyHolds(0, 1, "DELETE", http.StatusForbidden)
	policyHolds(1, 0, "POST", http.StatusOK)

	// A worker killed right after a projection write, before it reports:
	// the only worker writes an approval's first task and SIGKILLs itself
	// (--fault-kill-after); the task is in the inbox, claimed, and its
	// completion sent while no worker runs; a worker started then replays
	// the lost workflow task and the process ends with each step once.
	for _, w := range workers {
		w.kill(t)
	}
	faulty := startProcess(t, dir, "worker-faulty", append(workerEnv(0), "ZHIDU_FAULT_KILL_AFTER="+workflows.ActivityCreateTask), "worker")
	var approval *bench.Flow
	for _, f := range flows {
		if f.Scenario.Kind == workflows.KindApproval {
			approval = f
		}
	}
	flowDone := make(chan error, 1)
	go func() { flowDone <- approval.One(ctx, perKind, rec) }()
	select {
	case <-faulty.exited:
	case <-time.After(time.Minute):
		t.Fatal("the faulty worker did not kill itself after writing a task")
	}
	if !strings.Contains(tail(faulty.logPath, 100), "fault injection") {
		t.Fatalf("the faulty worker stopped, but not by its fault:\n%s", tail(faulty.logPath, 20))
	}
	time.Sleep(time.Second) // the flow finds the task and sends its claim and completion meanwhile
	workers[0] = workers[0].restart(t)
	if err := <-flowDone; err != nil {
		t.Fatalf("the approval whose worker was killed after writing its task: %v", err)
	}
	var faultID string
	if err := pool.QueryRow(ctx, `SELECT process_id FROM tasks ORDER BY created_at DESC LIMIT 1`).Scan(&faultID); err != nil {
		t.Fatal(err)
	}
	var state string
	if err := pool.QueryRow(ctx, `SELECT state FROM processes WHERE id = $1`, faultID).Scan(&state); err != nil || state != "completed" {
		t.Fatalf("process %s after the kill: %q, %v", faultID, state, err)
	}
	testdb.CheckInvariants(t, pool, []string{faultID})
	t.Logf("process %s: its worker was killed after writing its first task; completed on the next worker", faultID)
}

// temporalSchema creates Temporal's schema named schema (its newest
// version) in the database at rawURL with zhidu temporal-sql-tool.
func temporalSchema(t *testing.T, rawURL, schema string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn := []string{"temporal-sql-tool", "--plugin", "postgres12", "--ep", u.Hostname(), "-p", u.Port(), "-u", u.User.Username(), "--db", u.Path[1:]}
	if pw, ok := u.User.Password(); ok {
		conn = append(conn, "--pw", pw)
	}
	for _, step := range [][]string{{"setup-schema", "-v", "0.0"}, {"update-schema", "--schema-name", schema}} {
		if out, err := zhiduCommand(t, append(slices.Clone(conn), step...)...).CombinedOutput(); err != nil {
			t.Fatalf("temporal-sql-tool %v: %v\n%s", step, err, out)
		}
	}
}

// temporalConfig is a Temporal server configuration in the shape of the
// server's own config/development-postgres12.yaml (and the Helm chart's):
// PostgreSQL persistence and visibility, four history shards, each
// service on its own ports.
var temporalConfig = template.Must(template.New("temporal").Parse(`log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
      sql:
        pluginName: postgres12
        databaseName: "{{.DB}}"
        connectAddr: "{{.Addr}}"
        connectProtocol: tcp
        user: "{{.User}}"
        password: "{{.Password}}"
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
    postgres-visibility:
      sql:
        pluginName: postgres12
        databaseName: "{{.VisibilityDB}}"
        connectAddr: "{{.Addr}}"
        connectProtocol: tcp
        user: "{{.User}}"
        password: "{{.Password}}"
        maxConns: 4
        maxIdleConns: 4
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: {grpcPort: {{index .Ports 0}}, membershipPort: {{index .Ports 1}}, bindOnLocalHost: true}
  history:
    rpc: {grpcPort: {{index .Ports 2}}, membershipPort: {{index .Ports 3}}, bindOnLocalHost: true}
  matching:
    rpc: {grpcPort: {{index .Ports 4}}, membershipPort: {{index .Ports 5}}, bindOnLocalHost: true}
  worker:
    rpc: {grpcPort: {{index .Ports 6}}, membershipPort: {{index .Ports 7}}, bindOnLocalHost: true}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:{{index .Ports 0}}"
dcRedirectionPolicy:
  policy: noop
publicClient:
  hostPort: "127.0.0.1:{{index .Ports 0}}"
dynamicConfigClient:
  filepath: "{{.DynamicConfig}}"
  pollInterval: 10s
`))

// writeTemporalConfig writes the server's configuration file and its
// dynamic configuration (one task queue partition, as zhidu dev has) into
// dir and returns the configuration file's path.
func writeTemporalConfig(t *testing.T, dir, temporalURL, visibilityURL string, ports []int) string {
	t.Helper()
	u, err := url.Parse(temporalURL)
	if err != nil {
		t.Fatal(err)
	}
	vu, err := url.Parse(visibilityURL)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	dc := filepath.Join(dir, "dynamicconfig.yaml")
	if err := os.WriteFile(dc, []byte("matching.numTaskqueueReadPartitions:\n  - value: 1\nmatching.numTaskqueueWritePartitions:\n  - value: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := temporalConfig.Execute(&b, map[string]any{"DB": u.Path[1:], "VisibilityDB": vu.Path[1:], "Addr": u.Host,
		"User": u.User.Username(), "Password": pw, "Ports": ports, "DynamicConfig": dc}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "temporal.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// freePorts finds n free loopback ports below 32768 (Temporal on
// PostgreSQL keeps membership ports in a SMALLINT).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var out []int
	for port := 20000 + int(time.Now().UnixNano()%8000); len(out) < n && port < 32768; port++ {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		ln.Close()
		out = append(out, port)
	}
	if len(out) < n {
		t.Fatalf("found only %d free ports", len(out))
	}
	return out
}

// process is one zhidu command running as its own OS process, its output
// in a log file.
type process struct {
	name, dir string
	env, args []string
	cmd       *exec.Cmd
	logPath   string
	exited    chan struct{}
}

func startProcess(t *testing.T, dir, name string, env []string, args ...string) *process {
	t.Helper()
	p := &process{name: name, dir: dir, env: env, args: args}
	p.start(t)
	return p
}

func (p *process) start(t *testing.T) {
	t.Helper()
	p.logPath = filepath.Join(p.dir, fmt.Sprintf("%s-%d.log", p.name, time.Now().UnixNano()))
	f, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = zhiduCommand(t, p.args...)
	p.cmd.Env = append(p.cmd.Env, p.env...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.exited = make(chan struct{})
	cmd, exited := p.cmd, p.exited
	go func() { _ = cmd.Wait(); f.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("--- %s's log (%s):\n%s", p.name, p.logPath, tail(p.logPath, 40))
		}
	})
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// restart starts the same command again.
func (p *process) restart(t *testing.T) *process {
	t.Helper()
	q := &process{name: p.name, dir: p.dir, env: p.env, args: p.args}
	q.start(t)
	return q
}

// waitLine waits until the process's log has a line containing want.
func (p *process) waitLine(t *testing.T, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Contains(tail(p.logPath, 1000), want) {
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited before %q:\n%s", p.name, want, tail(p.logPath, 40))
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("%s: no %q within %s:\n%s", p.name, want, within, tail(p.logPath, 40))
}

func tail(path string, lines int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
		if len(out) > lines {
			out = out[1:]
		}
	}
	return strings.Join(out, "\n")
}

// waitReady waits until url answers 200 (a readiness probe).
func waitReady(t *testing.T, url string, p *process) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if res, err := http.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited:\n%s", p.name, tail(p.logPath, 40))
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("%s is not ready at %s within a minute:\n%s", p.name, url, tail(p.logPath, 40))
}

// roundRobin sends each request to the next API replica, as a load
// balancer does. A request that cannot reach its replica, or whose answer
// is lost with it, is sent again to the next one: a POST carries an
// Idempotency-Key (the caller's, or one made for it), so the retry
// answers what the first attempt did, never a second effect.
type roundRobin struct {
	replicas []string
	next     atomic.Uint64
	retried  atomic.Int64
	pending  atomic.Int64 // answers 409 idempotency.pending
	base     http.RoundTripper
}

func (rr *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.Header.Get("Idempotency-Key") == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		req = req.Clone(req.Context())
		req.Header.Set("Idempotency-Key", "cluster-"+hex.EncodeToString(b))
	}
	deadline := time.Now().Add(90 * time.Second)
	for attempt := 0; ; attempt++ {
		target, err := url.Parse(rr.replicas[rr.next.Add(1)%uint64(len(rr.replicas))])
		if err != nil {
			return nil, err
		}
		r := req.Clone(req.Context())
		r.URL.Scheme, r.URL.Host, r.Host = target.Scheme, target.Host, target.Host
		if req.GetBody != nil {
			if r.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		res, err := rr.base.RoundTrip(r)
		if err == nil && res.StatusCode != http.StatusBadGateway && res.StatusCode != http.StatusServiceUnavailable {
			if res.StatusCode != http.StatusConflict {
				return res, nil
			}
			// The first call under the key is still pending — or was, on a
			// replica killed under it: the API takes such a key over once
			// it is older than a request can run (Config.RequestTimeout +
			// 30 s), and the call runs again, safely (its workflow ID and
			// update ID come from the key).
			b, rerr := io.ReadAll(res.Body)
			res.Body.Close()
			if rerr != nil {
				return nil, rerr
			}
			if !strings.Contains(string(b), `"idempotency.pending"`) {
				res.Body = io.NopCloser(bytes.NewReader(b))
				return res, nil
			}
			rr.pending.Add(1)
		}
		if err == nil {
			res.Body.Close()
		}
		if time.Now().After(deadline) || req.Context().Err() != nil {
			if err == nil {
				err = fmt.Errorf("%s %s: %d on every replica", req.Method, req.URL.Path, res.StatusCode)
			}
			return nil, err
		}
		rr.retried.Add(1)
		time.Sleep(time.Duration(min(attempt+1, 25)) * 20 * time.Millisecond)
	}
}

// zhiduRun runs the zhidu command with args and env to its end.
func zhiduRun(t *testing.T, env []string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := zhiduCommand(t, args...)
	cmd.Env = append(cmd.Env, env...)
	return cmd.CombinedOutput()
}

// logRunning logs the tasks and the last timeline entries of each process
// still running, to say where it stopped.
func logRunning(t *testing.T, pool *pgxpool.Pool) {
	rows, err := pool.Query(context.Background(), `SELECT p.id, p.kind,
            coalesce((SELECT string_agg(t.step || ':' || t.state || ':' || coalesce(t.assignee, '-'), ', ' ORDER BY t.created_at)
                FROM tasks t WHERE t.process_id = p.id), ''),
            coalesce((SELECT string_agg(e.action, ', ' ORDER BY e.id) FROM timeline e WHERE e.process_id = p.id), '')
        FROM processes p WHERE p.state = 'running'`)
	if err != nil {
		t.Error(err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, tasks, timeline string
		if err := rows.Scan(&id, &kind, &tasks, &timeline); err != nil {
			t.Error(err)
			return
		}
		t.Logf("still running: %s (%s): tasks %s; timeline %s", id, kind, tasks, timeline)
	}
}
