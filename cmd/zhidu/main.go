// Command zhidu runs company rules as durable workflows.
//
//	zhidu dev       everything on one machine: private PostgreSQL, embedded
//	                Temporal and its Web UI, worker, API, demo organisation
//	zhidu serve     the HTTP API, against external PostgreSQL and Temporal
//	zhidu worker    the Temporal worker
//	zhidu migrate   apply database migrations and the default policy
//	zhidu temporal-server    Temporal's server from a cluster config file
//	zhidu temporal-sql-tool  Temporal's SQL schema tool
//
// Every command takes flags and the matching ZHIDU_* environment
// variables; `zhidu COMMAND -h` lists them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/zhidu/zhidu/activities"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/web"
	"github.com/zhidu/zhidu/workflows"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "zhidu:", err)
		os.Exit(1)
	}
}

const usage = `zhidu runs company rules as durable workflows.

Usage: zhidu COMMAND [flags]

Commands:
  dev       start everything on this machine: a private PostgreSQL, an embedded
            Temporal server and Web UI, the worker, the API, the demo organisation
  serve     serve the HTTP API against external PostgreSQL and Temporal
  worker    run the Temporal worker against external PostgreSQL and Temporal
  migrate   apply database migrations and install the default policy
  temporal-server    Temporal's own server (all services or some) from a cluster configuration file
  temporal-sql-tool  Temporal's own SQL schema tool, to create and upgrade a Temporal cluster's PostgreSQL schema
  bench     measure throughput and latency against raw Temporal; 'bench inbox' the inbox at scale

Run 'zhidu COMMAND -h' for the flags of a command; each flag has a ZHIDU_*
environment variable too.
`

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(out, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	if cmd == "temporal-sql-tool" {
		return runTemporalSQLTool(rest)
	}
	if cmd == "temporal-server" {
		return runTemporalServer(ctx, rest, getenv, out)
	}
	commands := map[string]func(context.Context, config, io.Writer) error{
		"dev": runDev, "serve": runServe, "worker": runWorker, "migrate": runMigrate,
		"bench": runBench,
	}
	f, ok := commands[cmd]
	if !ok {
		fmt.Fprint(out, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	cfg, err := load(cmd, rest, getenv)
	if err != nil {
		return err
	}
	return f(ctx, cfg, out)
}

func requireDB(cfg config) error {
	if cfg.DatabaseURL == "" {
		return errors.New("set ZHIDU_DATABASE_URL or --database-url")
	}
	return nil
}

func connect(ctx context.Context, cfg config) (*pgxpool.Pool, error) {
	return store.Connect(ctx, cfg.DatabaseURL, int32(cfg.DBMaxConns))
}

func runMigrate(ctx context.Context, cfg config, out io.Writer) error {
	if err := requireDB(cfg); err != nil {
		return err
	}
	pool, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate(ctx, pool, out)
}

func migrate(ctx context.Context, pool *pgxpool.Pool, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(out, nil))
	if err := store.Migrate(ctx, pool, log); err != nil {
		return err
	}
	if err := authz.InstallDefaultPolicy(ctx, pool); err != nil {
		return err
	}
	fmt.Fprintln(out, "database schema and default policy are up to date")
	return nil
}

// dialTemporal connects to Temporal with a client that encrypts every
// payload and signs every start and update (cfg's keys must be resolved).
func dialTemporal(cfg config) (client.Client, error) {
	if cfg.secrets == nil {
		return nil, errors.New("connect to Temporal: the keys are not loaded")
	}
	c, err := client.Dial(cfg.secrets.clientOptions(client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.Namespace,
		Logger: quietLogger()}))
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// connectAll connects to the external PostgreSQL and Temporal that serve
// and worker run against; close releases both.
func connectAll(ctx context.Context, cfg *config) (pool *pgxpool.Pool, tc client.Client, close func(), err error) {
	if err := requireDB(*cfg); err != nil {
		return nil, nil, nil, err
	}
	if err := cfg.resolveKeys("", nil); err != nil {
		return nil, nil, nil, err
	}
	if pool, err = connect(ctx, *cfg); err != nil {
		return nil, nil, nil, err
	}
	if err := store.CheckSchema(ctx, pool); err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	if tc, err = dialTemporal(*cfg); err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	return pool, tc, func() { tc.Close(); pool.Close() }, nil
}

func runServe(ctx context.Context, cfg config, out io.Writer) error {
	pool, tc, closeAll, err := connectAll(ctx, &cfg)
	if err != nil {
		return err
	}
	defer closeAll()
	return serveAPI(ctx, cfg, pool, tc, out, cfg.Web)
}

// serveAPI serves the API and, around it, the web inbox until ctx ends,
// and the metrics on their own address.
func serveAPI(ctx context.Context, cfg config, pool *pgxpool.Pool, tc client.Client, out io.Writer, webCfg web.Config) error {
	az, err := authz.New(pool)
	if err != nil {
		return err
	}
	st := store.New(pool)
	srv := api.New(st, az, api.TemporalEngine{Client: tc, TaskQueue: cfg.TaskQueue}, cfg.API)
	srv.Payloads = cfg.secrets.ring
	go srv.Watch(ctx, time.Second)
	go az.Watch(ctx, pool, nil, srv.ForgetUsers)
	webCfg.ClientAddress = srv.ClientAddress // the sign-in audit and limits believe the same proxies as the API
	return serveHTTP(ctx, out, listeners(cfg, web.New(webCfg, srv.Router(), st), "API and inbox", nil)...)
}

// listener is one address zhidu serves.
type listener struct {
	addr, what string
	handler    http.Handler
}

// listeners are the addresses a process serves: h on --http (when what is
// not empty) and the Prometheus metrics on --metrics-addr (unless empty),
// never on the public address. A process without an HTTP API of its own
// (the worker) passes ready: its probes, GET /healthz (the process
// answers) and GET /readyz (ready answers nil), are served next to the
// metrics.
func listeners(cfg config, h http.Handler, what string, ready func(context.Context) error) []listener {
	var ls []listener
	if what != "" {
		ls = append(ls, listener{addr: cfg.HTTPAddr, what: what, handler: h})
	}
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", api.MetricsHandler())
		if ready != nil {
			mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { probeAnswer(w, nil) })
			mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
				ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
				defer cancel()
				probeAnswer(w, ready(ctx))
			})
		}
		ls = append(ls, listener{addr: cfg.MetricsAddr, what: "metrics", handler: mux})
	}
	return ls
}

// serveHTTP serves every listener until ctx ends or one fails, then shuts
// them all down gracefully.
func serveHTTP(ctx context.Context, out io.Writer, ls ...listener) error {
	errc := make(chan error, len(ls))
	servers := make([]*http.Server, len(ls))
	for i, l := range ls {
		hs := &http.Server{Addr: l.addr, Handler: l.handler, ReadHeaderTimeout: 10 * time.Second}
		servers[i] = hs
		go func() {
			if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s: %w", l.what, err)
			}
		}()
		fmt.Fprintf(out, "%s listening on http://%s\n", l.what, l.addr)
	}
	if len(ls) == 0 {
		<-ctx.Done()
		return nil
	}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, hs := range servers {
		err = errors.Join(err, hs.Shutdown(shutdown))
	}
	return err
}

// probeAnswer answers a probe: 200 {"status":"ok"}, or 503 with the
// error.
func probeAnswer(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil { // logged, not answered: a probe's answer names no internals
		slog.Warn("not ready", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "unavailable"})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
}

// startWorker starts a worker with every workflow and activity.
func startWorker(cfg config, pool *pgxpool.Pool, tc client.Client) (worker.Worker, error) {
	w := worker.New(tc, cfg.TaskQueue, workerOptions(cfg))
	workflows.Register(w)
	(&activities.Activities{Store: store.New(pool)}).Register(w)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return w, nil
}

func runWorker(ctx context.Context, cfg config, out io.Writer) error {
	pool, tc, closeAll, err := connectAll(ctx, &cfg)
	if err != nil {
		return err
	}
	defer closeAll()
	w, err := startWorker(cfg, pool, tc)
	if err != nil {
		return err
	}
	defer w.Stop()
	fmt.Fprintf(out, "worker polling task queue %q on %s\n", cfg.TaskQueue, cfg.TemporalAddress)
	ready := func(ctx context.Context) error {
		if err := pool.Ping(ctx); err != nil {
			return fmt.Errorf("PostgreSQL: %w", err)
		}
		if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			return fmt.Errorf("Temporal: %w", err)
		}
		return nil
	}
	return serveHTTP(ctx, out, listeners(cfg, nil, "", ready)...)
}
