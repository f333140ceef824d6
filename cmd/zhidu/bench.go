package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/bench"
	"github.com/zhidu/zhidu/benchdata"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/devserver"
	"github.com/zhidu/zhidu/pglocal"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// benchConfig holds the flags of zhidu bench and zhidu bench inbox.
type benchConfig struct {
	Inbox      bool // the inbox subcommand
	URL        string
	UsersFile  string
	N          int
	C          int
	Kind       string
	Rate       float64
	JSON       bool
	Raw        bool
	Warmup     int
	Timeout    time.Duration
	Progress   bool
	CPUProfile string
	MemProfile string
	Sample     time.Duration // a soak's sampling interval
	Watch      string        // a soak against --url: the deployment's /metrics URLs, by commas
	// zhidu bench inbox
	Users       int
	Tasks       int
	Requests    int
	Concurrency string
	DeepPage    int
}

const benchUsage = `zhidu bench [flags]          processes through the HTTP API next to raw Temporal
zhidu bench inbox [flags]    GET /tasks with 10,000 users and 1,000,000 tasks`

// commandFlags binds the flags only some commands have and returns the
// arguments left for the flag set to parse.
func commandFlags(name string, fs *flag.FlagSet, c *config, args []string) []string {
	if name != "bench" {
		return args
	}
	b := &c.Bench
	*b = benchConfig{N: 200, C: 16, Kind: "approval", Raw: true, Warmup: -1, Timeout: 2 * time.Minute, Progress: true,
		Users: 10_000, Tasks: 1_000_000, Requests: 400, Concurrency: "1,4,16", DeepPage: 21}
	if len(args) > 0 && args[0] == "inbox" {
		b.Inbox, args = true, args[1:]
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage:\n  %s\n\nFlags:\n", strings.ReplaceAll(benchUsage, "\n", "\n  "))
		fs.PrintDefaults()
	}
	fs.StringVar(&b.URL, "url", "", "base URL of a running deployment (default: start an embedded stack in a temporary directory)")
	fs.StringVar(&b.UsersFile, "users-file", "", "the deployment's demo-users.json (with --url)")
	fs.IntVar(&b.N, "n", b.N, "processes to run (per kind)")
	fs.IntVar(&b.C, "c", b.C, "concurrent clients (closed loop)")
	fs.StringVar(&b.Kind, "kind", b.Kind, "process kinds, separated by commas, or all (each with a bench scenario: "+strings.Join(bench.Kinds(), ", ")+")")
	fs.Float64Var(&b.Rate, "rate", 0, "open loop: processes started per second whatever happens (0: closed loop, saturated)")
	fs.BoolVar(&b.JSON, "json", false, "print the report as JSON")
	fs.DurationVar(&b.Sample, "sample", 0, "a soak: print every this long what finished, p50/p99, resident memory and goroutines (0: none)")
	fs.StringVar(&b.Watch, "watch", "", "a soak against --url: /metrics URLs of the deployment's serve and worker processes, separated by commas; samples show their memory and goroutines, summed, instead of this process's")
	fs.BoolVar(&b.Raw, "raw", b.Raw, "also drive the same workflows straight through the Temporal SDK and print zhidu / raw")
	fs.IntVar(&b.Warmup, "warmup", b.Warmup, "unmeasured processes run first (-1: as many as -c, at most n)")
	fs.DurationVar(&b.Timeout, "timeout", b.Timeout, "give up on a process that does not move on for this long")
	fs.BoolVar(&b.Progress, "progress", b.Progress, "draw progress bars on stderr")
	fs.StringVar(&b.CPUProfile, "cpuprofile", "", "write a CPU profile of this process (API, worker, embedded Temporal) during the measured runs to this file")
	fs.StringVar(&b.MemProfile, "memprofile", "", "write a heap profile of this process to this file after the zhidu runs (a soak: whose memory it is)")
	fs.IntVar(&b.Users, "users", b.Users, "inbox: users to load")
	fs.IntVar(&b.Tasks, "tasks", b.Tasks, "inbox: tasks to load")
	fs.IntVar(&b.Requests, "requests", b.Requests, "inbox: requests per reader, page and concurrency")
	fs.StringVar(&b.Concurrency, "concurrency", b.Concurrency, "inbox: concurrent clients to measure at (comma-separated)")
	fs.IntVar(&b.DeepPage, "deep-page", b.DeepPage, "inbox: the deep page measured besides the first (reached through next_cursor)")
	return args
}

// runBench runs zhidu bench or zhidu bench inbox.
func runBench(ctx context.Context, cfg config, out io.Writer) error {
	if err := cfg.ephemeralKeys(); err != nil {
		return err
	}
	if cfg.Bench.Inbox {
		return runBenchInbox(ctx, cfg, out)
	}
	b := cfg.Bench
	load := bench.Load{N: b.N, Concurrency: b.C, Rate: b.Rate, Sample: b.Sample, Watch: splitList(b.Watch),
		OnSample: func(s bench.Sample) { fmt.Fprintln(os.Stderr, "sample", s) }}
	if err := load.Validate(); err != nil {
		return err
	}
	scenarios, err := benchScenarios(b.Kind)
	if err != nil {
		return err
	}
	if b.Warmup < 0 {
		b.Warmup = min(max(b.C, 1), b.N)
	}
	if b.Rate > 0 {
		load.Concurrency = 0
	}
	progress := progressWriter(b.Progress)
	logf := func(format string, args ...any) {
		if progress != nil {
			fmt.Fprintf(progress, "· "+format+"\n", args...)
		}
	}
	// Each kind runs with its scenario's configuration (complaints without
	// the follow-up wait and the spot check, so a process is done when its
	// people are), in the embedded stack's API and in the raw baseline.
	configs := kindConfigs(&cfg)
	for _, sc := range scenarios {
		if p, ok := configs[sc.Kind]; ok && sc.Config != nil {
			v := reflect.ValueOf(p).Elem()
			v.Set(reflect.ValueOf(sc.Config(v.Interface())))
		}
	}
	report := bench.Report{Machine: bench.ThisMachine(), Mode: load.Mode(), N: b.N, Concurrency: load.Concurrency, Rate: b.Rate}

	var (
		url   string
		creds demo.Credentials
		tc    client.Client
		pgCPU func() time.Duration
	)
	if b.URL == "" {
		st, err := startStack(ctx, cfg, logf)
		if err != nil {
			return err
		}
		defer st.stop(logf)
		url, creds, tc, pgCPU = st.url, st.creds, st.temporal, st.postgresCPU
		report.Target = "embedded: zhidu dev's stack (private PostgreSQL, Temporal on SQLite, worker, API) in a temporary directory"
		report.Machine.PostgreSQL = st.pgVersion
	} else {
		if b.UsersFile == "" {
			return errors.New("--url needs --users-file (the deployment's demo-users.json)")
		}
		var err error
		if creds, err = demo.Load(b.UsersFile); err != nil {
			return fmt.Errorf("users file: %w", err)
		}
		url, report.Target = b.URL, b.URL
		for _, sc := range scenarios {
			if sc.Deployment != "" {
				report.Notes = append(report.Notes, "the deployment's own configuration applies to "+sc.Kind+": "+sc.Deployment)
			}
		}
		if b.Raw {
			if tc, err = dialTemporal(cfg); err != nil {
				return err
			}
			defer tc.Close()
		}
	}

	tokens, actors := map[string]string{}, map[string]zhidu.Actor{}
	for u, c := range creds {
		tokens[u] = c.Token
		actors[u] = zhidu.Actor{Username: u, Name: c.Name, Department: c.Department, Roles: c.Roles, Clearance: c.Clearance}
	}
	cl := bench.NewClient(url, tokens)
	stop, err := startCPUProfile(b.CPUProfile)
	if err != nil {
		return err
	}
	defer stop()
	defer writeHeapProfile(b.MemProfile)
	nonce := randomHex(4)
	failed := 0
	for _, sc := range scenarios {
		kind := sc.Kind
		flow := &bench.Flow{Client: cl, Scenario: sc, Nonce: nonce, Timeout: b.Timeout}
		if err := flow.Check(); err != nil {
			return err
		}
		opts := bench.Options{Label: kind + " via zhidu", Load: load, Warmup: b.Warmup, Progress: progress, PostgresCPU: pgCPU}
		kr := bench.KindReport{Kind: kind, Zhidu: bench.Measure(ctx, flow, opts)}
		failed += kr.Zhidu.Failed
		if b.Raw && ctx.Err() == nil {
			raw := &bench.Raw{Client: tc, TaskQueue: "zhidu-bench-raw-" + nonce, Scenario: sc, Actors: actors,
				Config: kindConfig(configs, sc), Nonce: nonce, Timeout: b.Timeout}
			if err := raw.Check(); err != nil {
				return err
			}
			w, err := raw.StartWorker(workerOptions(cfg))
			if err != nil {
				return err
			}
			opts.Label = kind + " via raw Temporal"
			r := bench.Measure(ctx, raw, opts)
			w.Stop()
			failed += r.Failed
			kr.Raw, kr.Ratio, kr.CPURatio = &r, bench.Ratio(kr.Zhidu, r), bench.CPURatio(kr.Zhidu, r)
		}
		report.Kinds = append(report.Kinds, kr)
	}
	if err := writeReport(report, b.JSON, out); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d processes failed (see the errors in the report)", failed)
	}
	return nil
}

// benchScenarios returns the scenarios of the kinds --kind names: one,
// several separated by commas, or all ("both" is its name from when there
// were two).
func benchScenarios(kinds string) ([]bench.Scenario, error) {
	names := strings.Split(kinds, ",")
	if kinds == "all" || kinds == "both" {
		names = bench.Kinds()
	}
	var out []bench.Scenario
	for _, k := range names {
		sc, err := bench.ScenarioFor(strings.TrimSpace(k))
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(s bench.Scenario) bool { return s.Kind == sc.Kind }) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// kindConfigs points at each process kind's configuration in cfg, which
// the API passes in the input of every process of the kind it starts. A
// kind not here runs with its descriptor's defaults.
func kindConfigs(c *config) map[string]any { return c.API.Processes }

// kindConfig is the configuration a scenario's kind runs with, as the API
// passes it.
func kindConfig(configs map[string]any, sc bench.Scenario) any {
	if p, ok := configs[sc.Kind]; ok {
		return reflect.ValueOf(p).Elem().Interface()
	}
	d, _ := workflows.Lookup(sc.Kind)
	if sc.Config != nil {
		return sc.Config(d.Defaults())
	}
	return d.Defaults()
}

func writeReport(r bench.Report, asJSON bool, out io.Writer) error {
	if asJSON {
		return r.WriteJSON(out)
	}
	r.Print(out)
	return nil
}

// progressWriter is where progress bars go: stderr, unless turned off.
func progressWriter(on bool) io.Writer {
	if on {
		return os.Stderr
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// benchStack is an embedded zhidu for benchmarks: what zhidu dev starts, in a
// temporary directory, on free ports.
type benchStack struct {
	url       string
	creds     demo.Credentials
	temporal  client.Client
	pool      *pgxpool.Pool
	pgVersion string
	// postgresCPU reports the private PostgreSQL's CPU time (nil when
	// the database is external).
	postgresCPU func() time.Duration
	cleanups    []func()
}

// stop tears the stack down in reverse order and removes its directory.
func (s *benchStack) stop(logf func(string, ...any)) {
	logf("stopping the embedded stack")
	for _, f := range slices.Backward(s.cleanups) {
		f()
	}
}

func (s *benchStack) onStop(f func()) { s.cleanups = append(s.cleanups, f) }

// startStack starts PostgreSQL (unless cfg.DatabaseURL is set), Temporal,
// the worker and the API like zhidu dev does; the database must be empty.
// With temporal false, Temporal runs in memory and no worker starts (the
// API's engine only answers readiness checks).
func startStack(ctx context.Context, cfg config, logf func(string, ...any)) (st *benchStack, err error) {
	return startStackWith(ctx, cfg, logf, true, nil)
}

// startStackWith is startStack with a hook that fills the database before
// the API starts.
func startStackWith(ctx context.Context, cfg config, logf func(string, ...any), temporal bool,
	fill func(context.Context, *pgxpool.Pool) error) (st *benchStack, err error) {
	st = &benchStack{}
	defer func() {
		if err != nil {
			st.stop(func(string, ...any) {})
		}
	}()
	dir, err := os.MkdirTemp("", "zhidu-bench-")
	if err != nil {
		return st, err
	}
	st.onStop(func() { _ = os.RemoveAll(dir) })
	if cfg.DatabaseURL == "" {
		// Durable, like zhidu dev: pglocal's Fast settings (fsync,
		// synchronous_commit and full_page_writes off) made inbox reads on
		// a freshly loaded million tasks twice as slow (p50 7-11 ms, not 3-5).
		pg, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg"), Logf: logf})
		if err != nil {
			return st, err
		}
		st.onStop(func() { _ = pg.Stop() })
		st.postgresCPU = postmasterCPU(pg.Dir())
		if err := pg.CreateDatabase(ctx, "zhidu"); err != nil {
			return st, err
		}
		cfg.DatabaseURL = pg.URL("zhidu")
	}
	tsDir := dir
	if !temporal {
		tsDir = "" // in memory: nothing runs on it
	}
	logf("starting Temporal")
	ts, err := devserver.Start(devserver.Options{Dir: tsDir, Namespace: cfg.Namespace})
	if err != nil {
		return st, fmt.Errorf("start Temporal: %w", err)
	}
	st.onStop(ts.Stop)
	cfg.TemporalAddress = ts.Address()

	pool, err := connect(ctx, cfg)
	if err != nil {
		return st, err
	}
	st.onStop(pool.Close)
	st.pool = pool
	if err := pool.QueryRow(ctx, "SHOW server_version").Scan(&st.pgVersion); err != nil {
		return st, err
	}
	if err := migrate(ctx, pool, io.Discard); err != nil {
		return st, err
	}
	if n, err := store.New(pool).CountUsers(ctx); err != nil || n > 0 {
		if err == nil {
			err = fmt.Errorf("the database at %s has users: zhidu bench needs an empty one", redact(cfg.DatabaseURL))
		}
		return st, err
	}
	if fill != nil {
		if err := fill(ctx, pool); err != nil {
			return st, err
		}
	} else {
		logf("seeding the demo organisation")
		if st.creds, err = demo.Seed(ctx, store.New(pool)); err != nil {
			return st, err
		}
	}

	tc, err := dialTemporal(cfg)
	if err != nil {
		return st, err
	}
	st.onStop(tc.Close)
	st.temporal = tc
	if temporal {
		w, err := startWorker(cfg, pool, tc)
		if err != nil {
			return st, err
		}
		st.onStop(w.Stop)
	}

	az, err := authz.New(pool)
	if err != nil {
		return st, err
	}
	// The bench's clients are one address driving the API as hard as it
	// goes: rate limits would measure themselves.
	cfg.API.RatePerAddress, cfg.API.RatePerUser = api.Rate{}, api.Rate{}
	srv := api.New(store.New(pool), az, api.TemporalEngine{Client: tc, TaskQueue: cfg.TaskQueue}, cfg.API)
	srv.Payloads = cfg.secrets.ring
	ctx, cancel := context.WithCancel(ctx)
	st.onStop(cancel)
	go srv.Watch(ctx, time.Second)
	go az.Watch(ctx, pool, nil, srv.ForgetUsers)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return st, err
	}
	hs := &http.Server{Handler: srv.Router(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	st.onStop(func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	})
	st.url = "http://" + ln.Addr().String()
	logf("zhidu is serving on %s", st.url)
	return st, nil
}

// runBenchInbox loads a large organisation and inbox into a fresh
// database, serves the API on it and measures GET /tasks over HTTP.
func runBenchInbox(ctx context.Context, cfg config, out io.Writer) error {
	b := cfg.Bench
	var levels []int
	for _, s := range strings.Split(b.Concurrency, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("--concurrency %q: want positive numbers separated by commas", b.Concurrency)
		}
		levels = append(levels, n)
	}
	if b.Requests < 1 {
		return errors.New("--requests must be at least 1")
	}
	progress := progressWriter(b.Progress)
	logf := func(format string, args ...any) {
		if progress != nil {
			fmt.Fprintf(progress, "· "+format+"\n", args...)
		}
	}
	if cfg.DatabaseURL != "" {
		logf("loading into the empty database at %s; the data stays there", redact(cfg.DatabaseURL))
	}
	var loaded benchdata.Loaded
	tokens := map[string]string{}
	fill := func(ctx context.Context, pool *pgxpool.Pool) error {
		var bar *bench.Progress
		var step string
		var last int
		var err error
		loaded, err = benchdata.Load(ctx, pool, benchdata.Options{Users: b.Users, Tasks: b.Tasks, Progress: func(s string, done, total int) {
			if s != step {
				if bar != nil {
					bar.Done()
				}
				step, last, bar = s, 0, bench.NewProgress(progress, "loading "+s, total)
			}
			bar.Add(done - last)
			last = done
		}})
		if bar != nil {
			bar.Done()
		}
		if err != nil {
			return fmt.Errorf("load benchmark data: %w", err)
		}
		st := store.New(pool)
		for _, s := range loaded.Samples {
			tokens[s.Username] = "zd_bench_" + randomHex(16)
			if err := st.SetToken(ctx, s.Username, tokens[s.Username]); err != nil {
				return err
			}
		}
		return nil
	}
	st, err := startStackWith(ctx, cfg, logf, false, fill)
	if err != nil {
		return err
	}
	defer st.stop(logf)
	var readers []bench.Reader
	for _, s := range loaded.Samples {
		readers = append(readers, bench.Reader{User: s.Username, Description: fmt.Sprintf("%s, %s", s.Roles[0].Role, s.Clearance)})
	}
	ib := &bench.Inbox{Client: bench.NewClient(st.url, tokens), Readers: readers, Concurrency: levels, Requests: b.Requests, DeepPage: b.DeepPage,
		PostgresCPU: st.postgresCPU}
	stop, err := startCPUProfile(b.CPUProfile)
	if err != nil {
		return err
	}
	rows, err := ib.Run(ctx, progress)
	stop()
	if err != nil {
		return err
	}
	report := bench.Report{Machine: bench.ThisMachine(), Target: "embedded: the API on a private PostgreSQL in a temporary directory",
		Inbox: &bench.InboxReport{Users: loaded.Users, Tasks: loaded.Tasks, LoadSeconds: loaded.Took.Seconds(), Rows: rows}}
	report.Machine.PostgreSQL = st.pgVersion
	if cfg.DatabaseURL != "" {
		report.Target = "the API on " + redact(cfg.DatabaseURL)
	}
	return writeReport(report, b.JSON, out)
}

// startCPUProfile profiles this process into path until stop is called
// (nothing when path is empty).
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes this process's heap profile to path, after a
// collection (nothing when path is empty).
func writeHeapProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memprofile:", err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "memprofile:", err)
	}
}

// postmasterCPU reports the CPU time of the PostgreSQL server whose data
// directory is dir (its postmaster.pid names the server process).
func postmasterCPU(dir string) func() time.Duration {
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return nil
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return nil
	}
	return bench.ProcessTreeCPU(pid)
}

// workerOptions are the options of zhidu's worker; the raw benchmark
// worker uses the same.
func workerOptions(cfg config) worker.Options {
	o := worker.Options{
		MaxConcurrentWorkflowTaskPollers: cfg.Pollers,
		MaxConcurrentActivityTaskPollers: cfg.Pollers,
	}
	if cfg.secrets != nil {
		o = cfg.secrets.workerOptions(o)
	}
	if cfg.FaultKillAfter != "" {
		o.Interceptors = append(o.Interceptors, &killAfter{activity: cfg.FaultKillAfter, kill: killSelf})
	}
	return o
}
