package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/devserver"
	"github.com/zhidu/zhidu/pglocal"
	"github.com/zhidu/zhidu/store"
)

// runDev starts the whole system on this machine and stops it all cleanly
// when ctx ends. Everything lives under the data directory, so running it
// again resumes where it stopped.
func runDev(ctx context.Context, cfg config, out io.Writer) (err error) {
	began := time.Now()
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(out, "· "+format+"\n", args...) }
	if err := cfg.resolveKeys(filepath.Join(dir, devKeysFile), logf); err != nil {
		return err
	}

	if cfg.DatabaseURL == "" {
		pg, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg"), Logf: logf})
		if err != nil {
			if errors.Is(err, pglocal.ErrNotInstalled) {
				return fmt.Errorf("%w\n(or set ZHIDU_DATABASE_URL to use an existing server)", err)
			}
			return err
		}
		defer func() {
			logf("stopping PostgreSQL")
			if stopErr := pg.Stop(); stopErr != nil && err == nil {
				err = stopErr
			}
		}()
		if err := pg.CreateDatabase(ctx, "zhidu"); err != nil {
			return err
		}
		cfg.DatabaseURL = pg.URL("zhidu")
	}

	logf("starting Temporal (state in %s)", filepath.Join(dir, "temporal.db"))
	ts, err := devserver.Start(devserver.Options{Dir: dir, Port: cfg.TemporalPort, UIPort: cfg.UIPort, Namespace: cfg.Namespace,
		CodecEndpoint: codecEndpoint(cfg.HTTPAddr)})
	if err != nil {
		return fmt.Errorf("start Temporal: %w", err)
	}
	defer func() {
		logf("stopping Temporal")
		ts.Stop()
	}()
	cfg.TemporalAddress = ts.Address()
	if ts.UIAddress() != "" {
		_, port, _ := net.SplitHostPort(ts.UIAddress())
		cfg.API.CodecOrigins = append(cfg.API.CodecOrigins, "http://"+ts.UIAddress(), "http://localhost:"+port)
	}

	pool, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := migrate(ctx, pool, out); err != nil {
		return err
	}
	creds, err := seedOnce(ctx, pool, filepath.Join(dir, "demo-users.json"), logf)
	if err != nil {
		return err
	}

	tc, err := dialTemporal(cfg)
	if err != nil {
		return err
	}
	defer tc.Close()
	w, err := startWorker(cfg, pool, tc)
	if err != nil {
		return err
	}
	defer w.Stop()

	fmt.Fprintln(out)
	creds.Print(out)
	fmt.Fprintf(out, "\nzhidu is ready (%s):\n", time.Since(began).Round(time.Millisecond))
	fmt.Fprintf(out, "  web inbox        http://%s/   (one-click demo sign-in; demo password %q)\n", cfg.HTTPAddr, demo.Password)
	fmt.Fprintf(out, "  API              http://%s/api/v1   (OpenAPI: /api/v1/openapi.json)\n", cfg.HTTPAddr)
	if ts.UIAddress() != "" {
		fmt.Fprintf(out, "  Temporal Web UI  http://%s\n", ts.UIAddress())
	}
	if cfg.MetricsAddr != "" {
		fmt.Fprintf(out, "  metrics          http://%s/metrics\n", cfg.MetricsAddr)
	}
	fmt.Fprintf(out, "  Temporal         %s (namespace %s)\n", ts.Address(), cfg.Namespace)
	fmt.Fprintf(out, "  PostgreSQL       %s\n", redact(cfg.DatabaseURL))
	fmt.Fprintf(out, "  demo users       %s\n", filepath.Join(dir, "demo-users.json"))
	fmt.Fprintf(out, "  try: curl -H \"Authorization: Bearer $(jq -r '.[\"cs.agent\"].token' %s)\" http://%s/api/v1/me\n",
		filepath.Join(dir, "demo-users.json"), cfg.HTTPAddr)
	fmt.Fprintln(out, "Ctrl-C stops everything.")
	webCfg := cfg.Web
	webCfg.DemoSignIn = true
	err = serveAPI(ctx, cfg, pool, tc, out, webCfg)
	fmt.Fprintln(out, "\nshutting down")
	return err
}

// seedOnce seeds the demo organisation into an empty database and writes
// the credentials file; later starts read the file back.
func seedOnce(ctx context.Context, pool *pgxpool.Pool, path string, logf func(string, ...any)) (demo.Credentials, error) {
	st := store.New(pool)
	n, err := st.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		creds, err := demo.Load(path)
		if err != nil {
			return nil, fmt.Errorf("the database has users but %s cannot be read: %w", path, err)
		}
		return creds, nil
	}
	logf("seeding the demo organisation (%d users)", len(demo.Users()))
	creds, err := demo.Seed(ctx, st)
	if err != nil {
		return nil, err
	}
	return creds, creds.Save(path)
}

// redact hides the password in a database URL.
func redact(url string) string {
	if cfg, err := pgxpool.ParseConfig(url); err == nil {
		c := cfg.ConnConfig
		return fmt.Sprintf("postgres://%s:***@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
	}
	return "(set)"
}

// devKeysFile is where zhidu dev keeps its payload and actor keys (mode
// 0600), generated on first start: a data directory's histories can only
// be read with its own keys.
const devKeysFile = "keys.json"

// codecEndpoint is the URL the Temporal Web UI posts payloads to for
// decoding: the API's codec route on the address the API listens on.
func codecEndpoint(httpAddr string) string {
	host, port, err := net.SplitHostPort(httpAddr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/api/v1/codec"
}
