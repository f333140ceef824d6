package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Load is how processes arrive: N of them, either from Concurrency clients
// that each start the next process as soon as their last one finished
// (closed loop, Rate 0: the system is saturated) or at a fixed Rate per
// second whatever the system does (open loop: latency at a given load).
type Load struct {
	N           int
	Concurrency int
	Rate        float64
	// Sample, when set, takes a Sample every this long (a soak: memory,
	// goroutines and latency over time) and hands it to OnSample.
	Sample   time.Duration
	OnSample func(Sample)
	// Watch, when set, are the /metrics URLs of the deployment's own
	// processes (serve, worker): a sample's memory and goroutines are then
	// theirs, summed, not this process's (a soak against --url).
	Watch []string
}

// Mode names the loop: "closed" or "open".
func (l Load) Mode() string {
	if l.Rate > 0 {
		return "open"
	}
	return "closed"
}

// Validate checks the load makes sense.
func (l Load) Validate() error {
	switch {
	case l.N < 1:
		return fmt.Errorf("-n must be at least 1")
	case l.Rate < 0:
		return fmt.Errorf("--rate must not be negative")
	case l.Rate == 0 && l.Concurrency < 1:
		return fmt.Errorf("-c must be at least 1")
	}
	return nil
}

// maxErrors is how many distinct error messages a run keeps.
const maxErrors = 5

// outcome is what running the processes of a load produced.
type outcome struct {
	elapsed time.Duration
	ok      int
	failed  int
	errors  []string
	samples []Sample
}

// run runs one(ctx, i) for i in [first, first+N) as the load says, ticking
// bar after each, and returns how long it took from the first start to the
// last finish.
func (l Load) run(ctx context.Context, first int, bar *Progress, one func(ctx context.Context, i int) error) outcome {
	var (
		mu   sync.Mutex
		out  outcome
		wg   sync.WaitGroup
		next atomic.Int64
	)
	var samples *sampler
	if l.Sample > 0 {
		samples = newSampler(l.Sample, l.OnSample)
		if len(l.Watch) > 0 {
			samples.measure = scraper(l.Watch)
		}
	}
	timed := func(ctx context.Context, i int) error {
		began := time.Now()
		err := one(ctx, i)
		if samples != nil {
			samples.record(time.Since(began), err)
		}
		return err
	}
	record := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			out.ok++
		} else {
			out.failed++
			if len(out.errors) < maxErrors {
				out.errors = append(out.errors, err.Error())
			}
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	began := time.Now()
	if l.Rate == 0 {
		for range min(l.Concurrency, l.N) {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= l.N || ctx.Err() != nil {
						return
					}
					record(timed(ctx, first+i))
				}
			})
		}
	} else {
		interval := time.Duration(float64(time.Second) / l.Rate)
	arrivals:
		for i := range l.N {
			if wait := time.Until(began.Add(time.Duration(i) * interval)); wait > 0 {
				select {
				case <-ctx.Done():
					break arrivals
				case <-time.After(wait):
				}
			}
			wg.Go(func() { record(timed(ctx, first+i)) })
		}
	}
	wg.Wait()
	out.elapsed = time.Since(began)
	if samples != nil {
		out.samples = samples.close()
	}
	return out
}
