package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/workflows"
)

func TestHelp(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"--help"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"dev", "serve", "worker", "migrate"} {
			if !strings.Contains(out.String(), cmd) {
				t.Errorf("help lacks %s", cmd)
			}
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out); err == nil {
		t.Fatal("an unknown command must fail")
	}
}

func TestConfigPrecedence(t *testing.T) {
	env := map[string]string{
		"ZHIDU_HTTP_ADDR":         "127.0.0.1:9999",
		"ZHIDU_DATABASE_URL":      "postgres://env",
		"ZHIDU_APPROVAL_ESCALATE": "1h, 2h",
		"ZHIDU_WORKER_POLLERS":    "3",
	}
	cfg, err := load("serve", []string{"--database-url", "postgres://flag", "--approval-due", "90m"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:9999" || cfg.DatabaseURL != "postgres://flag" || cfg.Pollers != 3 {
		t.Fatalf("config = %+v", cfg)
	}
	if sla := *cfg.API.Processes[workflows.KindApproval].(*workflows.SLA); sla.Due != 90*time.Minute || len(sla.Escalate) != 2 || sla.Escalate[1] != 2*time.Hour {
		t.Fatalf("approval SLA = %+v", sla)
	}
	if cfg.TemporalAddress != "127.0.0.1:7233" || cfg.Namespace != "default" {
		t.Fatalf("defaults lost: %+v", cfg)
	}
	for _, bad := range []map[string]string{{"ZHIDU_WORKER_POLLERS": "many"}, {"ZHIDU_APPROVAL_DUE": "soon"}} {
		if _, err := load("serve", nil, func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v must be refused", bad)
		}
	}
	if _, err := load("serve", []string{"extra"}, func(string) string { return "" }); err == nil {
		t.Error("stray arguments must be refused")
	}
	if err := run(context.Background(), []string{"serve"}, func(string) string { return "" }, &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "ZHIDU_DATABASE_URL") {
		t.Errorf("serve without a database must say how to set one: %v", err)
	}
}

// configurationTables are the documents whose configuration tables list
// the process settings: README.md's. A test-only process adds the document
// that describes it.
var configurationTables = []string{"../../README.md"}

// TestProcessSettings: each process's settings come from its descriptor,
// under the flag and environment names documented in README.md
// (configurationTables), and set the configuration the API passes to the
// kind's starts; the rest keep their defaults.
func TestProcessSettings(t *testing.T) {
	env := map[string]string{"ZHIDU_COMPLAINT_TRIAGE_DUE": "6h", "ZHIDU_COMPLAINT_SPOT_CHECK_PERCENT": "25",
		"ZHIDU_COMPLAINT_RETENTION": "1h"}
	cfg, err := load("serve", []string{"--complaint-investigation-escalate", "1h,2h,3h", "--complaint-compensation-threshold", "800.5",
		"--complaint-retention", "2h"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	got := *cfg.API.Processes[workflows.KindComplaint].(*workflows.ComplaintConfig)
	want := workflows.DefaultComplaintConfig()
	want.Triage.Due, want.SpotCheckPercent, want.Retention = 6*time.Hour, 25, 2*time.Hour // the flag wins
	want.Investigation.Escalate, want.CompensationThreshold = []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour}, 800.5
	if !reflect.DeepEqual(got, want) {
		t.Errorf("complaint configuration =\n%+v, want\n%+v", got, want)
	}
	if sla := *cfg.API.Processes[workflows.KindApproval].(*workflows.SLA); !reflect.DeepEqual(sla, workflows.DefaultApprovalSLA()) {
		t.Errorf("approval SLA = %+v, want the defaults", sla)
	}
	// Every setting of every descriptor is a flag with its variable in the help.
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	all, err := settings(&config{API: api.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		s.bind(fs, s.flag, s.usage)
	}
	var tables []byte
	for _, doc := range configurationTables {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, b...)
	}
	for _, d := range workflows.Descriptors() {
		for _, s := range d.Settings {
			if fs.Lookup(s.Flag) == nil {
				t.Errorf("%s: no flag --%s", d.Kind, s.Flag)
			}
			if row := "| `--" + s.Flag + "` | `" + s.Env + "` |"; !bytes.Contains(tables, []byte(row)) {
				t.Errorf("no configuration table (%v) has a row %q", configurationTables, row)
			}
		}
	}
	for _, bad := range []map[string]string{{"ZHIDU_COMPLAINT_SPOT_CHECK_PERCENT": "most"}, {"ZHIDU_COMPLAINT_INVESTIGATION_ESCALATE": "1h,later"},
		{"ZHIDU_COMPLAINT_COMPENSATION_THRESHOLD": "lots"}} {
		if _, err := load("serve", nil, func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v must be refused", bad)
		}
	}
	if _, err := load("serve", []string{"--complaint-retention", "forever"}, func(string) string { return "" }); err == nil {
		t.Error("a bad per-kind flag must be refused")
	}
}

// TestMetricsListener: the metrics have their own address (loopback by
// default) and are never on the public --http address.
func TestMetricsListener(t *testing.T) {
	cfg, err := load("serve", nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("default metrics address %q", cfg.MetricsAddr)
	}
	public := http.NotFoundHandler()
	ls := listeners(cfg, public, "API and inbox", nil)
	if len(ls) != 2 || ls[0].addr != cfg.HTTPAddr || ls[1].addr != cfg.MetricsAddr {
		t.Fatalf("listeners = %+v", ls)
	}
	rec := httptest.NewRecorder()
	ls[1].handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Fatalf("metrics listener: %d", rec.Code)
	}
	if ls := listeners(config{MetricsAddr: ""}, nil, "", nil); len(ls) != 0 {
		t.Fatalf("no metrics address, no API: %+v", ls)
	}
}

// TestWorkerProbes: a worker has no --http; its metrics address answers
// the liveness probe /healthz and the readiness probe /readyz, which is
// 503 while a dependency is down (naming no internals).
func TestWorkerProbes(t *testing.T) {
	var down error
	ls := listeners(config{MetricsAddr: "127.0.0.1:0"}, nil, "", func(context.Context) error { return down })
	if len(ls) != 1 {
		t.Fatalf("listeners = %+v", ls)
	}
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		ls[0].handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, strings.TrimSpace(rec.Body.String())
	}
	if code, body := get("/healthz"); code != http.StatusOK || body != `{"status":"ok"}` {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	if code, body := get("/readyz"); code != http.StatusOK || body != `{"status":"ok"}` {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	down = errors.New("dial tcp 10.0.0.7:5432: connection refused")
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || body != `{"status":"unavailable"}` {
		t.Fatalf("/readyz with PostgreSQL down: %d %s", code, body)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz must not depend on the dependencies: %d", code)
	}
	// serve's readiness is on its public address; its metrics address has no /readyz.
	serve := listeners(config{MetricsAddr: "127.0.0.1:0"}, nil, "", nil)
	rec := httptest.NewRecorder()
	serve[0].handler.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("serve's metrics /readyz: %d", rec.Code)
	}
}

func TestRateSettings(t *testing.T) {
	cfg, err := load("serve", []string{"--api-rate-per-user", "5/1s", "--signin-lockout-after", "3"},
		func(k string) string { return map[string]string{"ZHIDU_SIGNIN_RATE_PER_ADDRESS": "off"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.API.RatePerUser != (api.Rate{N: 5, Per: time.Second}) || !cfg.Web.SigninPerAddress.Off() || cfg.Web.LockoutAfter != 3 {
		t.Fatalf("rates = %v %v, lockout after %d", cfg.API.RatePerUser, cfg.Web.SigninPerAddress, cfg.Web.LockoutAfter)
	}
	if cfg.API.RatePerAddress.Off() || cfg.Web.SigninPerAccount.Off() || cfg.Web.LockoutFor != 15*time.Minute {
		t.Fatalf("defaults lost: %+v %+v", cfg.API.RatePerAddress, cfg.Web)
	}
	for _, bad := range []string{"5", "x/1m", "5/soon", "-1/1m"} {
		if _, err := load("serve", nil, func(k string) string { return map[string]string{"ZHIDU_API_RATE_PER_USER": bad}[k] }); err == nil {
			t.Errorf("rate %q must be refused", bad)
		}
	}
}

// TestTemporalServerFlags: the environment's lists, replaced by flags; a
// missing configuration file, an unknown service and an argument refused.
func TestTemporalServerFlags(t *testing.T) {
	env := map[string]string{"ZHIDU_TEMPORAL_CONFIG_FILE": "/etc/t.yaml", "ZHIDU_TEMPORAL_SERVICES": "history,matching",
		"ZHIDU_TEMPORAL_NAMESPACES": "zhidu"}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	f, err := parseTemporalServerFlags(nil, getenv, &out)
	if err != nil || f.configFile != "/etc/t.yaml" || !reflect.DeepEqual(f.services, []string{"history", "matching"}) ||
		!reflect.DeepEqual(f.namespaces, []string{"zhidu"}) || f.retention != 720*time.Hour {
		t.Fatalf("from the environment: %+v, %v", f, err)
	}
	f, err = parseTemporalServerFlags([]string{"--service", "frontend", "--service", "worker", "--namespace", "a,b",
		"--namespace-retention", "24h"}, getenv, &out)
	if err != nil || !reflect.DeepEqual(f.services, []string{"frontend", "worker"}) || !reflect.DeepEqual(f.namespaces, []string{"a", "b"}) ||
		f.retention != 24*time.Hour {
		t.Fatalf("flags replace the lists: %+v, %v", f, err)
	}
	if f, err := parseTemporalServerFlags([]string{"--config-file", "x.yaml"}, func(string) string { return "" }, &out); err != nil ||
		len(f.services) != 4 || len(f.namespaces) != 0 {
		t.Fatalf("defaults: %+v, %v", f, err)
	}
	for _, bad := range [][]string{{}, {"--config-file", "x.yaml", "--service", "gateway"}, {"--config-file", "x.yaml", "extra"}} {
		if _, err := parseTemporalServerFlags(bad, func(string) string { return "" }, &out); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
