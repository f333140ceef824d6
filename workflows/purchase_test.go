package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

const purchaseID = "purchase-test"

var (
	finHead   = person("fin.head", zhidu.DeptFin, zhidu.Confidential, grant(zhidu.RoleDeptHead, zhidu.DeptFin))
	purBuyer2 = person("pur.buyer2", zhidu.DeptPur, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptPur))
	// bossBoth heads sales and is the GM as well: one person, two levels.
	bossBoth = person("boss", zhidu.DeptSales, zhidu.TopSecret, grant(zhidu.RoleDeptHead, zhidu.DeptSales), grant(zhidu.RoleGM, zhidu.DeptGMO))
)

// testSuppliers: three qualified approved suppliers, one qualified but
// new, one blacklisted, and one in which quality.head declared an
// interest.
func testSuppliers() []zhidu.Supplier {
	ok := func(id, name string) zhidu.Supplier {
		return zhidu.Supplier{ID: id, Name: name, Qualified: true, SupplyState: zhidu.SupplyApproved}
	}
	conflicted := ok("sup-d", "D 联拓")
	conflicted.Conflicts = []zhidu.Conflict{{User: "quality.head", Supplier: "sup-d", Reason: "亲属任该公司销售经理"}}
	newOne := ok("sup-new", "新源")
	newOne.SupplyState = zhidu.SupplyNew
	black := ok("sup-black", "黑名单公司")
	black.Blacklisted, black.BlacklistReason = true, "以次充好"
	return []zhidu.Supplier{ok("sup-a", "A 华东"), ok("sup-b", "B 恒通"), ok("sup-c", "C 金诚"), conflicted, newOne, black}
}

func requisition(kind string, quantity, price float64) Requisition {
	r := Requisition{Items: []RequisitionItem{{Name: "轴承 6204", Spec: "SKF", Quantity: quantity, Unit: "个", UnitPrice: price}},
		Reason: "二号线改造", Kind: kind, Urgency: UrgencyNormal}
	if needsProject(kind) {
		r.Project = "line-2"
	}
	return r
}

var line2 = &zhidu.Project{ID: "line-2", Name: "二号生产线改造", Department: zhidu.DeptQuality, Manager: "quality.head", Lead: "vp.ops"}

func purchaseInput(t *testing.T, requester zhidu.Actor, req Requisition, level zhidu.Level) PurchaseInput {
	t.Helper()
	var project *zhidu.Project
	if req.Project != "" {
		project = line2
	}
	route, err := routePurchase(matrix.Seed(), 7, req, requester.Department, level, project)
	if err != nil {
		t.Fatal(err)
	}
	return PurchaseInput{
		Process: zhidu.ProcessInfo{ID: purchaseID, Kind: KindPurchase, Title: req.Items[0].Name, Level: level,
			Department: requester.Department, StartedBy: requester.Username},
		Requisition: req, Project: project, Route: route, Config: DefaultPurchaseConfig(),
	}
}

func newPurchaseHarness(t *testing.T) *harness[PurchaseInput, PurchaseResult] {
	t.Helper()
	h := newHarness[PurchaseInput, PurchaseResult](t, WorkflowPurchase, Purchase, purchaseID)
	h.suppliers = testSuppliers()
	return h
}

func quote(supplier string, price float64) map[string]any {
	return map[string]any{"supplier": supplier, "unit_price": price, "delivery_date": "2026-03-10"}
}

func quotes(chosen string, qs ...map[string]any) map[string]any {
	rows := make([]any, len(qs))
	for i, q := range qs {
		rows[i] = q
	}
	return map[string]any{"quotes": rows, "chosen": chosen, "reason": "价格最低"}
}

var (
	inspected = map[string]any{"delivery_note": "SH-1", "name_ok": true, "spec_ok": true, "quantity_ok": true,
		"unit_price_ok": true, "amount_ok": true, "quality_ok": true, "received_quantity": 100}
	ordered = map[string]any{"delivery_date": "2026-03-10"}
)

// TestPurchaseRegular: a regular plan of sales under ¥50,000 takes the
// seed's route — department head, finance's review, the GM —, then the
// order, the delivery, receiving and payment; the route is the one its
// input recorded, with its matrix version.
func TestPurchaseRegular(t *testing.T) {
	h := newPurchaseHarness(t)
	in := purchaseInput(t, salesRep, requisition(matrix.KindRegular, 100, 25), zhidu.Internal)
	if got := routeText(in.Route); got != "dept_head@sales → staff@fin → gm@gmo" {
		t.Fatalf("route = %s", got)
	}
	requesterApproves := h.try(2*time.Hour, "the requester approves", "approval#1.1", also(salesRep, grant(zhidu.RoleDeptHead, zhidu.DeptSales)), OutcomeApprove, nil)
	buyerReceives := h.try(3*aDay+time.Hour, "the buyer receives", "receiving#1", also(purBuyer, grant(zhidu.RoleStaff, zhidu.DeptWH)), OutcomeAccept, inspected)
	badPay := h.try(4*aDay, "pays too little", "payment", finClerk, OutcomePaid, map[string]any{"amount": 100, "settlement": SettlementMonthly})
	replies := h.play(
		act{time.Hour, "sourcing#1", purBuyer, OutcomeChoose, quotes("sup-a", quote("sup-a", 24.5), quote("sup-b", 26))},
		act{3 * time.Hour, "approval#1.1", salesHead, OutcomeApprove, nil},
		act{4 * time.Hour, "approval#1.2", finClerk, OutcomeApprove, nil},
		act{5 * time.Hour, "approval#1.3", gm, OutcomeApprove, nil},
		act{aDay, "order#1", purBuyer, OutcomeOrder, ordered},
		act{3 * aDay, "delivery", purBuyer, OutcomeDelivered, nil},
		act{3*aDay + 2*time.Hour, "receiving#1", whClerk, OutcomeAccept, inspected},
		act{4*aDay + time.Hour, "payment", finClerk, OutcomePaid, map[string]any{"amount": 2400, "discount": 50, "settlement": SettlementMonthly}},
	)
	res := h.run(in)

	wantRejected(t, requesterApproves, zhidu.CodeForbidden)
	wantRejected(t, buyerReceives, zhidu.CodeForbidden)
	wantRejectedField(t, badPay, zhidu.CodeInvalid, "data.amount")
	wantAllAccepted(t, replies)
	if res.Outcome != ResultPaid || res.Order != "PO-2026-000001" {
		t.Errorf("result = %+v, want paid with order PO-2026-000001", res)
	}
	h.wantCompleted(t, ResultPaid, t0.Add(4*aDay+time.Hour))
	wantKeys(t, h, "sourcing#1", "approval#1.1", "approval#1.2", "approval#1.3", "order#1", "delivery", "receiving#1", "payment")
	steps := []string{}
	for _, c := range h.created {
		steps = append(steps, c.Spec.Step)
	}
	want := []string{StepSourcing, "approval_dept_head", "approval_staff", "approval_gm", StepPurchaseOrder, StepDelivery, StepReceiving, StepPayment}
	if !slices.Equal(steps, want) {
		t.Errorf("steps = %v, want %v", steps, want)
	}
	for _, c := range h.created {
		if c.Spec.Approval != strings.HasPrefix(c.Spec.Step, "approval_") {
			t.Errorf("%s: approval = %v", c.Spec.Step, c.Spec.Approval)
		}
	}
	if ex := h.createdTask(t, "receiving#1").Spec.Excluded; !slices.Contains(ex, "pur.buyer") || !slices.Contains(ex, "sales.rep") {
		t.Errorf("receiving excludes %v, want the buyer and the requester", ex)
	}
	if ex := h.createdTask(t, "approval#1.3").Spec.Excluded; !slices.Contains(ex, "sales.head") || !slices.Contains(ex, "fin.clerk") {
		t.Errorf("the GM's step excludes %v, want the earlier approvers", ex)
	}
	last := map[string]any{}
	for _, e := range h.entries {
		for k, v := range e.Fields {
			last[k] = v
		}
	}
	wantFields(t, last, map[string]any{"stage": "closed", "result": ResultPaid, "order": "PO-2026-000001", "matrix_version": 7,
		"route": "dept_head@sales → staff@fin → gm@gmo", "supplier": "A 华东", "amount": 2450.0, "paid_amount": 2400.0,
		"company_credit": 50.0, "gm_approval": true, "received_by": "wh.clerk"})
	if v := h.vouchers; len(v) != 1 || v[0].Series != zhidu.SeriesOrder {
		t.Errorf("numbers asked for: %+v, want one order number", v)
	}
}

// TestPurchaseDeliveryTimer: a reminder DeliveryReminder before the end
// of the confirmed day (the company's time zone), the purchasing head at
// its end.
func TestPurchaseDeliveryTimer(t *testing.T) {
	h := newPurchaseHarness(t)
	in := purchaseInput(t, salesRep, requisition(matrix.KindTemporary, 10, 25), zhidu.Internal)
	h.play(
		act{time.Hour, "sourcing#1", purBuyer, OutcomeChoose, quotes("sup-a", quote("sup-a", 24))},
		act{2 * time.Hour, "approval#1.1", salesHead, OutcomeApprove, nil},
		act{3 * time.Hour, "approval#1.2", finClerk, OutcomeApprove, nil},
		act{4 * time.Hour, "order#1", purBuyer, OutcomeOrder, ordered},
		act{10 * aDay, "delivery", purBuyer, OutcomeDelivered, nil},
		act{10*aDay + time.Hour, "receiving#1", whClerk, OutcomeAccept, inspected},
		act{10*aDay + 2*time.Hour, "payment", finClerk, OutcomePaid, map[string]any{"amount": 240, "settlement": SettlementImmediate}},
	)
	h.run(in)
	// 2026-03-10 ends at 2026-03-11 00:00 in Shanghai: 2026-03-10 16:00 UTC.
	deadline := time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC)
	var reminded, escalated time.Time
	for _, e := range h.events {
		if e.Step == StepDelivery {
			switch e.Event {
			case zhidu.EventReminded:
				reminded = e.At
			case zhidu.EventEscalated:
				escalated = e.At
				if !slices.Equal(e.AddCandidates, []zhidu.Candidate{headPur}) {
					t.Errorf("escalation adds %v, want the purchasing head", e.AddCandidates)
				}
			}
		}
	}
	if !reminded.Equal(deadline.Add(-aDay)) || !escalated.Equal(deadline) {
		t.Errorf("reminded %v, escalated %v; want %v and %v", reminded, escalated, deadline.Add(-aDay), deadline)
	}
	if c := h.createdTask(t, "delivery").Spec.Candidates; !slices.Equal(c, []zhidu.Candidate{{User: "pur.buyer"}}) {
		t.Errorf("delivery candidates = %v, want the buyer", c)
	}
}

// TestPurchaseImportantQuotesRecusalFirstSupply: important material needs
// three qualified quotes; a blacklisted supplier is refused by name; a
// buyer with an interest recuses; a first-time supplier passes the sample
// test and trial batch or is not picked again; quality.head, who declared
// an interest in a quoted supplier, never evaluates nor approves.
func TestPurchaseImportantQuotesRecusalFirstSupply(t *testing.T) {
	h := newPurchaseHarness(t)
	req := requisition(matrix.KindImportant, 10, 100)
	in := purchaseInput(t, qualityEng, req, zhidu.Internal)
	// quality.head, the only candidate of the first approval, recuses:
	// it climbs to the VP in charge at once.
	h.eligible = func(in zhidu.CreateTaskInput) int {
		if in.Spec.StepKey == "approval#2.1" {
			return 0
		}
		return 1
	}
	h.suppliers = append(h.suppliers, zhidu.Supplier{ID: "sup-own", Name: "采购员亲属公司", Qualified: true, SupplyState: zhidu.SupplyApproved,
		Conflicts: []zhidu.Conflict{{User: "pur.buyer", Supplier: "sup-own"}}})
	two := h.try(time.Hour, "two quotes", "sourcing#1", purBuyer, OutcomeChoose, quotes("sup-a", quote("sup-a", 90), quote("sup-b", 95)))
	black := h.try(time.Hour+time.Minute, "a blacklisted quote", "sourcing#1", purBuyer, OutcomeChoose,
		quotes("sup-a", quote("sup-a", 90), quote("sup-black", 80), quote("sup-b", 95), quote("sup-c", 99)))
	twice := h.try(time.Hour+2*time.Minute, "quoted twice", "sourcing#1", purBuyer, OutcomeChoose,
		quotes("sup-a", quote("sup-a", 90), quote("sup-a", 80), quote("sup-b", 95)))
	own := h.try(time.Hour+3*time.Minute, "the buyer's own interest", "sourcing#1", purBuyer, OutcomeChoose,
		quotes("sup-a", quote("sup-a", 90), quote("sup-own", 80), quote("sup-b", 95)))
	notQuoted := h.try(time.Hour+4*time.Minute, "chosen not quoted", "sourcing#1", purBuyer, OutcomeChoose,
		quotes("sup-c", quote("sup-a", 90), quote("sup-b", 80), quote("sup-d", 95)))
	badCell := h.try(time.Hour+5*time.Minute, "a price as text", "sourcing#1", purBuyer, OutcomeChoose,
		quotes("sup-a", map[string]any{"supplier": "sup-a", "unit_price": "ninety", "delivery_date": "2026-03-10"}))
	// Round 1 picks the new supplier; its sample test fails.
	replies := h.play(
		act{2 * time.Hour, "sourcing#1", purBuyer, OutcomeChoose, quotes("sup-new", quote("sup-new", 80), quote("sup-a", 90), quote("sup-d", 95), quote("sup-b", 99))},
		act{aDay, "sample#1", qualityEng2, OutcomeFail, map[string]any{"findings": "硬度不足"}},
	)
	failedAgain := h.try(aDay+time.Hour, "the failed supplier again", "sourcing#2", purBuyer, OutcomeChoose,
		quotes("sup-new", quote("sup-new", 80), quote("sup-a", 90), quote("sup-b", 99)))
	recusedApproves := h.try(2*aDay+time.Minute, "quality.head approves despite an interest", "approval#2.1", qualityHead, OutcomeApprove, nil)
	more := h.play(
		act{aDay + 2*time.Hour, "sourcing#2", purBuyer2, OutcomeChoose, quotes("sup-a", quote("sup-a", 90), quote("sup-d", 95), quote("sup-b", 99))},
		act{2*aDay + time.Hour, "approval#2.1", vpQualityActor, OutcomeApprove, nil},
		act{2*aDay + 2*time.Hour, "approval#2.2", vpOps, OutcomeApprove, nil},
		act{2*aDay + 3*time.Hour, "approval#2.3", finClerk, OutcomeApprove, nil},
	)
	h.at(3*aDay, func() { h.cancel("cancel", zhidu.CancelProcessRequest{Actor: qualityEng, Reason: "test ends here"}) })
	h.start(in)

	wantRejectedField(t, two, zhidu.CodeInvalid, "data.quotes")
	wantRejectedField(t, black, zhidu.CodeInvalid, "data.quotes[1].supplier")
	if f := wantRejected(t, black, zhidu.CodeInvalid); !strings.Contains(f["data.quotes[1].supplier"], "以次充好") {
		t.Errorf("blacklist error %q does not say why", f["data.quotes[1].supplier"])
	}
	wantRejectedField(t, twice, zhidu.CodeInvalid, "data.quotes[1].supplier")
	wantRejectedField(t, own, zhidu.CodeInvalid, "data.quotes[1].supplier")
	wantRejectedField(t, notQuoted, zhidu.CodeInvalid, "data.chosen")
	wantRejectedField(t, badCell, zhidu.CodeInvalid, "data.quotes[0].unit_price")
	wantRejectedField(t, failedAgain, zhidu.CodeInvalid, "data.chosen")
	wantRejected(t, recusedApproves, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	wantAllAccepted(t, more)
	wantKeys(t, h, "sourcing#1", "sample#1", "sourcing#2", "approval#2.1", "approval#2.2", "approval#2.3", "order#2")
	// The route: the project manager (the department's head), the
	// project's first responsible person, finance's review.
	if c := h.createdTask(t, "approval#2.2").Spec.Candidates; !slices.Equal(c, []zhidu.Candidate{{User: "vp.ops"}}) {
		t.Errorf("project lead step candidates = %v", c)
	}
	for _, key := range []string{"approval#2.1", "approval#2.2", "approval#2.3"} {
		if ex := h.createdTask(t, key).Spec.Excluded; !slices.Contains(ex, "quality.head") {
			t.Errorf("%s excludes %v, want quality.head (回避)", key, ex)
		}
	}
	if ex := h.createdTask(t, "sample#1").Spec.Excluded; !slices.Contains(ex, "quality.head") || !slices.Contains(ex, "quality.eng") {
		t.Errorf("sample test excludes %v, want the recused and the requester", ex)
	}
	if len(h.supplies) != 0 {
		t.Errorf("supplies = %+v, want none: the new supplier failed", h.supplies)
	}
}

var (
	qualityEng2    = person("quality.eng2", zhidu.DeptQuality, zhidu.Internal, grant(zhidu.RoleStaff, zhidu.DeptQuality))
	vpQualityActor = person("vp.quality", zhidu.DeptGMO, zhidu.Confidential, grant(zhidu.RoleVP, zhidu.DeptQuality))
)

// TestPurchaseRecusalMidFlight: an interest declared while an approval is
// open keeps the declarer off it at once — completing, delegating to them
// and reassigning to them are refused — and the exclusion is recorded.
func TestPurchaseRecusalMidFlight(t *testing.T) {
	h := newPurchaseHarness(t)
	in := purchaseInput(t, salesRep, requisition(matrix.KindRegular, 100, 25), zhidu.Internal)
	h.play(act{time.Hour, "sourcing#1", purBuyer, OutcomeChoose, quotes("sup-a", quote("sup-a", 24.5), quote("sup-b", 26))})
	declared := zhidu.Supplier{ID: "sup-b", Name: "B 恒通", Qualified: true, SupplyState: zhidu.SupplyApproved,
		Conflicts: []zhidu.Conflict{{User: "sales.head", Supplier: "sup-b", Reason: "持股"}}}
	var facts *reply
	h.at(2*time.Hour, func() { facts = h.send(UpdateSupplierFacts, "declare", zhidu.SupplierFacts{Supplier: declared}) })
	var empty *reply
	h.at(time.Minute, func() { empty = h.send(UpdateSupplierFacts, "no ID", zhidu.SupplierFacts{}) })
	approves := h.try(3*time.Hour, "the declarer approves", "approval#1.1", salesHead, OutcomeApprove, nil)
	salesHead2 := person("sales.head2", zhidu.DeptSales, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptSales))
	var delegate, reassign *reply
	h.at(3*time.Hour+time.Minute, func() {
		delegate = h.assign("delegate to the declarer", zhidu.AssignTaskRequest{TaskID: h.task("approval#1.1"), Kind: zhidu.AssignDelegate,
			Actor: salesHead2, Owner: "sales.head2", To: salesHead})
		reassign = h.assign("reassign to the declarer", zhidu.AssignTaskRequest{TaskID: h.task("approval#1.1"), Kind: zhidu.AssignReassign,
			Actor: vpOps, To: salesHead})
	})
	ok := h.play(act{4 * time.Hour, "approval#1.1", salesHead2, OutcomeApprove, nil})
	h.at(5*time.Hour, func() { h.cancel("cancel", zhidu.CancelProcessRequest{Actor: salesRep, Reason: "test ends here"}) })
	h.start(in)

	wantAccepted(t, facts)
	wantRejectedField(t, empty, zhidu.CodeInvalid, "supplier.id")
	wantRejected(t, approves, zhidu.CodeForbidden)
	wantRejected(t, delegate, zhidu.CodeForbidden)
	wantRejected(t, reassign, zhidu.CodeForbidden)
	wantAllAccepted(t, ok)
	if len(h.exclusions) != 1 || !slices.Equal(h.exclusions[0].Users, []string{"sales.head"}) ||
		!slices.Equal(h.exclusions[0].TaskIDs, []string{h.createdTask(t, "approval#1.1").TaskID}) {
		t.Errorf("exclusions = %+v, want sales.head off the open approval", h.exclusions)
	}
	if ex := h.createdTask(t, "approval#1.2").Spec.Excluded; !slices.Contains(ex, "sales.head") {
		t.Errorf("the next approval excludes %v, want sales.head", ex)
	}
}

// TestPurchaseOneApprovalEach: whoever approved one step of a request
// approves no other — even one who holds both roles.
func TestPurchaseOneApprovalEach(t *testing.T) {
	h := newPurchaseHarness(t)
	in := purchaseInput(t, salesRep, requisition(matrix.KindRegular, 100, 25), zhidu.Internal)
	twice := h.try(5*time.Hour, "the same person at the GM's step", "approval#1.3", bossBoth, OutcomeApprove, nil)
	h.play(
		act{time.Hour, "sourcing#1", purBuyer, OutcomeChoose, quotes("sup-a", quote("sup-a", 24.5))},
		act{2 * time.Hour, "approval#1.1", bossBoth, OutcomeApprove, nil},
		act{3 * time.Hour, "approval#1.2", finClerk, OutcomeApprove, nil},
		act{6 * time.Hour, "approval#1.3", gm, OutcomeReject, map[string]any{"opinion": "预算已满"}},
	)
	res := h.run(in)
	wantRejected(t, twice, zhidu.CodeForbidden)
	if res.Outcome != ResultRejected {
		t.Errorf("result = %+v, want rejected", res)
	}
	h.wantCompleted(t, ResultRejected, t0.Add(6*time.Hour))
}

// TestPurchaseSecretProcurement: a secret request adds the
// confidentiality review, and its order records the supplier's NDA.
func TestPurchaseSecretProcurement(t *testing.T) {
	h := newPurchaseHarness(t)
	in := purchaseInput(t, salesHead, requisition(matrix.KindTemporary, 10, 25), zhidu.Secret)
	if got := routeText(in.Route); got != "dept_head@sales → compliance@bmo → staff@fin" {
		t.Fatalf("route = %s", got)
	}
	finSecret := person("fin.clerk", zhidu.DeptFin, zhidu.Secret, grant(zhidu.RoleStaff, zhidu.DeptFin))
	salesHead2 := person("sales.head2", zhidu.DeptSales, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptSales))
	buyer := person("pur.buyer", zhidu.DeptPur, zhidu.Secret, grant(zhidu.RoleStaff, zhidu.DeptPur))
	noNDA := h.try(5*time.Hour, "no NDA", "order#1", buyer, OutcomeOrder, ordered)
	past := h.try(5*time.Hour+time.Minute, "a delivery date in the past", "order#1", buyer, OutcomeOrder,
		map[string]any{"delivery_date": "2026-03-01", "nda": "NDA-1"})
	replies := h.play(
		act{time.Hour, "sourcing#1", buyer, OutcomeChoose, quotes("sup-a", quote("sup-a", 24))},
		act{2 * time.Hour, "approval#1.1", salesHead2, OutcomeApprove, nil},
		act{3 * time.Hour, "approval#1.2", bmoAuditor, OutcomeApprove, nil},
		act{4 * time.Hour, "approval#1.3", finSecret, OutcomeApprove, nil},
		act{6 * time.Hour, "order#1", buyer, OutcomeOrder, map[string]any{"delivery_date": "2026-03-10", "nda": "NDA-2026-007"}},
	)
	h.at(7*time.Hour, func() { h.cancel("cancel", zhidu.CancelProcessRequest{Actor: salesHead, Reason: "test ends here"}) })
	h.start(in)
	wantRejectedField(t, noNDA, zhidu.CodeInvalid, "data.nda")
	wantRejectedField(t, past, zhidu.CodeInvalid, "data.delivery_date")
	wantAllAccepted(t, replies)
	for _, c := range h.created {
		if c.Spec.Level != zhidu.Secret {
			t.Errorf("%s at %s, want secret", c.Spec.StepKey, c.Spec.Level)
		}
	}
}

// TestRoutePurchase: the seed's routes at the band edges, and the project
// lead a project must name.
func TestRoutePurchase(t *testing.T) {
	cases := []struct {
		kind   string
		amount float64
		level  zhidu.Level
		want   string
	}{
		{matrix.KindTemporary, 2000, zhidu.Internal, "dept_head@sales → staff@fin"},
		{matrix.KindTemporary, 2000.01, zhidu.Internal, "dept_head@sales → staff@fin → gm@gmo"},
		{matrix.KindRegular, 50000, zhidu.Internal, "dept_head@sales → staff@fin → gm@gmo"},
		{matrix.KindRegular, 50000.01, zhidu.Internal, "dept_head@sales → staff@fin → dept_head@fin → gm@gmo"},
		{matrix.KindImportant, 100, zhidu.Internal, "dept_head@sales → project_lead → staff@fin"},
		{matrix.KindProject, 60000, zhidu.Secret, "dept_head@sales → project_lead → compliance@bmo → staff@fin → dept_head@fin → gm@gmo"},
	}
	for _, c := range cases {
		req := requisition(c.kind, 1, c.amount)
		var project *zhidu.Project
		if needsProject(c.kind) {
			project = line2
		}
		route, err := routePurchase(matrix.Seed(), 1, req, zhidu.DeptSales, c.level, project)
		if err != nil {
			t.Errorf("%s %.2f: %v", c.kind, c.amount, err)
			continue
		}
		if got := routeText(route); got != c.want {
			t.Errorf("%s %.2f %s: route %s, want %s", c.kind, c.amount, c.level, got, c.want)
		}
	}
	_, err := routePurchase(matrix.Seed(), 1, requisition(matrix.KindImportant, 1, 10), zhidu.DeptSales, zhidu.Internal, nil)
	if e, ok := err.(*zhidu.Error); !ok || e.FieldCodes["project"].IsZero() {
		t.Errorf("important material without a project: %v, want a field error on project", err)
	}
}

// TestRequisitionValidate: every rule of the requisition, with its path.
func TestRequisitionValidate(t *testing.T) {
	bad := Requisition{Items: []RequisitionItem{{Name: "ok", Quantity: 1, Unit: "个", UnitPrice: 1},
		{Name: "", Quantity: 0, Unit: "个", UnitPrice: 1.001}}, Reason: "", Kind: "monthly", Urgency: "asap"}
	errs := bad.Validate()
	for _, f := range []string{"items[1].name", "items[1].quantity", "items[1].unit_price", "reason", "kind", "urgency"} {
		if errs[f].IsZero() {
			t.Errorf("no error for %s in %v", f, errs)
		}
	}
	if _, ok := errs["items[0].name"]; ok {
		t.Errorf("a good line has an error: %v", errs)
	}
	imp := requisition(matrix.KindImportant, 1, 1)
	imp.Project = ""
	if imp.Validate()["project"].IsZero() {
		t.Error("important material without a project passes")
	}
	if errs := requisition(matrix.KindRegular, 3, 1.5).Validate(); errs != nil {
		t.Errorf("a good requisition: %v", errs)
	}
	if got := (Requisition{Items: []RequisitionItem{{Quantity: 3, UnitPrice: 0.1}, {Quantity: 1, UnitPrice: 0.2}}}).Total(); got != 0.5 {
		t.Errorf("total = %v, want 0.5", got)
	}
}

// TestPurchaseRecusedOnEscalation: a rung of the escalation ladder never
// opens a step to someone who recused: the department head's own
// requisition climbs to the VP in charge, who declared an interest in a
// quoted supplier and is refused; the next rung's deputy GM approves.
func TestPurchaseRecusedOnEscalation(t *testing.T) {
	h := newPurchaseHarness(t)
	h.suppliers[0].Conflicts = []zhidu.Conflict{{User: "vp.ops", Supplier: "sup-a", Reason: "持股"}}
	h.eligible = func(in zhidu.CreateTaskInput) int {
		if in.Spec.StepKey == "approval#1.1" {
			return 0 // the requester is the department's only head
		}
		return 1
	}
	in := purchaseInput(t, salesHead, requisition(matrix.KindRegular, 100, 25), zhidu.Internal)
	vp := h.try(2*time.Hour, "the recused VP", "approval#1.1", vpOps, OutcomeApprove, nil)
	head := h.try(2*time.Hour+time.Minute, "the requester", "approval#1.1", salesHead, OutcomeApprove, nil)
	replies := h.play(
		act{time.Hour, "sourcing#1", purBuyer, OutcomeChoose, quotes("sup-a", quote("sup-a", 24.5))},
		act{4*aDay + 2*time.Hour, "approval#1.1", deputy, OutcomeApprove, nil},
	)
	h.at(4*aDay+3*time.Hour, func() { h.cancel("cancel", zhidu.CancelProcessRequest{Actor: salesHead, Reason: "test ends here"}) })
	h.start(in)
	wantRejected(t, vp, zhidu.CodeForbidden)
	wantRejected(t, head, zhidu.CodeForbidden)
	wantAllAccepted(t, replies)
	var rungs []int
	for _, e := range h.events {
		if e.Event == zhidu.EventEscalated && e.Step == "approval_dept_head" {
			rungs = append(rungs, e.Rung)
		}
	}
	if !slices.Equal(rungs, []int{1, 2}) {
		t.Errorf("escalations = %v, want the VP at once, then leadership", rungs)
	}
	if ex := h.createdTask(t, "approval#1.1").Spec.Excluded; !slices.Contains(ex, "vp.ops") || !slices.Contains(ex, "sales.head") {
		t.Errorf("excluded = %v, want the recused VP and the requester", ex)
	}
}

// TestPurchaseRecord: the stored input is the requisition with its total
// and the route it took — matrix version, rule, why, and each step with
// its department (the project's first responsible person by name) — so
// the requisition's page shows it without asking Temporal.
func TestPurchaseRecord(t *testing.T) {
	d, _ := Lookup(KindPurchase)
	in := purchaseInput(t, salesRep, requisition(matrix.KindImportant, 4, 25), zhidu.Internal)
	got := d.Record(in)
	if got["total"] != 100.0 || got["matrix_version"] != 7 || got["matrix_rule"] != in.Route.Rule || got["kind"] != matrix.KindImportant ||
		got["level"] != "internal" || got["route"] != "dept_head@sales → project_lead → staff@fin" {
		t.Errorf("record = %v", got)
	}
	if why, ok := got["matrix_why"].(zhidu.Message); !ok || why.Code != "matrix.matched" {
		t.Errorf("matrix_why = %#v, want the route's why", got["matrix_why"])
	}
	want := []map[string]any{
		{"step": "approval_dept_head", "department": "sales"},
		{"step": StepApprovalProjectLead, "department": "quality", "user": "vp.ops"},
		{"step": "approval_staff", "department": "fin"},
	}
	steps, _ := got["route_steps"].([]map[string]any)
	if len(steps) != len(want) {
		t.Fatalf("route_steps = %v, want %v", steps, want)
	}
	for i := range want {
		if len(steps[i]) != len(want[i]) {
			t.Errorf("route_steps[%d] = %v, want %v", i, steps[i], want[i])
		}
		for k, v := range want[i] {
			if steps[i][k] != v {
				t.Errorf("route_steps[%d] = %v, want %v", i, steps[i], want[i])
			}
		}
	}
	if q := 24.5; in.Requisition.QuoteAmount(Quote{UnitPrice: 24.5}) != 98 || in.Requisition.QuoteAmount(Quote{UnitPrice: 1, Amount: &q}) != q {
		t.Error("a quote's amount is not its own, or unit price × quantity")
	}
}
