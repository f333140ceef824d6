package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress draws a progress bar for a long operation. On a terminal it
// redraws one line several times a second; elsewhere (a log file, CI) it
// prints a line at every tenth of the way. A Progress on a nil writer
// draws nothing.
type Progress struct {
	w     io.Writer
	label string
	total int64
	done  atomic.Int64
	began time.Time
	tty   bool

	stop     chan struct{}
	finished sync.WaitGroup
	once     sync.Once
	lastTen  int64
}

// NewProgress starts a progress bar for total steps of label.
func NewProgress(w io.Writer, label string, total int) *Progress {
	p := &Progress{w: w, label: label, total: int64(max(total, 1)), began: time.Now(), stop: make(chan struct{})}
	if w == nil {
		return p
	}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	p.finished.Add(1)
	go p.loop()
	return p
}

// Add counts n more steps done.
func (p *Progress) Add(n int) { p.done.Add(int64(n)) }

// Done stops the bar and leaves its final state on the screen.
func (p *Progress) Done() {
	p.once.Do(func() {
		close(p.stop)
		if p.w != nil {
			p.finished.Wait()
			fmt.Fprintln(p.w, p.line())
		}
	})
}

func (p *Progress) loop() {
	defer p.finished.Done()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			if p.tty {
				fmt.Fprint(p.w, "\r")
			}
			return
		case <-tick.C:
			if p.tty {
				fmt.Fprint(p.w, "\r"+p.line()+"  ")
				continue
			}
			if ten := p.done.Load() * 10 / p.total; ten > p.lastTen && ten < 10 {
				p.lastTen = ten
				fmt.Fprintln(p.w, p.line())
			}
		}
	}
}

// line renders the bar: label, bar, done/total, rate and elapsed time.
func (p *Progress) line() string {
	done := min(p.done.Load(), p.total)
	const width = 30
	filled := int(done * width / p.total)
	elapsed := time.Since(p.began)
	rate := float64(done) / max(elapsed.Seconds(), 1e-3)
	return fmt.Sprintf("%s [%s%s] %d/%d %.1f/s %s", p.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		done, p.total, rate, elapsed.Round(100*time.Millisecond))
}
