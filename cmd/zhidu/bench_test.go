package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/bench"
	"github.com/zhidu/zhidu/workflows"
)

func benchReport(t *testing.T, args ...string) bench.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	args = append([]string{"bench"}, append(args, "--json", "--progress=false")...)
	if err := run(ctx, args, func(string) string { return "" }, &out); err != nil {
		t.Fatalf("zhidu %v: %v\n%s", args, err, out.String())
	}
	var r bench.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, out.String())
	}
	return r
}

// TestBenchSmoke runs zhidu bench end to end on the embedded stack with a
// handful of processes of every kind. Speed is not asserted, only that
// every process finished both ways and the report adds up.
func TestBenchSmoke(t *testing.T) {
	r := benchReport(t, "-n", "3", "-c", "2", "--kind", "all", "--warmup", "1")
	if len(r.Kinds) != len(bench.Kinds()) || r.Mode != "closed" || r.Machine.Cores == 0 || r.Machine.PostgreSQL == "" {
		t.Fatalf("report = %+v", r)
	}
	steps := map[string]int{}
	for _, kind := range bench.Kinds() {
		sc, _ := bench.ScenarioFor(kind)
		steps[kind] = sc.Tasks() // human steps; calls are not tasks
	}
	if steps["approval"] != 2 || steps["complaint"] != 6 {
		t.Fatalf("human steps per kind = %v", steps)
	}
	for _, k := range r.Kinds {
		if k.Raw == nil {
			t.Fatalf("%s: no raw Temporal run", k.Kind)
		}
		for name, x := range map[string]bench.RunResult{"zhidu": k.Zhidu, "raw": *k.Raw} {
			if x.Processes != 3 || x.Failed != 0 || x.Tasks != 3*steps[k.Kind] || x.ProcessesPerSec <= 0 {
				t.Errorf("%s via %s: %+v", k.Kind, name, x)
			}
			if x.Latency[bench.OpStart].Count != 3 || x.Latency[bench.OpComplete].Count != 3*steps[k.Kind] {
				t.Errorf("%s via %s: latencies %+v", k.Kind, name, x.Latency)
			}
		}
		for _, op := range []string{bench.OpClaim, bench.OpClaimComplete} {
			if k.Zhidu.Latency[op].Count != 3*steps[k.Kind] {
				t.Errorf("%s: %s measured %d times, want one per task", k.Kind, op, k.Zhidu.Latency[op].Count)
			}
		}
		if n := k.Zhidu.Latency[bench.OpList].Count; n < 3*steps[k.Kind] {
			t.Errorf("%s: %d inbox looks for %d tasks", k.Kind, n, 3*steps[k.Kind])
		}
		if k.Ratio <= 0 {
			t.Errorf("%s: ratio %v", k.Kind, k.Ratio)
		}
	}
}

// TestBenchOpenLoop runs a few approvals arriving at a fixed rate, without
// the raw run.
func TestBenchOpenLoop(t *testing.T) {
	r := benchReport(t, "-n", "3", "--rate", "20", "--raw=false", "--warmup", "0")
	if r.Mode != "open" || r.Rate != 20 || len(r.Kinds) != 1 || r.Kinds[0].Raw != nil || r.Kinds[0].Zhidu.Processes != 3 {
		t.Fatalf("report = %+v", r)
	}
}

// TestBenchInboxSmoke loads a small organisation and reads inboxes over
// HTTP, first and deep pages.
func TestBenchInboxSmoke(t *testing.T) {
	r := benchReport(t, "inbox", "--users", "300", "--tasks", "60000", "--requests", "3", "--concurrency", "1,2", "--deep-page", "3")
	if r.Inbox == nil || r.Inbox.Tasks != 60000 || r.Inbox.Users != 300 {
		t.Fatalf("report = %+v", r)
	}
	pages := map[int]bool{}
	for _, row := range r.Inbox.Rows {
		pages[row.Page] = true
		if row.Latency.Count != 3 || row.Reader.User == "" {
			t.Errorf("row %+v", row)
		}
	}
	if !pages[1] || !pages[3] {
		t.Errorf("pages measured: %v, want the first and the third", pages)
	}
}

func TestBenchFlags(t *testing.T) {
	cfg, err := load("bench", []string{"inbox", "--concurrency", "2,8", "--database-url", "postgres://x"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Bench.Inbox || cfg.Bench.Concurrency != "2,8" || cfg.DatabaseURL != "postgres://x" || cfg.Bench.N != 200 {
		t.Fatalf("config = %+v", cfg.Bench)
	}
	for _, bad := range [][]string{{"bench", "-n", "0"}, {"bench", "--kind", "no_such_kind"}, {"bench", "--url", "http://x"},
		{"bench", "inbox", "--concurrency", "x"}} {
		if err := run(context.Background(), bad, func(string) string { return "" }, &bytes.Buffer{}); err == nil {
			t.Errorf("zhidu %v must fail", bad)
		}
	}
	if _, err := load("serve", []string{"-n", "3"}, func(string) string { return "" }); err == nil {
		t.Error("bench flags belong to bench only")
	}
}

// --kind names one kind, several, or all of those with a bench scenario.
func TestBenchKinds(t *testing.T) {
	var kinds []string
	for _, d := range workflows.Descriptors() {
		if !d.Internal { // started by zhidu itself: no bench scenario
			kinds = append(kinds, d.Kind)
		}
	}
	allKinds := strings.Join(kinds, " ")
	for in, want := range map[string]string{
		"approval": "approval", "complaint,approval": "complaint approval", " approval , approval": "approval",
		"all": allKinds, "both": allKinds,
	} {
		scs, err := benchScenarios(in)
		var got []string
		for _, sc := range scs {
			got = append(got, sc.Kind)
		}
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("--kind %q: %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"no_such_kind", "approval,no_such_kind", "", "approval,"} {
		_, err := benchScenarios(bad)
		if err == nil || !strings.Contains(err.Error(), "kinds with one: approval, complaint") {
			t.Errorf("--kind %q: %v, want an error listing the kinds", bad, err)
		}
	}
}
