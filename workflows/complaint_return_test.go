package workflows

import (
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

// TestComplaintReturnSlip: the complaint fills its return slip from
// itself and the responsible department's step — product, batch and basis
// default to the complaint's — and the step refuses what the return would
// refuse at its start, under the step's fields. (The end-to-end test
// follows a complaint through its child return to the reply: the test
// environment does not run a child on after an update.)
func TestComplaintReturnSlip(t *testing.T) {
	in := complaintInput(productIntake(), zhidu.Internal, complaintConfig(0))
	c := &complaint{p: &process{Info: in.Process}, in: in, remedy: "reprocess", cause: "a faulty cap seal",
		now: func() time.Time { return t0 }}
	qty, price := 12.0, 15.5
	d := returnSlipResult{ProductionDate: "2026-02-17", ProductionUnit: "二车间", Quantity: &qty, Unit: "瓶", UnitPrice: &price}
	s := c.slip(d)
	want := ReturnSlip{Customer: in.Intake.Complainant.Name, Product: in.Intake.Product, Batch: in.Intake.Batch,
		ProductionDate: "2026-02-17", ProductionUnit: "二车间", Quantity: 12, Unit: "瓶", UnitPrice: 15.5,
		Reason: in.Intake.Subject, Handling: HandlingReprocess, Basis: "a faulty cap seal", Complaint: complaintID}
	if s != want {
		t.Errorf("slip = %+v\nwant %+v", s, want)
	}
	if errs := c.checkReturnSlip(OutcomeDone, d); errs != nil {
		t.Errorf("a good slip refused: %v", errs)
	}
	frac, later := 1.5, returnSlipResult{ProductionDate: "2026-03-09", ProductionUnit: "二车间", Quantity: &qty, Unit: "瓶", UnitPrice: &price}
	bad := d
	bad.Quantity = &frac
	for name, tc := range map[string]struct {
		d     returnSlipResult
		field string
	}{"fractional quantity": {bad, "data.quantity"}, "production date to come": {later, "data.production_date"}} {
		if errs := c.checkReturnSlip(OutcomeDone, tc.d); errs[tc.field].IsZero() || len(errs) != 1 {
			t.Errorf("%s: errors %v, want only %s", name, errs, tc.field)
		}
	}
	for remedy, handling := range map[string]string{"return": HandlingCredit, "reprocess": HandlingReprocess, "replace": HandlingReplace,
		"compensate": "", "apologise": ""} {
		if got := returnHandling(remedy); got != handling {
			t.Errorf("returnHandling(%s) = %q, want %q", remedy, got, handling)
		}
	}
}
