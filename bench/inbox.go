package bench

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// Reader is a user whose inbox is read, and what kind of reader they are.
type Reader struct {
	User        string `json:"user"`
	Description string `json:"description"` // e.g. "staff, internal"
}

// Inbox measures GET /api/v1/tasks over HTTP: for each reader, the first
// page and a deep page (reached by following next_cursor), each at every
// concurrency.
type Inbox struct {
	Client      *Client
	Readers     []Reader
	Concurrency []int
	// Requests per reader, page and concurrency.
	Requests int
	// DeepPage is the page number of the deep page (21: twenty pages in).
	DeepPage int
	// PostgresCPU, when set, reports an embedded PostgreSQL's CPU time,
	// so that other programs' share of the machine can be told apart.
	PostgresCPU func() time.Duration
}

// InboxRow is one measured cell.
type InboxRow struct {
	Reader      Reader  `json:"reader"`
	InboxTotal  int     `json:"inbox_total"` // tasks in the reader's inbox
	Page        int     `json:"page"`
	Concurrency int     `json:"concurrency"`
	Latency     Latency `json:"latency"`
	PerSec      float64 `json:"requests_per_s"`
	// OtherCores is how many cores other programs kept busy meanwhile
	// (near zero, or the figures are disturbed).
	OtherCores float64 `json:"other_cores"`
}

// InboxReport is what zhidu bench inbox measured, and on what data.
type InboxReport struct {
	Users       int        `json:"users"`
	Tasks       int        `json:"tasks"`
	LoadSeconds float64    `json:"load_seconds,omitempty"`
	Rows        []InboxRow `json:"rows"`
}

type inboxPage struct {
	Total      int    `json:"total"`
	NextCursor string `json:"next_cursor"`
}

// Run measures every cell, with a progress bar on progress.
func (b *Inbox) Run(ctx context.Context, progress io.Writer) ([]InboxRow, error) {
	type target struct {
		reader Reader
		total  int
		page   int
		cursor string
	}
	var targets []target
	for _, r := range b.Readers {
		cursor, total := "", 0
		for page := 1; ; page++ {
			var p inboxPage
			if err := b.Client.Do(ctx, r.User, "GET", "/api/v1/tasks?"+query(cursor), nil, &p); err != nil {
				return nil, err
			}
			if page == 1 {
				total = p.Total
				targets = append(targets, target{reader: r, total: total, page: 1})
			}
			if page+1 > b.DeepPage || p.NextCursor == "" {
				break // a short inbox has no deep page
			}
			cursor = p.NextCursor
			if page+1 == b.DeepPage {
				targets = append(targets, target{reader: r, total: total, page: b.DeepPage, cursor: cursor})
			}
		}
	}
	bar := NewProgress(progress, "GET /tasks", len(targets)*len(b.Concurrency)*b.Requests)
	defer bar.Done()
	var rows []InboxRow
	for _, t := range targets {
		for _, c := range b.Concurrency {
			row, err := b.cell(ctx, t.reader.User, t.cursor, c, bar)
			if err != nil {
				return nil, err
			}
			row.Reader, row.InboxTotal, row.Page = t.reader, t.total, t.page
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func query(cursor string) string {
	v := url.Values{"limit": {"50"}}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	return v.Encode()
}

// cell sends Requests requests for one page from c concurrent clients,
// after a few unrecorded ones to warm the connections and caches.
func (b *Inbox) cell(ctx context.Context, user, cursor string, c int, bar *Progress) (InboxRow, error) {
	path := "/api/v1/tasks?" + query(cursor)
	for range c {
		if err := b.Client.Do(ctx, user, "GET", path, nil, nil); err != nil {
			return InboxRow{}, err
		}
	}
	rec := NewRecorder()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	began, before := time.Now(), cpuNow(b.PostgresCPU)
	for range c {
		wg.Go(func() {
			for next.Add(1) <= int64(b.Requests) && ctx.Err() == nil {
				if _, err := rec.Time(OpList, func() error { return b.Client.Do(ctx, user, "GET", path, nil, nil) }); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				bar.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return InboxRow{}, firstErr
	}
	elapsed, after := time.Since(began), cpuNow(b.PostgresCPU)
	other := (after.machine - before.machine) - (after.self - before.self) - (after.postgres - before.postgres)
	return InboxRow{Concurrency: c, Latency: rec.Summary()[OpList], PerSec: round(float64(b.Requests)/elapsed.Seconds(), 1),
		OtherCores: round(max(other.Seconds(), 0)/elapsed.Seconds(), 2)}, nil
}

func (r *InboxReport) print(w io.Writer) {
	fmt.Fprintf(w, "\ninbox: GET /api/v1/tasks (50 per page) over HTTP, %d users, %d tasks", r.Users, r.Tasks)
	if r.LoadSeconds > 0 {
		fmt.Fprintf(w, " (loaded in %.0f s)", r.LoadSeconds)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "reader\tinbox\tpage\tclients\tp50 ms\tp95 ms\tp99 ms\treq/s\tother programs (cores)\t")
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%s (%s)\t%d\t%d\t%d\t%s\t%s\t%s\t%.0f\t%.2f\t\n", row.Reader.Description, row.Reader.User, row.InboxTotal,
			row.Page, row.Concurrency, f1(row.Latency.P50), f1(row.Latency.P95), f1(row.Latency.P99), row.PerSec, row.OtherCores)
	}
	tw.Flush()
}
