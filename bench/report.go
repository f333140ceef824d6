package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Runner runs the i-th process of a load from start to finish, recording
// its operations in rec (nil during a warm-up).
type Runner interface {
	One(ctx context.Context, i int, rec *Recorder) error
}

// Preparer is a Runner that makes, before a run and unmeasured, what
// processes first .. first+n-1 need (a scenario's subjects).
type Preparer interface {
	Prepare(ctx context.Context, first, n int) error
}

// One runs one process through the HTTP API.
func (f *Flow) One(ctx context.Context, i int, rec *Recorder) error { return f.one(ctx, i, rec) }

// One runs one process through the Temporal SDK.
func (r *Raw) One(ctx context.Context, i int, rec *Recorder) error { return r.one(ctx, i, rec) }

// warmupFirst numbers warm-up processes apart from measured ones.
const warmupFirst = 1_000_000_000

// Options describe one measured run.
type Options struct {
	Label    string // for the progress bar
	Load     Load
	Warmup   int       // unrecorded processes run first
	Progress io.Writer // nil: no progress bar
	// PostgresCPU, when set, reports the CPU time an embedded PostgreSQL
	// has used so far (see ProcessTreeCPU), shown apart in the result.
	PostgresCPU func() time.Duration
}

// Measure runs the warm-up, then the load, and sums up.
func Measure(ctx context.Context, r Runner, o Options) RunResult {
	if p, ok := r.(Preparer); ok {
		for _, batch := range [][2]int{{warmupFirst, o.Warmup}, {0, o.Load.N}} {
			if err := p.Prepare(ctx, batch[0], batch[1]); err != nil {
				return RunResult{Failed: o.Load.N, Errors: []string{err.Error()}}
			}
		}
	}
	if o.Warmup > 0 {
		bar := NewProgress(o.Progress, o.Label+" (warm-up)", o.Warmup)
		Load{N: o.Warmup, Concurrency: max(o.Load.Concurrency, 1)}.run(ctx, warmupFirst, bar,
			func(ctx context.Context, i int) error { return r.One(ctx, i, nil) })
		bar.Done()
	}
	rec := NewRecorder()
	bar := NewProgress(o.Progress, o.Label, o.Load.N)
	before := cpuNow(o.PostgresCPU)
	out := o.Load.run(ctx, 0, bar, func(ctx context.Context, i int) error { return r.One(ctx, i, rec) })
	res := result(out, rec)
	res.CPU = cpuPerProcess(before, cpuNow(o.PostgresCPU), out.ok)
	bar.Done()
	return res
}

// RunResult is what one measured run of N processes did.
type RunResult struct {
	Processes       int                `json:"processes"` // finished
	Failed          int                `json:"failed"`
	Tasks           int                `json:"tasks"` // completed
	Seconds         float64            `json:"seconds"`
	ProcessesPerSec float64            `json:"processes_per_s"`
	TasksPerSec     float64            `json:"tasks_per_s"`
	ListsPerTask    float64            `json:"lists_per_task,omitempty"`    // inbox looks until the task was there
	PollsPerProcess float64            `json:"polls_per_process,omitempty"` // process page reads until it ended
	CPU             CPU                `json:"cpu"`
	Latency         map[string]Latency `json:"latency"`
	Errors          []string           `json:"errors,omitempty"`
}

func result(o outcome, rec *Recorder) RunResult {
	secs := o.elapsed.Seconds()
	tasks := rec.Counter("tasks")
	r := RunResult{Processes: o.ok, Failed: o.failed, Tasks: tasks, Seconds: round(secs, 3),
		ProcessesPerSec: round(float64(o.ok)/secs, 2), TasksPerSec: round(float64(tasks)/secs, 2),
		Latency: rec.Summary(), Errors: o.errors}
	if lists := rec.Counter("lists"); lists > 0 && tasks > 0 {
		r.ListsPerTask = round(float64(lists)/float64(tasks), 2)
	}
	if polls := rec.Counter("polls"); polls > 0 && o.ok > 0 {
		r.PollsPerProcess = round(float64(polls)/float64(o.ok), 2)
	}
	return r
}

func round(v float64, digits int) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// Ratio is a's process throughput over b's, 0 when b did nothing.
func Ratio(a, b RunResult) float64 {
	if b.ProcessesPerSec == 0 {
		return 0
	}
	return round(a.ProcessesPerSec/b.ProcessesPerSec, 3)
}

// CPURatio is b's CPU per process over a's, counting this process and
// PostgreSQL: what the throughput ratio tends to once both runs saturate the
// machine. It is 0 unless PostgreSQL's CPU was measured (an embedded run:
// against a deployment this process is only the load driver).
func CPURatio(a, b RunResult) float64 {
	cost := func(r RunResult) float64 { return r.CPU.SelfMsPerProcess + r.CPU.PostgresMsPerProcess }
	if a.CPU.PostgresMsPerProcess == 0 || cost(a) == 0 {
		return 0
	}
	return round(cost(b)/cost(a), 3)
}

// KindReport compares zhidu and raw Temporal on one process kind.
type KindReport struct {
	Kind  string     `json:"kind"`
	Zhidu RunResult  `json:"zhidu"`
	Raw   *RunResult `json:"raw,omitempty"`
	// Ratio is zhidu's process throughput over raw Temporal's (our
	// overhead: 1 is none).
	Ratio float64 `json:"ratio,omitempty"`
	// CPURatio is raw Temporal's CPU per process over zhidu's (see CPURatio).
	CPURatio float64 `json:"cpu_ratio,omitempty"`
}

// Report is everything one `zhidu bench` run measured.
type Report struct {
	Machine     Machine      `json:"machine"`
	Target      string       `json:"target"` // "embedded" or the deployment's URL
	Mode        string       `json:"mode,omitempty"`
	N           int          `json:"n,omitempty"`
	Concurrency int          `json:"concurrency,omitempty"`
	Rate        float64      `json:"rate,omitempty"`
	Kinds       []KindReport `json:"kinds,omitempty"`
	Inbox       *InboxReport `json:"inbox,omitempty"`
	Notes       []string     `json:"notes,omitempty"`
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// flowOps is the order operations are printed in.
var flowOps = []string{OpStart, OpList, OpClaim, OpComplete, OpClaimComplete, OpPoll, OpEnd, OpProcess}

// Print writes the report for people.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "machine: %s\ntarget:  %s\n", r.Machine, r.Target)
	for _, k := range r.Kinds {
		load := fmt.Sprintf("closed loop, %d clients", r.Concurrency)
		if r.Mode == "open" {
			load = fmt.Sprintf("open loop, %g processes/s arriving", r.Rate)
		}
		fmt.Fprintf(w, "\n%s: %d processes, %s\n", k.Kind, r.N, load)
		runs, names := []RunResult{k.Zhidu}, []string{"zhidu (HTTP API)"}
		if k.Raw != nil {
			runs, names = append(runs, *k.Raw), append(names, "raw Temporal SDK")
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		row := func(cells ...string) { fmt.Fprintln(tw, "  "+strings.Join(cells, "\t")+"\t") }
		row(append([]string{""}, names...)...)
		for _, line := range []struct {
			name string
			v    func(RunResult) string
		}{
			{"processes/s", func(x RunResult) string { return strconv.FormatFloat(x.ProcessesPerSec, 'f', 2, 64) }},
			{"tasks/s", func(x RunResult) string { return strconv.FormatFloat(x.TasksPerSec, 'f', 2, 64) }},
			{"finished/failed", func(x RunResult) string { return fmt.Sprintf("%d/%d", x.Processes, x.Failed) }},
			{"seconds", func(x RunResult) string { return strconv.FormatFloat(x.Seconds, 'f', 1, 64) }},
			{"CPU ms/process, this process", func(x RunResult) string { return f1(x.CPU.SelfMsPerProcess) }},
			{"CPU ms/process, PostgreSQL", func(x RunResult) string { return f1(x.CPU.PostgresMsPerProcess) }},
			{"CPU ms/process, other programs", func(x RunResult) string { return f1(x.CPU.OtherMsPerProcess) }},
		} {
			cells := []string{line.name}
			for _, x := range runs {
				cells = append(cells, line.v(x))
			}
			row(cells...)
		}
		tw.Flush()
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		cells := []string{"latency, ms"}
		for _, n := range names {
			n, _, _ = strings.Cut(n, " ")
			cells = append(cells, n+" p50", "p95", "p99")
		}
		row(cells...)
		for _, op := range ops(k.Zhidu.Latency, flowOps...) {
			cells := []string{op}
			for _, x := range runs {
				l, ok := x.Latency[op]
				if !ok {
					cells = append(cells, "-", "-", "-")
					continue
				}
				cells = append(cells, f1(l.P50), f1(l.P95), f1(l.P99))
			}
			row(cells...)
		}
		tw.Flush()
		if x := k.Zhidu; x.ListsPerTask > 0 {
			fmt.Fprintf(w, "  inbox looks per task: %.2f; process page reads per process: %.2f\n", x.ListsPerTask, x.PollsPerProcess)
		}
		if k.Raw != nil {
			fmt.Fprintf(w, "  zhidu / raw process throughput: %.3f\n", k.Ratio)
			if k.CPURatio > 0 {
				fmt.Fprintf(w, "  CPU per process, raw / zhidu: %.3f (what the throughput ratio tends to when both saturate the machine)\n", k.CPURatio)
			}
		}
		for _, x := range runs {
			for _, e := range x.Errors {
				fmt.Fprintf(w, "  error: %s\n", e)
			}
		}
	}
	if r.Inbox != nil {
		r.Inbox.print(w)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// Machine describes where a run happened.
type Machine struct {
	CPU        string  `json:"cpu"`
	Cores      int     `json:"cores"`
	MemoryGiB  float64 `json:"memory_gib"`
	OS         string  `json:"os"`
	Go         string  `json:"go"`
	PostgreSQL string  `json:"postgresql,omitempty"`
}

func (m Machine) String() string {
	s := fmt.Sprintf("%s, %d cores, %.0f GiB, %s, %s", m.CPU, m.Cores, m.MemoryGiB, m.OS, m.Go)
	if m.PostgreSQL != "" {
		s += ", PostgreSQL " + m.PostgreSQL
	}
	return s
}

// ThisMachine describes the machine the process runs on (CPU model and
// memory from /proc on Linux).
func ThisMachine() Machine {
	m := Machine{CPU: "unknown CPU", Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version()}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPU = strings.Join(strings.Fields(v), " ")
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.ParseFloat(strings.Fields(v)[0], 64); err == nil {
			m.MemoryGiB = round(kb/(1<<20), 1)
		}
	}
	return m
}

// procField returns the value of the first "name: value" line of a /proc
// file, or "".
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
