package activities

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// TestCheckEntry: a register record must name a kind with a register, and
// a field a column shows must hold a value of the column's type — else a
// non-retryable error, before anything is written.
func TestCheckEntry(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	ok := []map[string]any{
		nil,
		{"stage": "reply", "valid": true, "compensation": 12.5, "important": false, "unshown": []any{1, "x"}},
		{"compensation": 3, "valid": nil},
	}
	for _, f := range ok {
		if err := checkEntry(zhidu.RegisterRecord{ProcessID: "complaint-1", Kind: workflows.KindComplaint, Fields: f, At: at}); err != nil {
			t.Errorf("%v: %v", f, err)
		}
	}
	yes := true
	if err := checkEntry(workflows.ComplaintEntry(zhidu.ComplaintRecord{ProcessID: "complaint-1", Stage: "closed", Valid: &yes,
		RepliedAt: &at, ClosedAt: &at, At: at})); err != nil {
		t.Errorf("a complaint record: %v", err)
	}
	for _, c := range []struct {
		kind   string
		fields map[string]any
	}{
		{"approval", nil}, // keeps no register
		{"nope", nil},
		{workflows.KindComplaint, map[string]any{"valid": "yes"}},
		{workflows.KindComplaint, map[string]any{"compensation": "12.50"}},
		{workflows.KindComplaint, map[string]any{"stage": 3}},
		{workflows.KindComplaint, map[string]any{"important": 1}},
	} {
		err := checkEntry(zhidu.RegisterRecord{ProcessID: "complaint-1", Kind: c.kind, Fields: c.fields, At: at})
		if zhidu.ErrorCode(err) != zhidu.CodeInvalid {
			t.Errorf("%s %v: %v, want invalid", c.kind, c.fields, err)
			continue
		}
		var app *temporal.ApplicationError
		if !errors.As(permanent(err), &app) || !app.NonRetryable() {
			t.Errorf("%s %v: %v is retried", c.kind, c.fields, permanent(err))
		}
	}
}
