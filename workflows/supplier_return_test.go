package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

var (
	purBuyer = person("pur.buyer", zhidu.DeptPur, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptPur))
	purHead  = person("pur.head", zhidu.DeptPur, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptPur))
	staffPur = role(zhidu.RoleStaff, zhidu.DeptPur)
	headPur  = role(zhidu.RoleDeptHead, zhidu.DeptPur)
)

const supplierReturnID = "supplier-return-test"

func supplierSlip() SupplierReturnSlip {
	return SupplierReturnSlip{Supplier: "江南包装 Jiangnan Packaging", Material: "500 ml bottle caps", Batch: "C-2026-0211",
		Quantity: 20000, Unit: "个", Defect: "threads cut too shallow: caps leak under pressure"}
}

func supplierInput(requester zhidu.Actor) SupplierReturnInput {
	return SupplierReturnInput{
		Process: zhidu.ProcessInfo{ID: supplierReturnID, Kind: KindSupplierReturn, Title: "Bottle caps C-2026-0211",
			Level: zhidu.Internal, Department: zhidu.DeptQuality, StartedBy: requester.Username},
		Slip: supplierSlip(), Config: DefaultSupplierReturnConfig(),
	}
}

func newSupplierHarness(t *testing.T) *harness[SupplierReturnInput, SupplierReturnResult] {
	t.Helper()
	return newHarness[SupplierReturnInput, SupplierReturnResult](t, WorkflowSupplierReturn, SupplierReturn, supplierReturnID)
}

// TestSupplierReturnInTime: Quality's head confirms, Purchasing sends the
// slip, the supplier credits within the deadline.
func TestSupplierReturnInTime(t *testing.T) {
	h := newSupplierHarness(t)
	staff := h.try(30*time.Second, "quality staff confirm", "quality_confirm", qualityEng, "confirm", nil)
	noContact := h.try(90*time.Minute, "sent without a contact", "purchasing", purBuyer, "sent", nil)
	replies := h.play(
		act{time.Minute, "quality_confirm", qualityHead, "confirm", map[string]any{"findings": "confirmed on 50 samples"}},
		act{2 * time.Hour, "purchasing", purBuyer, "sent", map[string]any{"supplier_contact": "张经理 138 0000 1111"}},
		act{3 * aDay, "supplier_response", purBuyer, "credit", map[string]any{"notes": "credit note CN-77"}},
	)
	res := h.run(supplierInput(qualityEng))

	wantRejected(t, staff, zhidu.CodeForbidden)
	wantRejectedField(t, noContact, zhidu.CodeInvalid, "data.supplier_contact")
	wantAllAccepted(t, replies)
	if res != (SupplierReturnResult{Outcome: ResultCredited}) {
		t.Errorf("result = %+v, want credited in time", res)
	}
	h.wantCompleted(t, ResultCredited, t0.Add(3*aDay))
	wantKeys(t, h, "quality_confirm", "purchasing", "supplier_response")
	wantSpecs(t, h,
		spec{key: "quality_confirm", step: StepQualityConfirm, dept: zhidu.DeptQuality, candidates: []zhidu.Candidate{headQuality},
			escalations: []zhidu.Escalation{esc(2*aDay, vpQuality), esc(3*aDay, deputyGMO, gmGMO)}, excluded: []string{"quality.eng"}, approval: true},
		spec{key: "purchasing", step: StepPurchasing, dept: zhidu.DeptPur, candidates: []zhidu.Candidate{staffPur},
			escalations: []zhidu.Escalation{esc(2*aDay, headPur)}},
		spec{key: "supplier_response", step: StepSupplierResponse, dept: zhidu.DeptPur, candidates: []zhidu.Candidate{staffPur},
			escalations: []zhidu.Escalation{esc(7*aDay, headPur)}},
	)
	if in := h.createdTask(t, "supplier_response"); in.DueAt == nil || !in.DueAt.Equal(t0.Add(2*time.Hour+7*aDay)) {
		t.Errorf("supplier_response due at %v, want 7 days after the slip was sent", in.DueAt)
	}
	wantFields(t, h.register(t, KindSupplierReturn), map[string]any{"stage": "closed", "result": ResultCredited,
		"supplier": "江南包装 Jiangnan Packaging", "quantity": 20000, "confirmed_by": "quality.head", "sent_by": "pur.buyer",
		"supplier_contact": "张经理 138 0000 1111", "deadline": t0.Add(2*time.Hour + 7*aDay), "response": "credit",
		"response_notes": "credit note CN-77", "deadline_breached": false})
}

// TestSupplierReturnRequesterNeverConfirms: the head who opened it does
// not confirm it; the VP does once the step escalates.
func TestSupplierReturnRequesterNeverConfirms(t *testing.T) {
	h := newSupplierHarness(t)
	own := h.try(time.Minute, "the requester confirms", "quality_confirm", qualityHead, "confirm", nil)
	replies := h.play(
		act{2*aDay + time.Hour, "quality_confirm", vpOps, "reject", map[string]any{"findings": "within tolerance"}},
	)
	res := h.run(supplierInput(qualityHead))
	wantRejected(t, own, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	if res.Outcome != ResultRejected {
		t.Errorf("result = %+v, want rejected", res)
	}
	wantKeys(t, h, "quality_confirm")
}

// TestSupplierReturnDeadlineBreached: the supplier does not act within
// the deadline; the response task escalates to the purchasing head, who
// records the refusal.
func TestSupplierReturnDeadlineBreached(t *testing.T) {
	h := newSupplierHarness(t)
	sentAt := 2 * time.Hour
	early := h.try(sentAt+7*aDay-time.Hour, "the head before the deadline", "supplier_response", purHead, "refuse",
		map[string]any{"notes": "no answer"})
	noNotes := h.try(sentAt+7*aDay+time.Hour, "refuse without notes", "supplier_response", purHead, "refuse", nil)
	replies := h.play(
		act{time.Minute, "quality_confirm", qualityHead, "confirm", nil},
		act{sentAt, "purchasing", purBuyer, "sent", map[string]any{"supplier_contact": "张经理"}},
		act{sentAt + 8*aDay, "supplier_response", purHead, "refuse", map[string]any{"notes": "the supplier disputes the test method"}},
	)
	res := h.run(supplierInput(qualityEng))
	wantRejected(t, early, zhidu.CodeForbidden)
	wantRejectedField(t, noNotes, zhidu.CodeInvalid, "data.notes")
	wantAllAccepted(t, replies)
	if res != (SupplierReturnResult{Outcome: ResultRefused, Breached: true}) {
		t.Errorf("result = %+v, want refused after a breach", res)
	}
	var escalations []zhidu.TaskEvent
	for _, e := range h.events {
		if e.Step == StepSupplierResponse && e.Event == zhidu.EventEscalated {
			escalations = append(escalations, e)
		}
	}
	if len(escalations) != 1 || !escalations[0].At.Equal(t0.Add(sentAt+7*aDay)) ||
		candidates(escalations[0].AddCandidates) != candidates([]zhidu.Candidate{headPur}) {
		t.Errorf("supplier_response escalations = %+v, want one to the purchasing head at the deadline", escalations)
	}
	wantFields(t, h.register(t, KindSupplierReturn), map[string]any{"result": ResultRefused, "deadline_breached": true,
		"responded_by": "pur.head"})
}

// TestSupplierReturnCancel cancels it at each step.
func TestSupplierReturnCancel(t *testing.T) {
	confirm := act{time.Minute, "quality_confirm", qualityHead, "confirm", nil}
	sent := act{time.Hour, "purchasing", purBuyer, "sent", map[string]any{"supplier_contact": "张经理"}}
	for _, tt := range []struct {
		waiting string
		acts    []act
	}{
		{"quality_confirm", nil},
		{"purchasing", []act{confirm}},
		{"supplier_response", []act{confirm, sent}},
	} {
		t.Run(tt.waiting, func(t *testing.T) {
			h := newSupplierHarness(t)
			replies := h.play(tt.acts...)
			var r *reply
			h.at(2*time.Hour, func() {
				r = h.cancel("cancel", zhidu.CancelProcessRequest{Actor: qualityHead, Reason: "found the caps fine"})
			})
			res := h.run(supplierInput(qualityEng))
			wantAllAccepted(t, replies)
			wantAccepted(t, r)
			if res.Outcome != ResultCancelled {
				t.Errorf("result = %+v, want cancelled", res)
			}
			h.wantFinished(t, zhidu.ProcessCancelled, ResultCancelled)
			if keys := h.stepKeys(); keys[len(keys)-1] != tt.waiting {
				t.Errorf("tasks = %v, want the last to be %s", keys, tt.waiting)
			}
			wantFields(t, h.register(t, KindSupplierReturn), map[string]any{"stage": "closed", "result": ResultCancelled})
		})
	}
}

func TestSupplierReturnSlipValidate(t *testing.T) {
	if errs := supplierSlip().Validate(); errs != nil {
		t.Fatalf("a good slip: %v", errs)
	}
	for _, tt := range []struct {
		name, field, want string
		edit              func(*SupplierReturnSlip)
	}{
		{"zero quantity", "quantity", "must be a positive whole number", func(s *SupplierReturnSlip) { s.Quantity = 0 }},
		{"fractional quantity", "quantity", "must be a positive whole number", func(s *SupplierReturnSlip) { s.Quantity = 0.5 }},
		{"no supplier", "supplier", "is required", func(s *SupplierReturnSlip) { s.Supplier = "" }},
		{"no material", "material", "is required", func(s *SupplierReturnSlip) { s.Material = "" }},
		{"no defect", "defect", "is required", func(s *SupplierReturnSlip) { s.Defect = " " }},
		{"long batch", "batch", "must be at most 100 characters", func(s *SupplierReturnSlip) { s.Batch = strings.Repeat("9", 101) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := supplierSlip()
			tt.edit(&s)
			if errs := s.Validate(); errs[tt.field].String() != tt.want || len(errs) != 1 {
				t.Errorf("Validate = %v, want only %s: %q", errs, tt.field, tt.want)
			}
		})
	}
	d := supplierReturnDescriptor()
	if d.Owner(salesRep) != zhidu.DeptQuality {
		t.Error("a supplier return is not Quality's")
	}
	if got := d.Record(supplierInput(qualityEng)); got["supplier"] != "江南包装 Jiangnan Packaging" || got["level"] != "internal" {
		t.Errorf("record = %v", got)
	}
}
