package bench

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
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
	mu       sync.Mutex
	window   []time.Duration
	failed   int
	began    time.Time
	samples  []Sample
	onSample func(Sample)
	stop     chan struct{}
	stopped  sync.WaitGroup
	// measure gives the resident set (bytes) and goroutines of what is
	// measured: this process by default (self).
	measure func() (rss int64, goroutines int)
}

func newSampler(every time.Duration, on func(Sample)) *sampler {
	s := &sampler{began: time.Now(), onSample: on, stop: make(chan struct{}), measure: self}
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
	rss, goroutines := s.measure()
	sm := Sample{At: time.Since(s.began), Done: len(w), Failed: failed, P50: q(0.5), P99: q(0.99),
		RSS: rss, Goroutines: goroutines}
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

// self measures this process.
func self() (int64, int) { return residentSet(), runtime.NumGoroutine() }

// scraper measures the processes serving the metrics at urls: the sums of
// their process_resident_memory_bytes and go_goroutines (Prometheus's
// default collectors, which every zhidu process serves). An endpoint that
// does not answer counts 0, and the sample shows the drop.
func scraper(urls []string) func() (int64, int) {
	client := &http.Client{Timeout: 5 * time.Second}
	return func() (int64, int) {
		var rss, goroutines float64
		for _, u := range urls {
			families, err := scrape(client, u)
			if err != nil {
				continue
			}
			rss += gauge(families, "process_resident_memory_bytes")
			goroutines += gauge(families, "go_goroutines")
		}
		return int64(rss), int(goroutines)
	}
}

func scrape(client *http.Client, url string) (map[string]*dto.MetricFamily, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// gauge is the value of a family's first gauge, or 0.
func gauge(families map[string]*dto.MetricFamily, name string) float64 {
	if f, ok := families[name]; ok && len(f.GetMetric()) > 0 {
		return f.GetMetric()[0].GetGauge().GetValue()
	}
	return 0
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
