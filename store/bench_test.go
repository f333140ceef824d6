package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/benchdata"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
)

var (
	benchOnce   sync.Once
	benchStore  *store.Store
	benchAuthz  *authz.Authz
	benchLoaded benchdata.Loaded
)

// loadBench loads 10k users and 1M tasks (ZHIDU_BENCH_TASKS overrides) once
// per test binary.
func loadBench(b *testing.B) {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		pool, err := store.Connect(ctx, pgtest.URL(b), 20)
		if err != nil {
			b.Fatal(err)
		}
		if err := store.Migrate(ctx, pool, nil); err != nil {
			b.Fatal(err)
		}
		if err := authz.InstallDefaultPolicy(ctx, pool); err != nil {
			b.Fatal(err)
		}
		tasks, _ := strconv.Atoi(os.Getenv("ZHIDU_BENCH_TASKS"))
		benchLoaded, err = benchdata.Load(ctx, pool, benchdata.Options{Tasks: tasks, Progress: func(step string, done, total int) {
			fmt.Fprintf(os.Stderr, "\rloading %s: %d/%d   ", step, done, total)
		}})
		fmt.Fprintln(os.Stderr)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("loaded %d users, %d tasks in %s", benchLoaded.Users, benchLoaded.Tasks, benchLoaded.Took.Round(time.Second))
		benchStore = store.New(pool)
		if benchAuthz, err = authz.New(pool); err != nil {
			b.Fatal(err)
		}
	})
	if benchStore == nil {
		b.Fatal("loading failed")
	}
}

func benchViewer(b *testing.B, s benchdata.Sample) store.Viewer {
	a := zhidu.Actor{Username: s.Username, Clearance: s.Clearance, Roles: s.Roles}
	sc, err := benchAuthz.ReadScope(a)
	if err != nil {
		b.Fatal(err)
	}
	return store.Viewer{Username: s.Username, Clearance: s.Clearance, Roles: s.Roles, Leadership: sc.Leadership,
		Global: sc.Global, Member: sc.Member, ConfidentialAll: sc.ConfidentialAll, Confidential: sc.Confidential}
}

// BenchmarkInboxPage measures one inbox page (GET /tasks: my tasks and
// those I may claim, with the read rule in the query) for users of each
// clearance, on the first page, twenty pages deep, searching for one
// process (GET /tasks?q=ID) and narrowed to it (GET /tasks?process=ID).
func BenchmarkInboxPage(b *testing.B) {
	loadBench(b)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range benchLoaded.Samples {
		v := benchViewer(b, s)
		first, err := benchStore.Tasks(ctx, v, store.TaskFilter{Limit: 50}, now)
		if err != nil {
			b.Fatal(err)
		}
		for _, depth := range []int{0, 20, -1, -2} {
			f := store.TaskFilter{Limit: 50}
			name := fmt.Sprintf("%s/%s/page%d", s.Roles[0].Role, s.Clearance, depth+1)
			switch depth {
			case -1:
				f.Q, name = first.Items[0].ProcessID, fmt.Sprintf("%s/%s/search", s.Roles[0].Role, s.Clearance)
			case -2:
				f.Process, name = first.Items[0].ProcessID, fmt.Sprintf("%s/%s/process", s.Roles[0].Role, s.Clearance)
			}
			total := 0
			for i := range max(depth, 0) + 1 {
				page, err := benchStore.Tasks(ctx, v, f, now)
				if err != nil {
					b.Fatal(err)
				}
				total = page.Total
				if i < depth {
					f.Cursor = page.NextCursor
				}
			}
			b.Run(name, func(b *testing.B) {
				var took []time.Duration
				for b.Loop() {
					began := time.Now()
					if _, err := benchStore.Tasks(ctx, v, f, now); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(began))
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(total), "inbox-total")
			})
		}
	}
}
