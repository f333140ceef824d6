package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func durations(msList ...int) []time.Duration {
	out := make([]time.Duration, len(msList))
	for i, v := range msList {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample", durations(7), 99, 7 * time.Millisecond},
		{"median of odd", durations(1, 2, 3), 50, 2 * time.Millisecond},
		{"median of even is the lower middle", durations(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p95 of 100", hundred, 95, 95 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p99 of 10 is the max", durations(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"tiny p is the min", durations(5, 6), 0.001, 5 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.samples, tc.p); got != tc.want {
				t.Errorf("Percentile(%v, %g) = %v, want %v", tc.samples, tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	in := durations(30, 10, 20, 40)
	got := Summarise(in)
	want := Latency{Count: 4, Mean: 25, P50: 20, P95: 40, P99: 40, Max: 40}
	if got != want {
		t.Fatalf("Summarise = %+v, want %+v", got, want)
	}
	if in[0] != 30*time.Millisecond {
		t.Fatal("Summarise sorted its input")
	}
	if got := Summarise(nil); got != (Latency{}) {
		t.Fatalf("Summarise(nil) = %+v", got)
	}
	if got := Summarise([]time.Duration{1500 * time.Microsecond}); got.P50 != 1.5 {
		t.Fatalf("1.5 ms reported as %v", got.P50)
	}
}

func TestRecorder(t *testing.T) {
	r := NewRecorder()
	r.Add(OpStart, 10*time.Millisecond)
	if _, err := r.Time(OpClaim, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if _, err := r.Time(OpClaim, func() error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Time returned %v, want f's error", err)
	}
	r.Count("tasks", 2)
	r.Count("tasks", 1)
	s := r.Summary()
	if s[OpStart].Count != 1 || s[OpStart].P50 != 10 {
		t.Errorf("start = %+v", s[OpStart])
	}
	if s[OpClaim].Count != 1 || s[OpClaim].Errors != 1 {
		t.Errorf("claim = %+v, want one sample and one error", s[OpClaim])
	}
	if got := r.Counter("tasks"); got != 3 {
		t.Errorf("tasks = %d, want 3", got)
	}

	var none *Recorder // warm-ups record nothing and must not crash
	none.Add(OpStart, time.Second)
	none.Fail(OpStart)
	none.Count("tasks", 1)
	if _, err := none.Time(OpStart, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestResultAndRatio(t *testing.T) {
	rec := NewRecorder()
	rec.Count("tasks", 40)
	rec.Count("lists", 100)
	rec.Count("polls", 30)
	rec.Add(OpProcess, time.Second)
	r := result(outcome{elapsed: 4 * time.Second, ok: 20, failed: 1, errors: []string{"x"}}, rec)
	if r.ProcessesPerSec != 5 || r.TasksPerSec != 10 || r.ListsPerTask != 2.5 || r.PollsPerProcess != 1.5 || r.Seconds != 4 || r.Failed != 1 {
		t.Fatalf("result = %+v", r)
	}
	raw := RunResult{ProcessesPerSec: 8}
	if got := Ratio(r, raw); got != 0.625 {
		t.Errorf("Ratio = %v, want 0.625", got)
	}
	if got := Ratio(r, RunResult{}); got != 0 {
		t.Errorf("Ratio against nothing = %v, want 0", got)
	}
	r.CPU = CPU{SelfMsPerProcess: 30, PostgresMsPerProcess: 10}
	raw.CPU = CPU{SelfMsPerProcess: 25}
	if got := CPURatio(r, raw); got != 0.625 {
		t.Errorf("CPURatio = %v, want 0.625", got)
	}
	r.CPU.PostgresMsPerProcess = 0 // against a deployment: only the load driver is measured
	if got := CPURatio(r, raw); got != 0 {
		t.Errorf("CPURatio without PostgreSQL's CPU = %v, want 0", got)
	}
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		load Load
	}{
		{"closed", Load{N: 25, Concurrency: 4}},
		{"closed, more clients than processes", Load{N: 3, Concurrency: 10}},
		{"open", Load{N: 10, Rate: 500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var running, peak, calls atomic.Int64
			seen := make([]atomic.Bool, tc.load.N)
			out := tc.load.run(context.Background(), 0, nil, func(_ context.Context, i int) error {
				calls.Add(1)
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				defer running.Add(-1)
				if seen[i].Swap(true) {
					t.Errorf("process %d ran twice", i)
				}
				time.Sleep(time.Millisecond)
				if i == 1 {
					return errors.New("failed on purpose")
				}
				return nil
			})
			if calls.Load() != int64(tc.load.N) || out.ok != tc.load.N-1 || out.failed != 1 || len(out.errors) != 1 {
				t.Fatalf("calls %d, outcome %+v; want %d calls, one failure", calls.Load(), out, tc.load.N)
			}
			if tc.load.Rate == 0 && peak.Load() > int64(tc.load.Concurrency) {
				t.Errorf("%d processes ran at once, want at most %d", peak.Load(), tc.load.Concurrency)
			}
		})
	}
	for _, bad := range []Load{{N: 0, Concurrency: 1}, {N: 1}, {N: 1, Rate: -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v must be refused", bad)
		}
	}
	if (Load{N: 1, Rate: 5}).Validate() != nil || (Load{N: 1, Rate: 5}).Mode() != "open" || (Load{N: 1, Concurrency: 1}).Mode() != "closed" {
		t.Error("an open loop needs no concurrency")
	}
}

func TestReportOutput(t *testing.T) {
	lat := map[string]Latency{OpStart: {Count: 1, P50: 1, P95: 2, P99: 3}, OpComplete: {Count: 2, P50: 4, P95: 5, P99: 6}}
	raw := RunResult{Processes: 2, ProcessesPerSec: 4, Latency: map[string]Latency{OpComplete: {Count: 2, P50: 1}}}
	r := Report{Machine: Machine{CPU: "cpu", Cores: 2}, Target: "embedded", Mode: "closed", N: 2, Concurrency: 2,
		Kinds: []KindReport{{Kind: "approval", Zhidu: RunResult{Processes: 2, ProcessesPerSec: 3, Latency: lat}, Raw: &raw, Ratio: 0.75}},
		Inbox: &InboxReport{Users: 10, Tasks: 20, Rows: []InboxRow{{Reader: Reader{User: "u1", Description: "staff, internal"}, Page: 1,
			Concurrency: 4, Latency: Latency{P50: 1.25, P99: 2.5}}}}}
	var text bytes.Buffer
	r.Print(&text)
	for _, want := range []string{"approval: 2 processes, closed loop, 2 clients", "zhidu / raw process throughput: 0.750",
		"start", "complete", "staff, internal (u1)", "2.5"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Kinds[0].Ratio != 0.75 || back.Kinds[0].Zhidu.Latency[OpComplete].P99 != 6 || back.Inbox.Rows[0].Latency.P99 != 2.5 {
		t.Fatalf("JSON round trip lost figures: %s", js.String())
	}
	if !strings.Contains(js.String(), `"p99_ms": 6`) {
		t.Errorf("latencies are in milliseconds with _ms names: %s", js.String())
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, "loading", 10)
	p.Add(4)
	p.Add(6)
	p.Done()
	p.Done()
	if !strings.Contains(b.String(), "loading [") || !strings.Contains(b.String(), "10/10") {
		t.Fatalf("progress = %q", b.String())
	}
	NewProgress(nil, "quiet", 1).Done()
}

// TestSoakSamples: a sampled run takes a sample per window, the last one
// partial, counting what finished and failed in each, with the process's
// memory and goroutines.
func TestSoakSamples(t *testing.T) {
	var seen []Sample
	var mu sync.Mutex
	l := Load{N: 40, Rate: 200, Sample: 50 * time.Millisecond, OnSample: func(s Sample) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, s)
	}}
	out := l.run(context.Background(), 0, nil, func(ctx context.Context, i int) error {
		time.Sleep(5 * time.Millisecond)
		if i%10 == 0 {
			return fmt.Errorf("process %d failed", i)
		}
		return nil
	})
	done, failed := 0, 0
	for _, s := range out.samples {
		done, failed = done+s.Done, failed+s.Failed
		if s.Goroutines == 0 || (s.Done > 0 && s.P99 < s.P50) {
			t.Errorf("sample %+v", s)
		}
	}
	if done != 36 || failed != 4 || len(out.samples) < 2 || len(seen) != len(out.samples) {
		t.Errorf("%d samples (%d seen): done %d, failed %d", len(out.samples), len(seen), done, failed)
	}
	if got := parseRSS(strings.NewReader("Name:\tzhidu\nVmRSS:\t  123456 kB\n")); got != 123456<<10 {
		t.Errorf("parseRSS = %d", got)
	}
}

// TestScraper: a soak against --url measures the deployment's processes
// from their /metrics: resident memory and goroutines summed over the
// endpoints; one that does not answer counts nothing.
func TestScraper(t *testing.T) {
	srv := httptest.NewServer(promhttp.Handler())
	defer srv.Close()
	one, g1 := scraper([]string{srv.URL})()
	two, g2 := scraper([]string{srv.URL, srv.URL, "http://127.0.0.1:1/metrics"})()
	if one <= 0 || g1 <= 0 {
		t.Fatalf("one endpoint: rss %d, goroutines %d", one, g1)
	}
	if two < one || two > 3*one || g2 < g1 {
		t.Errorf("two endpoints: rss %d (one: %d), goroutines %d (one: %d)", two, one, g2, g1)
	}
}
