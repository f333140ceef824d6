package workflows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

// TestComplaintEntry: a complaint step's record becomes the register entry
// the generic writer merges: every field set (none left empty), the
// closing and retention typed, an important complaint kept for good.
func TestComplaintEntry(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 123456789, time.UTC)
	yes, amount := true, 12.5
	e := ComplaintEntry(zhidu.ComplaintRecord{ProcessID: "complaint-1", Stage: "closed", Important: &yes, Compensation: &amount,
		ApprovedBy: []string{"vp.ops"}, RepliedAt: &at, ClosedAt: &at, RetainUntil: &at, At: at})
	if e.ProcessID != "complaint-1" || e.Kind != KindComplaint || e.At != at || e.ClosedAt != &at || e.RetainUntil != &at ||
		e.KeepForGood == nil || !*e.KeepForGood {
		t.Errorf("entry = %+v", e)
	}
	got, _ := json.Marshal(e.Fields)
	if want := `{"approved_by":["vp.ops"],"compensation":12.5,"important":true,"replied_at":"2026-11-27T09:00:00.123456Z","stage":"closed"}`; string(got) != want {
		t.Errorf("fields = %s, want %s", got, want)
	}
	e = ComplaintEntry(zhidu.ComplaintRecord{ProcessID: "complaint-1", At: at})
	if e.Fields != nil || e.KeepForGood != nil || e.ClosedAt != nil {
		t.Errorf("an empty record changes nothing: %+v", e)
	}
}
