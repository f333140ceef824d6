package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

// More of the demo organisation, for returns.
var (
	salesSuper   = person("sales.super", zhidu.DeptSales, zhidu.Internal, grant(zhidu.RoleSupervisor, zhidu.DeptSales))
	whHead       = person("wh.head", zhidu.DeptWH, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptWH))
	finClerk     = person("fin.clerk", zhidu.DeptFin, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptFin))
	qualitySuper = person("quality.super", zhidu.DeptQuality, zhidu.Internal, grant(zhidu.RoleSupervisor, zhidu.DeptQuality))
	// salesRepFin is the requester who also keeps finance's books.
	salesRepFin = also(salesRep, grant(zhidu.RoleStaff, zhidu.DeptFin))
	// whFin counts goods in the warehouse and also works in finance.
	whFin = person("wh.fin", zhidu.DeptWH, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptWH), grant(zhidu.RoleStaff, zhidu.DeptFin))
)

var (
	headSales  = role(zhidu.RoleDeptHead, zhidu.DeptSales)
	superSales = role(zhidu.RoleSupervisor, zhidu.DeptSales)
	vpSales    = role(zhidu.RoleVP, zhidu.DeptSales)
	staffSales = role(zhidu.RoleStaff, zhidu.DeptSales)
	staffWH    = role(zhidu.RoleStaff, zhidu.DeptWH)
	superWH    = role(zhidu.RoleSupervisor, zhidu.DeptWH)
	headWH     = role(zhidu.RoleDeptHead, zhidu.DeptWH)
	staffFin   = role(zhidu.RoleStaff, zhidu.DeptFin)
	superFin   = role(zhidu.RoleSupervisor, zhidu.DeptFin)
	headFin    = role(zhidu.RoleDeptHead, zhidu.DeptFin)
)

const (
	returnID    = "return-test"
	returnTitle = "Soy sauce 500 ml, 华联超市"
	contractRef = "HT-2026-017"
)

// returnSlip is 100 boxes at ¥48.50: ¥4,850, below the GM's threshold.
func returnSlip(handling string) ReturnSlip {
	return ReturnSlip{Customer: "华联超市 Hualian", Product: "Soy sauce 500 ml", Batch: "B2026-02-17", ProductionDate: "2026-02-17",
		ProductionUnit: "bottling line 2", Shift: "night", Operator: "王强", Quantity: 100, Unit: "箱", UnitPrice: 48.5,
		Reason: "leaking caps", Handling: handling, Basis: "quality report QR-2026-031"}
}

// bigSlip is 300 boxes: ¥14,550, above the threshold.
func bigSlip(handling string) ReturnSlip {
	s := returnSlip(handling)
	s.Quantity = 300
	return s
}

func contractSlip(s ReturnSlip) ReturnSlip {
	s.Contract = contractRef
	return s
}

// returnInput is a slip opened in sales by requester.
func returnInput(slip ReturnSlip, requester zhidu.Actor, cfg ReturnConfig) ReturnInput {
	return ReturnInput{
		Process: zhidu.ProcessInfo{ID: returnID, Kind: KindReturn, Title: returnTitle, Level: zhidu.Internal,
			Department: zhidu.DeptSales, StartedBy: requester.Username},
		Slip: slip, Config: cfg,
	}
}

func newReturnHarness(t *testing.T) *harness[ReturnInput, ReturnResult] {
	t.Helper()
	return newHarness[ReturnInput, ReturnResult](t, WorkflowReturn, Return, returnID)
}

func received(n float64) map[string]any {
	return map[string]any{"received_quantity": n, "condition": "cartons dented, bottles intact"}
}

func mismatch() map[string]any { return map[string]any{"notes": "the slip and the receipt differ"} }

func wantReturn(t *testing.T, got ReturnResult, outcome, voucher string, rounds int) {
	t.Helper()
	if got.Outcome != outcome || got.Voucher != voucher || got.Rounds != rounds {
		t.Errorf("result = %+v, want outcome %q voucher %q rounds %d", got, outcome, voucher, rounds)
	}
}

// register returns the register entry as the records leave it: each
// record's fields replace those before (compared after a JSON round trip).
func (h *harness[In, Out]) register(t *testing.T, kind string) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, r := range h.entries {
		if r.ProcessID != h.processID || r.Kind != kind || r.At.IsZero() {
			t.Errorf("RegisterRecord %+v: want process %s of kind %s and a time", r, h.processID, kind)
		}
		for k, v := range r.Fields {
			out[k] = v
		}
	}
	return out
}

// wantFields checks some fields of a register entry.
func wantFields(t *testing.T, got map[string]any, want map[string]any) {
	t.Helper()
	for _, k := range sortedKeys(want) {
		if !jsonEqual(got[k], want[k]) {
			t.Errorf("register[%q] = %#v, want %#v", k, got[k], want[k])
		}
	}
}

// stepKeys are the step keys of the tasks created, in order.
func (h *harness[In, Out]) stepKeys() []string {
	var out []string
	for _, in := range h.created {
		out = append(out, in.Spec.StepKey)
	}
	return out
}

func wantKeys[In, Out any](t *testing.T, h *harness[In, Out], want ...string) {
	t.Helper()
	if got := h.stepKeys(); !slices.Equal(got, want) {
		t.Errorf("tasks created = %v, want %v", got, want)
	}
}

// spec is what one created task must have been handed.
type spec struct {
	key, step   string
	dept        zhidu.Department
	candidates  []zhidu.Candidate
	escalations []zhidu.Escalation
	excluded    []string
	approval    bool
}

func wantSpecs[In, Out any](t *testing.T, h *harness[In, Out], want ...spec) {
	t.Helper()
	for _, w := range want {
		s := h.createdTask(t, w.key).Spec
		if s.Step != w.step || s.Department != w.dept || s.Approval != w.approval {
			t.Errorf("task %s: step %q department %s approval %v; want %q %s %v", w.key, s.Step, s.Department, s.Approval,
				w.step, w.dept, w.approval)
		}
		if !slices.Equal(s.Candidates, w.candidates) {
			t.Errorf("task %s: candidates %s, want %s", w.key, candidates(s.Candidates), candidates(w.candidates))
		}
		if !equalLadders(s.Escalations, w.escalations) {
			t.Errorf("task %s: escalations %v, want %v", w.key, s.Escalations, w.escalations)
		}
		if !sameSet(s.Excluded, w.excluded) {
			t.Errorf("task %s: excluded %v, want %v", w.key, s.Excluded, w.excluded)
		}
	}
}

// TestReturnCredit is the plain path below the threshold: the sales head
// approves, the copies go out, the warehouse receives all of it, finance
// matches and the voucher credits the customer.
func TestReturnCredit(t *testing.T) {
	h := newReturnHarness(t)
	cfg := DefaultReturnConfig()
	var sharedBefore int
	h.at(30*time.Second, func() { sharedBefore = len(h.shares) })
	replies := h.play(
		act{time.Minute, "manager_approval", salesHead, "approve", map[string]any{"opinion": "同意"}},
		act{time.Hour, "receipt", whClerk, "received", received(100)},
		act{2 * time.Hour, "reconcile#1", finClerk, "match", nil},
	)
	res := h.run(returnInput(returnSlip(HandlingCredit), salesRep, cfg))

	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultCredited, "PZ-2026-000001", 1)
	h.wantCompleted(t, ResultCredited, t0.Add(2*time.Hour))
	h.wantCompletions(t, "manager_approval:sales.head", "receipt:wh.clerk", "reconcile:fin.clerk")
	wantKeys(t, h, "manager_approval", "receipt", "reconcile#1")
	day := 24 * time.Hour
	wantSpecs(t, h,
		spec{key: "manager_approval", step: StepManagerApproval, dept: zhidu.DeptSales, candidates: []zhidu.Candidate{headSales},
			escalations: []zhidu.Escalation{esc(2*day, vpSales), esc(3*day, deputyGMO, gmGMO)}, excluded: []string{"sales.rep"}, approval: true},
		spec{key: "receipt", step: StepReceipt, dept: zhidu.DeptWH, candidates: []zhidu.Candidate{staffWH, superWH},
			escalations: []zhidu.Escalation{esc(3*day, headWH)}},
		spec{key: "reconcile#1", step: StepReconcile, dept: zhidu.DeptFin, candidates: []zhidu.Candidate{staffFin, superFin},
			escalations: []zhidu.Escalation{esc(2*day, headFin)}, excluded: []string{"sales.rep", "wh.clerk"}},
	)
	rc := h.createdTask(t, "reconcile#1").Spec
	for k, v := range map[string]any{"approved_quantity": 100, "received_quantity": 100, "round": 1, "amount": 4850} {
		if !jsonEqual(rc.Context[k], v) {
			t.Errorf("reconcile context[%q] = %v, want %v", k, rc.Context[k], v)
		}
	}

	// Copies 2–4 go out once, when the slip is approved, not before.
	if sharedBefore != 0 {
		t.Errorf("%d ShareProcess calls before approval, want none", sharedBefore)
	}
	if len(h.shares) != 1 {
		t.Fatalf("ShareProcess called %d times, want once", len(h.shares))
	}
	if sh := h.shares[0]; sh.ProcessID != returnID || sh.EventKey != returnID+":copies" || !sh.At.Equal(t0.Add(time.Minute)) ||
		!slices.Equal(sh.Departments, []zhidu.Department{zhidu.DeptWH, zhidu.DeptFin, zhidu.DeptSales}) ||
		sh.Reason != returnCopiesReason {
		t.Errorf("ShareRecord = %+v, want copies for wh, fin, sales at approval", sh)
	}
	if len(h.vouchers) != 1 || h.vouchers[0] != (zhidu.VoucherRequest{ProcessID: returnID, Year: 2026, Key: returnID + ":voucher",
		Actor: "fin.clerk", At: t0.Add(2 * time.Hour)}) {
		t.Errorf("IssueVoucher requests = %+v, want one for %s in 2026", h.vouchers, returnID)
	}
	wantFields(t, h.register(t, KindReturn), map[string]any{
		"stage": "closed", "result": ResultCredited, "customer": "华联超市 Hualian", "product": "Soy sauce 500 ml",
		"batch": "B2026-02-17", "handling": "credit", "quantity": 100, "unit_price": 48.5, "amount": 4850,
		"approved_by": []string{"sales.head"}, "approved_quantity": 100, "received_quantity": 100, "received_by": "wh.clerk",
		"condition": "cartons dented, bottles intact", "rounds": 1, "has_discrepancy": false, "voucher": "PZ-2026-000001",
		"credit_amount": 4850, "closed_at": t0.Add(2 * time.Hour), "department": "sales",
	})
	if f := h.register(t, KindReturn); f["override_reason"] != nil || f["contract"] != nil {
		t.Errorf("register has an override or a contract: %v", f)
	}
}

// TestReturnThreshold: above the threshold the GM approves after the
// manager; below it the manager alone.
func TestReturnThreshold(t *testing.T) {
	t.Run("above: manager then GM", func(t *testing.T) {
		h := newReturnHarness(t)
		replies := h.play(
			act{time.Minute, "manager_approval", salesHead, "approve", nil},
			act{2 * time.Minute, "gm_approval", gm, "approve", map[string]any{"opinion": "同意"}},
			act{time.Hour, "receipt", whClerk, "received", received(300)},
			act{2 * time.Hour, "reconcile#1", finClerk, "match", nil},
		)
		res := h.run(returnInput(bigSlip(HandlingCredit), salesRep, DefaultReturnConfig()))
		wantAllAccepted(t, replies)
		wantReturn(t, res, ResultCredited, "PZ-2026-000001", 1)
		wantKeys(t, h, "manager_approval", "gm_approval", "receipt", "reconcile#1")
		wantSpecs(t, h, spec{key: "gm_approval", step: StepGMApproval, dept: zhidu.DeptSales, candidates: []zhidu.Candidate{gmGMO},
			excluded: []string{"sales.rep", "sales.head"}, approval: true})
		if sh := h.shares; len(sh) != 1 || !sh[0].At.Equal(t0.Add(2*time.Minute)) {
			t.Errorf("ShareRecords = %+v, want one when the GM approved", sh)
		}
		wantFields(t, h.register(t, KindReturn), map[string]any{"amount": 14550, "approved_by": []string{"sales.head", "gm"}})
	})
	t.Run("above: the GM rejects", func(t *testing.T) {
		h := newReturnHarness(t)
		replies := h.play(
			act{time.Minute, "manager_approval", salesHead, "approve", nil},
			act{2 * time.Minute, "gm_approval", gm, "reject", map[string]any{"opinion": "先查批次"}},
		)
		res := h.run(returnInput(bigSlip(HandlingCredit), salesRep, DefaultReturnConfig()))
		wantAllAccepted(t, replies)
		wantReturn(t, res, ResultRejected, "", 0)
		h.wantCompleted(t, ResultRejected, t0.Add(2*time.Minute))
		wantKeys(t, h, "manager_approval", "gm_approval")
		if len(h.shares) != 0 || len(h.vouchers) != 0 {
			t.Errorf("a rejected slip was shared (%v) or given a voucher (%v)", h.shares, h.vouchers)
		}
		wantFields(t, h.register(t, KindReturn), map[string]any{"stage": "closed", "result": "rejected",
			"approved_by": []string{"sales.head"}, "rejected_by": "gm"})
	})
	t.Run("below: the manager alone", func(t *testing.T) {
		h := newReturnHarness(t)
		cfg := DefaultReturnConfig()
		cfg.GMThreshold = 4850 // the amount itself is not above it
		replies := h.play(
			act{time.Minute, "manager_approval", salesHead, "approve", nil},
			act{time.Hour, "receipt", whClerk, "received", received(100)},
			act{2 * time.Hour, "reconcile#1", finClerk, "match", nil},
		)
		res := h.run(returnInput(returnSlip(HandlingCredit), salesRep, cfg))
		wantAllAccepted(t, replies)
		wantReturn(t, res, ResultCredited, "PZ-2026-000001", 1)
		wantKeys(t, h, "manager_approval", "receipt", "reconcile#1")
	})
	t.Run("the manager rejects", func(t *testing.T) {
		h := newReturnHarness(t)
		noOpinion := h.try(30*time.Second, "reject without an opinion", "manager_approval", salesHead, "reject", nil)
		replies := h.play(act{time.Minute, "manager_approval", salesHead, "reject", map[string]any{"opinion": "超过退货期"}})
		res := h.run(returnInput(returnSlip(HandlingCredit), salesRep, DefaultReturnConfig()))
		wantRejectedField(t, noOpinion, zhidu.CodeInvalid, "data.opinion")
		wantAllAccepted(t, replies)
		wantReturn(t, res, ResultRejected, "", 0)
		wantKeys(t, h, "manager_approval")
		wantFields(t, h.register(t, KindReturn), map[string]any{"result": "rejected", "rejected_by": "sales.head"})
	})
}

// TestReturnSignedContract: 签订合同后，坚决不退. The manager's approval is
// refused; the GM, a candidate of the same step, overrides with a reason,
// which the completion (timeline, audit) and the register keep; then no
// second GM approval follows, although the amount is above the threshold.
func TestReturnSignedContract(t *testing.T) {
	h := newReturnHarness(t)
	const why = "长期客户，质量问题属实 — a long-standing customer, the defect is ours"
	byManager := h.try(time.Minute, "the manager approves", "manager_approval", salesHead, "approve", nil)
	managerOverride := h.try(2*time.Minute, "the manager overrides", "manager_approval", salesHead, "approve",
		map[string]any{"override_reason": why})
	gmNoReason := h.try(3*time.Minute, "the GM approves without a reason", "manager_approval", gm, "approve", nil)
	gmRejectReason := h.try(4*time.Minute, "the GM rejects with an override reason", "manager_approval", gm, "reject",
		map[string]any{"opinion": "no", "override_reason": why})
	clerk := h.try(5*time.Minute, "a warehouse clerk approves", "manager_approval", whClerk, "approve",
		map[string]any{"override_reason": why})
	replies := h.play(
		act{10 * time.Minute, "manager_approval", gm, "approve", map[string]any{"override_reason": why}},
		act{time.Hour, "receipt", whClerk, "received", received(300)},
		act{2 * time.Hour, "reconcile#1", finClerk, "match", nil},
	)
	res := h.run(returnInput(contractSlip(bigSlip(HandlingCredit)), salesRep, DefaultReturnConfig()))

	fields := wantRejected(t, byManager, zhidu.CodeInvalid)
	if !strings.Contains(fields["outcome"], "签订合同后，坚决不退") || !strings.Contains(fields["outcome"], contractRef) {
		t.Errorf("the manager's approval: field errors %v, want the signed-contract rule naming %s", fields, contractRef)
	}
	wantRejectedField(t, managerOverride, zhidu.CodeInvalid, "data.override_reason")
	wantRejectedField(t, gmNoReason, zhidu.CodeInvalid, "data.override_reason")
	wantRejectedField(t, gmRejectReason, zhidu.CodeInvalid, "data.override_reason")
	wantRejected(t, clerk, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultCredited, "PZ-2026-000001", 1)
	wantKeys(t, h, "manager_approval", "receipt", "reconcile#1")
	wantSpecs(t, h, spec{key: "manager_approval", step: StepManagerApproval, dept: zhidu.DeptSales,
		candidates:  []zhidu.Candidate{headSales, gmGMO},
		escalations: []zhidu.Escalation{esc(48*time.Hour, vpSales), esc(72*time.Hour, deputyGMO, gmGMO)},
		excluded:    []string{"sales.rep"}, approval: true})
	h.wantCompletions(t, "manager_approval:gm", "receipt:wh.clerk", "reconcile:fin.clerk")
	if c := h.completions[0]; c.Data["override_reason"] != why {
		t.Errorf("the approval's CompletionRecord = %+v, want the override reason in its data", c)
	}
	wantFields(t, h.register(t, KindReturn), map[string]any{"contract": contractRef, "override_reason": why,
		"overridden_by": "gm", "approved_by": []string{"gm"}})
}

// TestReturnContractManagerRejects: the manager may still reject a slip
// under a signed contract.
func TestReturnContractManagerRejects(t *testing.T) {
	h := newReturnHarness(t)
	replies := h.play(act{time.Minute, "manager_approval", salesHead, "reject", map[string]any{"opinion": "签订合同后，坚决不退"}})
	res := h.run(returnInput(contractSlip(returnSlip(HandlingCredit)), salesRep, DefaultReturnConfig()))
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultRejected, "", 0)
}

// TestReturnAuthority: the GM's authority reaches the manager's step of
// any slip (above its candidates in the department line), a warehouse
// clerk's does not; the requester never holds it.
func TestReturnAuthority(t *testing.T) {
	h := newReturnHarness(t)
	var held map[string]string
	h.at(time.Minute, func() {
		st := h.state()
		task := st.Tasks[0]
		held = map[string]string{}
		for _, a := range []zhidu.Actor{gm, deputy, vpOpsAll, salesHead, salesSuper, whClerk, salesRep} {
			held[a.Username] = st.mayHold(task, a, false).String()
		}
	})
	replies := h.play(act{2 * time.Minute, "manager_approval", salesHead, "reject", map[string]any{"opinion": "no"}})
	h.run(returnInput(returnSlip(HandlingCredit), salesRep, DefaultReturnConfig()))
	wantAllAccepted(t, replies)
	for user, want := range map[string]string{"gm": "", "deputy": "", "vp.ops": "", "sales.head": "",
		"sales.super": "approval authority", "wh.clerk": "approval authority", "sales.rep": "separation of duties"} {
		if got := held[user]; want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("mayHold(%s) = %q, want %q", user, got, want)
		}
	}
}

// TestReturnSeparationOfDuties: the requester (here the sales head) never
// approves; the configured deputy manager does; a warehouse clerk may not;
// the requester who also works in finance does not reconcile their own
// slip, nor does the clerk who counted the goods.
func TestReturnSeparationOfDuties(t *testing.T) {
	h := newReturnHarness(t)
	cfg := DefaultReturnConfig()
	cfg.DeputyRole = map[zhidu.Department]zhidu.Role{zhidu.DeptSales: zhidu.RoleSupervisor}
	requester := also(salesHead, grant(zhidu.RoleStaff, zhidu.DeptFin))
	own := h.try(time.Minute, "the requester approves", "manager_approval", requester, "approve", nil)
	clerk := h.try(2*time.Minute, "a warehouse clerk approves", "manager_approval", whClerk, "approve", nil)
	ownReconcile := h.try(2*time.Hour, "the requester reconciles", "reconcile#1", requester, "match", nil)
	counter := h.try(3*time.Hour, "the counting clerk reconciles", "reconcile#1", whFin, "match", nil)
	replies := h.play(
		act{10 * time.Minute, "manager_approval", salesSuper, "approve", nil},
		act{time.Hour, "receipt", whFin, "received", received(100)},
		act{4 * time.Hour, "reconcile#1", finClerk, "match", nil},
	)
	in := returnInput(returnSlip(HandlingCredit), requester, cfg)
	res := h.run(in)

	wantRejected(t, own, zhidu.CodeForbidden)
	wantRejected(t, clerk, zhidu.CodeForbidden)
	wantRejected(t, ownReconcile, zhidu.CodeForbidden)
	wantRejected(t, counter, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultCredited, "PZ-2026-000001", 1)
	wantSpecs(t, h,
		spec{key: "manager_approval", step: StepManagerApproval, dept: zhidu.DeptSales, candidates: []zhidu.Candidate{headSales, superSales},
			escalations: []zhidu.Escalation{esc(48*time.Hour, vpSales), esc(72*time.Hour, deputyGMO, gmGMO)},
			excluded:    []string{"sales.head"}, approval: true},
		spec{key: "reconcile#1", step: StepReconcile, dept: zhidu.DeptFin, candidates: []zhidu.Candidate{staffFin, superFin},
			escalations: []zhidu.Escalation{esc(48*time.Hour, headFin)}, excluded: []string{"sales.head", "wh.fin"}},
	)
}

// TestReturnDiscrepancy: two rounds. The warehouse counts 98 of 100;
// finance may not match that, records a mismatch, the warehouse recounts
// 100 and finance matches in round 2. The voucher is issued once.
func TestReturnDiscrepancy(t *testing.T) {
	h := newReturnHarness(t)
	badMatch := h.try(90*time.Minute, "match unequal quantities", "reconcile#1", finClerk, "match", nil)
	noNotes := h.try(100*time.Minute, "mismatch without notes", "reconcile#1", finClerk, "mismatch", nil)
	noCount := h.try(3*time.Hour, "recount without a count", "discrepancy#1", whClerk, "recount", nil)
	mixed := h.try(3*time.Hour+time.Minute, "recount that amends", "discrepancy#1", whClerk, "recount",
		map[string]any{"received_quantity": 100, "approved_quantity": 98})
	fraction := h.try(3*time.Hour+2*time.Minute, "recount of 99.5", "discrepancy#1", whClerk, "recount",
		map[string]any{"received_quantity": 99.5})
	negative := h.try(3*time.Hour+3*time.Minute, "recount of -1", "discrepancy#1", whClerk, "recount",
		map[string]any{"received_quantity": -1})
	larger := h.try(3*time.Hour+4*time.Minute, "amend above the approved quantity", "discrepancy#1", salesRep, "amend",
		map[string]any{"approved_quantity": 120, "reason": "more came back"})
	outsider := h.try(3*time.Hour+5*time.Minute, "finance settles", "discrepancy#1", finClerk, "recount",
		map[string]any{"received_quantity": 100})
	replies := h.play(
		act{time.Minute, "manager_approval", salesHead, "approve", nil},
		act{time.Hour, "receipt", whClerk, "received", received(98)},
		act{2 * time.Hour, "reconcile#1", finClerk, "mismatch", mismatch()},
		act{4 * time.Hour, "discrepancy#1", whClerk, "recount", map[string]any{"received_quantity": 100, "notes": "two cartons were on the dock"}},
		act{5 * time.Hour, "reconcile#2", finClerk, "match", nil},
	)
	res := h.run(returnInput(returnSlip(HandlingCredit), salesRep, DefaultReturnConfig()))

	f := wantRejected(t, badMatch, zhidu.CodeInvalid)
	if !strings.Contains(f["outcome"], "(100)") || !strings.Contains(f["outcome"], "(98)") {
		t.Errorf("match of unequal quantities: %v, want a message naming 100 and 98", f)
	}
	wantRejectedField(t, noNotes, zhidu.CodeInvalid, "data.notes")
	wantRejectedField(t, noCount, zhidu.CodeInvalid, "data.received_quantity")
	wantRejectedField(t, mixed, zhidu.CodeInvalid, "data.approved_quantity")
	wantRejectedField(t, fraction, zhidu.CodeInvalid, "data.received_quantity")
	wantRejectedField(t, negative, zhidu.CodeInvalid, "data.received_quantity")
	wantRejectedField(t, larger, zhidu.CodeInvalid, "data.approved_quantity")
	wantRejected(t, outsider, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultCredited, "PZ-2026-000001", 2)
	wantKeys(t, h, "manager_approval", "receipt", "reconcile#1", "discrepancy#1", "reconcile#2")
	// Every round is in the timeline: each completion is an entry.
	h.wantCompletions(t, "manager_approval:sales.head", "receipt:wh.clerk", "reconcile:fin.clerk",
		"discrepancy:wh.clerk", "reconcile:fin.clerk")
	wantSpecs(t, h, spec{key: "discrepancy#1", step: StepDiscrepancy, dept: zhidu.DeptSales,
		candidates:  []zhidu.Candidate{staffSales, staffWH},
		escalations: []zhidu.Escalation{esc(48*time.Hour, headSales, headWH)}})
	if c := h.createdTask(t, "reconcile#2").Spec.Context; !jsonEqual(c["received_quantity"], 100) || !jsonEqual(c["round"], 2) {
		t.Errorf("reconcile#2 context = %v, want round 2 with 100 received", c)
	}
	if len(h.vouchers) != 1 {
		t.Errorf("IssueVoucher called %d times, want once", len(h.vouchers))
	}
	reg := h.register(t, KindReturn)
	wantFields(t, reg, map[string]any{"rounds": 2, "has_discrepancy": true, "received_quantity": 100, "voucher": "PZ-2026-000001",
		"reconciliations": []reconciliation{
			{Round: 1, ApprovedQuantity: 100, ReceivedQuantity: 98, Outcome: "mismatch", By: "fin.clerk",
				Notes: "the slip and the receipt differ", Resolution: "recount", ResolvedBy: "wh.clerk", At: t0.Add(2 * time.Hour)},
			{Round: 2, ApprovedQuantity: 100, ReceivedQuantity: 100, Outcome: "match", By: "fin.clerk", At: t0.Add(5 * time.Hour)},
		}})
}

// TestReturnAmended: sales amends the slip to what arrived; the amount
// follows.
func TestReturnAmended(t *testing.T) {
	h := newReturnHarness(t)
	noReason := h.try(3*time.Hour, "amend without a reason", "discrepancy#1", salesRep, "amend", map[string]any{"approved_quantity": 98})
	replies := h.play(
		act{time.Minute, "manager_approval", salesHead, "approve", nil},
		act{time.Hour, "receipt", whClerk, "received", received(98)},
		act{2 * time.Hour, "reconcile#1", finClerk, "mismatch", mismatch()},
		act{4 * time.Hour, "discrepancy#1", salesRep, "amend", map[string]any{"approved_quantity": 98, "reason": "the customer kept two"}},
		act{5 * time.Hour, "reconcile#2", finClerk, "match", nil},
	)
	res := h.run(returnInput(returnSlip(HandlingCredit), salesRep, DefaultReturnConfig()))
	wantRejectedField(t, noReason, zhidu.CodeInvalid, "data.reason")
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultCredited, "PZ-2026-000001", 2)
	wantFields(t, h.register(t, KindReturn), map[string]any{"approved_quantity": 98, "amount": 4753, "credit_amount": 4753,
		"received_quantity": 98})
}

// TestReturnDiscrepancyGoesToTheVP: after MaxRounds mismatches the
// discrepancy is the VP's in charge of sales, not sales' and the
// warehouse's.
func TestReturnDiscrepancyGoesToTheVP(t *testing.T) {
	h := newReturnHarness(t)
	cfg := DefaultReturnConfig()
	cfg.MaxRounds = 2
	rep := h.try(6*time.Hour, "sales settles round 2", "discrepancy#2", salesRep, "recount", map[string]any{"received_quantity": 98})
	replies := h.play(
		act{time.Minute, "manager_approval", salesHead, "approve", nil},
		act{time.Hour, "receipt", whClerk, "received", received(98)},
		act{2 * time.Hour, "reconcile#1", finClerk, "mismatch", mismatch()},
		act{3 * time.Hour, "discrepancy#1", whClerk, "recount", map[string]any{"received_quantity": 98}},
		act{4 * time.Hour, "reconcile#2", finClerk, "mismatch", mismatch()},
		act{7 * time.Hour, "discrepancy#2", vpOpsAll, "amend", map[string]any{"approved_quantity": 98, "reason": "98 it is"}},
		act{8 * time.Hour, "reconcile#3", finClerk, "match", nil},
	)
	res := h.run(returnInput(returnSlip(HandlingCredit), salesRep, cfg))
	wantRejected(t, rep, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultCredited, "PZ-2026-000001", 3)
	wantSpecs(t, h,
		spec{key: "discrepancy#1", step: StepDiscrepancy, dept: zhidu.DeptSales, candidates: []zhidu.Candidate{staffSales, staffWH},
			escalations: []zhidu.Escalation{esc(48*time.Hour, headSales, headWH)}},
		spec{key: "discrepancy#2", step: StepDiscrepancy, dept: zhidu.DeptSales, candidates: []zhidu.Candidate{vpSales},
			escalations: []zhidu.Escalation{esc(48*time.Hour, deputyGMO, gmGMO)}},
	)
	if c := h.createdTask(t, "discrepancy#2").Spec.Context; c["escalated"] != true {
		t.Errorf("discrepancy#2 context = %v, want escalated", c)
	}
	wantFields(t, h.register(t, KindReturn), map[string]any{"rounds": 3, "has_discrepancy": true})
}

// TestReturnReprocess: Quality reprocesses; the re-inspection is someone
// else's; a failed one sends it back.
func TestReturnReprocess(t *testing.T) {
	h := newReturnHarness(t)
	own := h.try(4*time.Hour, "the reprocessor inspects", "reinspect#1", qualitySuper, "pass", nil)
	noFindings := h.try(5*time.Hour, "fail without findings", "reinspect#1", qualityHead, "fail", nil)
	replies := h.play(
		act{time.Minute, "manager_approval", salesHead, "approve", nil},
		act{time.Hour, "receipt", whClerk, "received", received(100)},
		act{2 * time.Hour, "reconcile#1", finClerk, "match", nil},
		act{3 * time.Hour, "reprocess#1", qualitySuper, "done", map[string]any{"actions": "recapped every bottle"}},
		act{6 * time.Hour, "reinspect#1", qualityHead, "fail", map[string]any{"findings": "caps still loose on 3 bottles"}},
		act{7 * time.Hour, "reprocess#2", qualityEng, "done", map[string]any{"actions": "torqued the caps"}},
		act{8 * time.Hour, "reinspect#2", qualitySuper, "pass", nil},
	)
	res := h.run(returnInput(returnSlip(HandlingReprocess), salesRep, DefaultReturnConfig()))
	wantRejected(t, own, zhidu.CodeForbidden)
	wantRejectedField(t, noFindings, zhidu.CodeInvalid, "data.findings")
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultReprocessed, "PZ-2026-000001", 1)
	h.wantCompleted(t, ResultReprocessed, t0.Add(8*time.Hour))
	wantKeys(t, h, "manager_approval", "receipt", "reconcile#1", "reprocess#1", "reinspect#1", "reprocess#2", "reinspect#2")
	wantSpecs(t, h,
		spec{key: "reprocess#1", step: StepReprocess, dept: zhidu.DeptQuality, candidates: []zhidu.Candidate{staffQuality, superQuality},
			escalations: []zhidu.Escalation{esc(7*aDay, headQuality)}},
		spec{key: "reinspect#1", step: StepReinspect, dept: zhidu.DeptQuality, candidates: []zhidu.Candidate{headQuality, superQuality},
			escalations: []zhidu.Escalation{esc(2*aDay, vpQuality)}, excluded: []string{"quality.super"}},
		spec{key: "reinspect#2", step: StepReinspect, dept: zhidu.DeptQuality, candidates: []zhidu.Candidate{headQuality, superQuality},
			escalations: []zhidu.Escalation{esc(2*aDay, vpQuality)}, excluded: []string{"quality.eng"}},
	)
	wantFields(t, h.register(t, KindReturn), map[string]any{"stage": "closed", "result": ResultReprocessed, "reprocess_rounds": 2,
		"reinspection": "pass", "reinspected_by": "quality.super", "reinspection_findings": "caps still loose on 3 bottles"})
}

// TestReturnReplace: the warehouse ships the replacement.
func TestReturnReplace(t *testing.T) {
	h := newReturnHarness(t)
	noRef := h.try(3*time.Hour, "ship without a reference", "ship", whClerk, "shipped", nil)
	twoLines := h.try(3*time.Hour+time.Minute, "a reference of two lines", "ship", whClerk, "shipped", map[string]any{"shipment": "SH-1\nSH-2"})
	replies := h.play(
		act{time.Minute, "manager_approval", salesHead, "approve", nil},
		act{time.Hour, "receipt", whClerk, "received", received(100)},
		act{2 * time.Hour, "reconcile#1", finClerk, "match", nil},
		act{4 * time.Hour, "ship", whClerk, "shipped", map[string]any{"shipment": "SH-2026-0042"}},
	)
	res := h.run(returnInput(returnSlip(HandlingReplace), salesRep, DefaultReturnConfig()))
	wantRejectedField(t, noRef, zhidu.CodeInvalid, "data.shipment")
	wantRejectedField(t, twoLines, zhidu.CodeInvalid, "data.shipment")
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultReplaced, "PZ-2026-000001", 1)
	wantKeys(t, h, "manager_approval", "receipt", "reconcile#1", "ship")
	wantSpecs(t, h, spec{key: "ship", step: StepShip, dept: zhidu.DeptWH, candidates: []zhidu.Candidate{staffWH, superWH},
		escalations: []zhidu.Escalation{esc(3*aDay, headWH)}})
	wantFields(t, h.register(t, KindReturn), map[string]any{"stage": "closed", "result": ResultReplaced, "shipment": "SH-2026-0042",
		"shipped_by": "wh.clerk", "replacement_quantity": 100})
}

// TestReturnBadReceipt: what the warehouse counts is a whole number, zero
// or more.
func TestReturnBadReceipt(t *testing.T) {
	h := newReturnHarness(t)
	var bad []*reply
	for i, d := range []map[string]any{
		{"received_quantity": -1, "condition": "ok"},
		{"received_quantity": 2.5, "condition": "ok"},
		{"received_quantity": 2e9, "condition": "ok"},
		{"received_quantity": "ten", "condition": "ok"},
		{"condition": "ok"},
		{"received_quantity": 10},
	} {
		bad = append(bad, h.try(time.Hour+time.Duration(i)*time.Minute, "bad receipt", "receipt", whClerk, "received", d))
	}
	replies := h.play(
		act{time.Minute, "manager_approval", salesHead, "approve", nil},
		act{2 * time.Hour, "receipt", whClerk, "received", received(0)},
		act{3 * time.Hour, "reconcile#1", finClerk, "mismatch", mismatch()},
	)
	h.at(4*time.Hour, func() { h.cancel("cancel", zhidu.CancelProcessRequest{Actor: salesHead, Reason: "nothing came back"}) })
	res := h.run(returnInput(returnSlip(HandlingCredit), salesRep, DefaultReturnConfig()))
	for i, field := range []string{"data.received_quantity", "data.received_quantity", "data.received_quantity",
		"data.received_quantity", "data.received_quantity", "data.condition"} {
		wantRejectedField(t, bad[i], zhidu.CodeInvalid, field)
	}
	wantAllAccepted(t, replies)
	wantReturn(t, res, ResultCancelled, "", 1)
}

// TestReturnCancel cancels the return while each of its steps waits: it
// ends cancelled there, with nothing after it.
func TestReturnCancel(t *testing.T) {
	approve := act{time.Minute, "manager_approval", salesHead, "approve", nil}
	receipt := act{time.Hour, "receipt", whClerk, "received", received(100)}
	short := act{time.Hour, "receipt", whClerk, "received", received(98)}
	match := act{2 * time.Hour, "reconcile#1", finClerk, "match", nil}
	miss := act{2 * time.Hour, "reconcile#1", finClerk, "mismatch", mismatch()}
	reprocessed := act{3 * time.Hour, "reprocess#1", qualityEng, "done", map[string]any{"actions": "recapped"}}
	tests := []struct {
		waiting string // the step key waiting when the cancel comes
		slip    ReturnSlip
		acts    []act
		shared  bool
	}{
		{"manager_approval", returnSlip(HandlingCredit), nil, false},
		{"gm_approval", bigSlip(HandlingCredit), []act{approve}, false},
		{"receipt", returnSlip(HandlingCredit), []act{approve}, true},
		{"reconcile#1", returnSlip(HandlingCredit), []act{approve, receipt}, true},
		{"discrepancy#1", returnSlip(HandlingCredit), []act{approve, short, miss}, true},
		{"reprocess#1", returnSlip(HandlingReprocess), []act{approve, receipt, match}, true},
		{"reinspect#1", returnSlip(HandlingReprocess), []act{approve, receipt, match, reprocessed}, true},
		{"ship", returnSlip(HandlingReplace), []act{approve, receipt, match}, true},
	}
	for _, tt := range tests {
		t.Run(tt.waiting, func(t *testing.T) {
			h := newReturnHarness(t)
			replies := h.play(tt.acts...)
			var cancelled *reply
			h.at(5*time.Hour, func() {
				cancelled = h.cancel("cancel", zhidu.CancelProcessRequest{Actor: salesHead, Reason: "the customer withdrew"})
			})
			res := h.run(returnInput(tt.slip, salesRep, DefaultReturnConfig()))
			wantAllAccepted(t, replies)
			wantAccepted(t, cancelled)
			if res.Outcome != ResultCancelled {
				t.Errorf("result = %+v, want cancelled", res)
			}
			f := h.wantFinished(t, zhidu.ProcessCancelled, ResultCancelled)
			if f.Actor != "sales.head" || f.Reason != "the customer withdrew" || !f.At.Equal(t0.Add(5*time.Hour)) {
				t.Errorf("FinishRecord = %+v, want sales.head's cancel at 5h", f)
			}
			if keys := h.stepKeys(); len(keys) == 0 || keys[len(keys)-1] != tt.waiting {
				t.Errorf("tasks created = %v, want the last to be %s", keys, tt.waiting)
			}
			if got := len(h.shares) == 1; got != tt.shared {
				t.Errorf("shared = %v (%v), want %v", got, h.shares, tt.shared)
			}
			wantFields(t, h.register(t, KindReturn), map[string]any{"stage": "closed", "result": ResultCancelled,
				"closed_at": t0.Add(5 * time.Hour)})
		})
	}
}

// TestReturnSlipValidate: each bad input names its field.
func TestReturnSlipValidate(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if errs := returnSlip(HandlingCredit).Validate(now); errs != nil {
		t.Fatalf("a good slip: %v", errs)
	}
	today := returnSlip(HandlingCredit)
	today.ProductionDate, today.UnitPrice, today.Shift, today.Operator = "2026-03-02", 0, "", ""
	if errs := today.Validate(now); errs != nil {
		t.Errorf("made today, free of charge, no shift or operator: %v", errs)
	}
	tests := []struct {
		name  string
		edit  func(*ReturnSlip)
		field string
		want  string
	}{
		{"zero quantity", func(s *ReturnSlip) { s.Quantity = 0 }, "quantity", "must be a positive whole number"},
		{"negative quantity", func(s *ReturnSlip) { s.Quantity = -3 }, "quantity", "must be a positive whole number"},
		{"fractional quantity", func(s *ReturnSlip) { s.Quantity = 2.5 }, "quantity", "must be a positive whole number"},
		{"huge quantity", func(s *ReturnSlip) { s.Quantity = 2e9 }, "quantity", "must be at most 1000000000"},
		{"unknown handling", func(s *ReturnSlip) { s.Handling = "refund" }, "handling", "must be one of credit, reprocess, replace"},
		{"no handling", func(s *ReturnSlip) { s.Handling = "" }, "handling", "must be one of credit, reprocess, replace"},
		{"production date in the future", func(s *ReturnSlip) { s.ProductionDate = "2026-03-03" }, "production_date", "must not be in the future"},
		{"production date not a date", func(s *ReturnSlip) { s.ProductionDate = "2026-02-30" }, "production_date", "must be a date (YYYY-MM-DD)"},
		{"production date in another format", func(s *ReturnSlip) { s.ProductionDate = "17/02/2026" }, "production_date", "must be a date (YYYY-MM-DD)"},
		{"no production date", func(s *ReturnSlip) { s.ProductionDate = "" }, "production_date", "is required"},
		{"negative price", func(s *ReturnSlip) { s.UnitPrice = -1 }, "unit_price", "must not be negative"},
		{"price below the fen", func(s *ReturnSlip) { s.UnitPrice = 1.005 }, "unit_price", "must be in yuan and fen (at most 2 decimal places)"},
		{"amount too large", func(s *ReturnSlip) { s.Quantity, s.UnitPrice = 1e9, 1e4 }, "unit_price", "makes the amount more than 999999999999.99"},
		{"no customer", func(s *ReturnSlip) { s.Customer = "  " }, "customer", "is required"},
		{"no product", func(s *ReturnSlip) { s.Product = "" }, "product", "is required"},
		{"no batch", func(s *ReturnSlip) { s.Batch = "" }, "batch", "is required"},
		{"no production unit", func(s *ReturnSlip) { s.ProductionUnit = "" }, "production_unit", "is required"},
		{"no unit", func(s *ReturnSlip) { s.Unit = "" }, "unit", "is required"},
		{"no reason", func(s *ReturnSlip) { s.Reason = "" }, "reason", "is required"},
		{"no basis", func(s *ReturnSlip) { s.Basis = "" }, "basis", "is required"},
		{"long customer", func(s *ReturnSlip) { s.Customer = strings.Repeat("客", 201) }, "customer", "must be at most 200 characters"},
		{"long contract", func(s *ReturnSlip) { s.Contract = strings.Repeat("x", 101) }, "contract", "must be at most 100 characters"},
		{"batch of two lines", func(s *ReturnSlip) { s.Batch = "B1\nB2" }, "batch", "must be one line without control characters"},
		{"NUL in the reason", func(s *ReturnSlip) { s.Reason = "a\x00b" }, "reason", "must not contain NUL bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := returnSlip(HandlingCredit)
			tt.edit(&s)
			errs := s.Validate(now)
			if got := errs[tt.field].String(); got != tt.want || len(errs) != 1 {
				t.Errorf("Validate = %v, want only %s: %q", errs, tt.field, tt.want)
			}
		})
	}
}

func TestReturnAmount(t *testing.T) {
	for _, tt := range []struct {
		qty, price, want float64
	}{{100, 48.5, 4850}, {3, 0.1, 0.3}, {7, 19.99, 139.93}, {1, 0, 0}} {
		s := ReturnSlip{Quantity: tt.qty, UnitPrice: tt.price}
		if got := s.Amount(); got != tt.want {
			t.Errorf("%v × %v = %v, want %v", tt.qty, tt.price, got, tt.want)
		}
	}
}

// TestReturnDescriptor: sales, marketing and customer service start
// returns in their own department; the stored input is the slip with its
// level and computed amount.
func TestReturnDescriptor(t *testing.T) {
	d := returnDescriptor()
	var depts []string
	for _, s := range d.Starters {
		depts = append(depts, s.Department)
		if !slices.Equal(s.Roles, []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead}) {
			t.Errorf("starters in %s: %v", s.Department, s.Roles)
		}
	}
	if !slices.Equal(depts, []string{"sales", "mkt", "cs"}) {
		t.Errorf("starter departments = %v", depts)
	}
	if got := d.Owner(salesRep); got != zhidu.DeptSales {
		t.Errorf("owner = %s, want the starter's department", got)
	}
	if _, ok := d.Defaults().(ReturnConfig); !ok {
		t.Error("defaults are not a ReturnConfig")
	}
	in := returnInput(contractSlip(returnSlip(HandlingCredit)), salesRep, DefaultReturnConfig())
	got := d.Record(in)
	if got["level"] != "internal" || got["amount"] != 4850.0 || got["customer"] != "华联超市 Hualian" ||
		got["quantity"] != 100.0 || got["contract"] != contractRef || got["handling"] != "credit" {
		t.Errorf("record = %v", got)
	}
	if _, ok := got["complaint"]; ok {
		t.Errorf("record has an empty complaint: %v", got)
	}
	var fields []string
	for _, f := range d.StartForm.Fields {
		fields = append(fields, f.Name)
	}
	want := []string{"customer", "product", "batch", "production_date", "production_unit", "shift", "operator", "quantity", "unit",
		"unit_price", "reason", "handling", "basis", "contract", "complaint", "level"}
	if !slices.Equal(fields, want) {
		t.Errorf("start form fields = %v, want %v", fields, want)
	}
	c, _ := Lookup(KindComplaint)
	gmLabel, _ := c.StepLabel(StepGMApproval)
	if l, _ := d.StepLabel(StepGMApproval); l != gmLabel {
		t.Errorf("gm_approval label %v, want the complaint's %v (one namespace)", l, gmLabel)
	}
}
