// Package bench drives zhidu under load and reports what it measured: the
// process flow through the HTTP API (start, inbox, claim, complete) next to
// the same workflows driven straight through the Temporal SDK (the ceiling
// of the machine), and inbox reads over HTTP. It is the engine of `zhidu
// bench`; cmd/zhidu wires the stack it runs against.
//
// Speed is measured here, never asserted: tests of this package check the
// arithmetic and that a run completes, not how fast it was.
package bench

import (
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// Latency summarises the samples of one operation, in milliseconds.
type Latency struct {
	Count  int     `json:"count"`
	Errors int     `json:"errors,omitempty"`
	Mean   float64 `json:"mean_ms"`
	P50    float64 `json:"p50_ms"`
	P95    float64 `json:"p95_ms"`
	P99    float64 `json:"p99_ms"`
	Max    float64 `json:"max_ms"`
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted samples by
// the nearest-rank method: the smallest sample at or below which p percent
// of the samples lie. It returns 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Summarise computes count, mean, p50, p95, p99 and max of samples (which
// it does not modify).
func Summarise(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Latency{
		Count: len(s),
		Mean:  ms(sum / time.Duration(len(s))),
		P50:   ms(Percentile(s, 50)),
		P95:   ms(Percentile(s, 95)),
		P99:   ms(Percentile(s, 99)),
		Max:   ms(s[len(s)-1]),
	}
}

// ms renders a duration as milliseconds with microsecond precision.
func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }

// Recorder collects latency samples and error counts by operation. It is
// safe for concurrent use; a nil Recorder records nothing (warm-up runs).
type Recorder struct {
	mu      sync.Mutex
	samples map[string][]time.Duration
	errors  map[string]int
	counts  map[string]int
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{samples: map[string][]time.Duration{}, errors: map[string]int{}, counts: map[string]int{}}
}

// Add records one sample of op.
func (r *Recorder) Add(op string, d time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.samples[op] = append(r.samples[op], d)
	r.mu.Unlock()
}

// Fail counts one failed op.
func (r *Recorder) Fail(op string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.errors[op]++
	r.mu.Unlock()
}

// Count adds n to a counter (e.g. polls, tasks).
func (r *Recorder) Count(name string, n int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.counts[name] += n
	r.mu.Unlock()
}

// Counter returns a counter's value.
func (r *Recorder) Counter(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[name]
}

// Time runs f and records its duration under op when it succeeds, or
// counts a failure. It returns f's error and duration.
func (r *Recorder) Time(op string, f func() error) (time.Duration, error) {
	began := time.Now()
	err := f()
	took := time.Since(began)
	if err != nil {
		r.Fail(op)
	} else {
		r.Add(op, took)
	}
	return took, err
}

// Summary summarises every operation seen.
func (r *Recorder) Summary() map[string]Latency {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]Latency{}
	for op, s := range r.samples {
		out[op] = Summarise(s)
	}
	for op, n := range r.errors {
		l := out[op]
		l.Errors = n
		out[op] = l
	}
	return out
}

// ops returns the operation names of a summary in a stable order: the
// known ones first, as listed, then the rest alphabetically.
func ops(m map[string]Latency, known ...string) []string {
	var out []string
	for _, k := range known {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(known, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
