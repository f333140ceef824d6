package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sample is one window of a long run (a soak): what finished in it, and
// how the process stood at its end — memory (resident set) and goroutines,
// which a leak makes grow.
type Sample struct {
	At         time.Duration // since the first start
	Done       int           // processes finished in the window
	Failed     int
	P50, P99   time.Duration // of the processes finished in the window
	RSS        int64         // bytes, at the end of the window
	Goroutines int
}

func (s Sample) String() string {
	return fmt.Sprintf("%8s  done %5d  failed %3d  p50 %7s  p99 %7s  rss %6.1f MiB  goroutines %6d",
		s.At.Round(time.Second), s.Done, s.Failed, s.P50.Round(time.Millisecond), s.P99.Round(time.Millisecond),
		float64(s.RSS)/(1<<20), s.Goroutines)
}

// sampler collects the processes' durations and, every window, a Sample.
type sampler struct {
	mu        sync.Mutex
	window    []time.Duration
	failed    int
	began     time.Time
	samples   []Sample
	onSample  func(Sample)
	stop      chan struct{}
	stopped   sync.WaitGroup
	rssSource func() int64
}

func newSampler(every time.Duration, on func(Sample)) *sampler {
	s := &sampler{began: time.Now(), onSample: on, stop: make(chan struct{}), rssSource: residentSet}
	s.stopped.Add(1)
	go func() {
		defer s.stopped.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.take()
			}
		}
	}()
	return s
}

func (s *sampler) record(d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.failed++
		return
	}
	s.window = append(s.window, d)
}

func (s *sampler) take() {
	s.mu.Lock()
	w, failed := s.window, s.failed
	s.window, s.failed = nil, 0
	s.mu.Unlock()
	slices.Sort(w)
	q := func(p float64) time.Duration {
		if len(w) == 0 {
			return 0
		}
		return w[min(len(w)-1, int(p*float64(len(w))))]
	}
	sm := Sample{At: time.Since(s.began), Done: len(w), Failed: failed, P50: q(0.5), P99: q(0.99),
		RSS: s.rssSource(), Goroutines: runtime.NumGoroutine()}
	s.mu.Lock()
	s.samples = append(s.samples, sm)
	s.mu.Unlock()
	if s.onSample != nil {
		s.onSample(sm)
	}
}

// close takes the last (partial) window and stops sampling.
func (s *sampler) close() []Sample {
	close(s.stop)
	s.stopped.Wait()
	s.take()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// residentSet is this process's resident set size in bytes (Linux), or 0.
func residentSet() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	return parseRSS(f)
}

func parseRSS(r io.Reader) int64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
