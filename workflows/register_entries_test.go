package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// entryProcess is a test-only process that records its register entry at
// intake and closes it an hour later.
func entryProcess(ctx workflow.Context, info zhidu.ProcessInfo) (string, error) {
	p := newProcess(ctx, info)
	if err := p.recordEntry(ctx, zhidu.RegisterRecord{Fields: map[string]any{"stage": "intake"}}); err != nil {
		return "", err
	}
	if err := workflow.Sleep(ctx, time.Hour); err != nil {
		return "", err
	}
	closed := workflow.Now(ctx)
	retain := closed.AddDate(1, 0, 0)
	return "done", p.recordEntry(ctx, zhidu.RegisterRecord{Fields: map[string]any{"stage": "closed"}, ClosedAt: &closed, RetainUntil: &retain})
}

// TestRecordEntry: a process writes its register entry through the one
// generic activity, which gets the process's ID and kind and the time.
func TestRecordEntry(t *testing.T) {
	h := newHarness[zhidu.ProcessInfo, string](t, "EntryProcess", entryProcess, "returns-1")
	if got := h.run(zhidu.ProcessInfo{ID: "returns-1", Kind: "returns"}); got != "done" {
		t.Fatalf("result = %q", got)
	}
	if len(h.entries) != 2 {
		t.Fatalf("entries = %+v, want two", h.entries)
	}
	first, last := h.entries[0], h.entries[1]
	if first.ProcessID != "returns-1" || first.Kind != "returns" || !first.At.Equal(t0) || first.Fields["stage"] != "intake" || first.ClosedAt != nil {
		t.Errorf("intake entry = %+v", first)
	}
	if last.Fields["stage"] != "closed" || last.ClosedAt == nil || !last.ClosedAt.Equal(t0.Add(time.Hour)) ||
		!last.RetainUntil.Equal(t0.Add(time.Hour).AddDate(1, 0, 0)) || !last.At.Equal(t0.Add(time.Hour)) {
		t.Errorf("closing entry = %+v", last)
	}
}
