package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

// The purchase's kind, workflow name and the names of what only it uses.
const (
	KindPurchase     = "purchase"
	WorkflowPurchase = "Purchase"

	// UpdateSupplierFacts tells a running purchase how a supplier now
	// stands (zhidu.SupplierFacts): the API sends it after a blacklisting,
	// a supply state change or a declared conflict of interest.
	UpdateSupplierFacts = "SupplierFacts"

	ActivityLoadSuppliers   = "LoadSuppliers"
	ActivityApproveSupplier = "ApproveSupplier"
	ActivityExcludeUsers    = "ExcludeFromTasks"
)

// Step names of the purchase. The approval steps of a route are named by
// the role the matrix gives them (approval_dept_head, …, approvalStep).
const (
	StepSourcing            = "sourcing"
	StepApprovalProjectLead = "approval_project_lead"
	StepSampleTest          = "sample_test"
	StepTrialBatch          = "trial_batch"
	StepPurchaseOrder       = "purchase_order"
	StepDelivery            = "delivery"
	StepReceiving           = "receiving"
	StepPayment             = "payment"
)

// approvalRoles are the roles a route's step may name (matrix.Step.Role).
var approvalRoles = []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP,
	zhidu.RoleDeputyGM, zhidu.RoleGM, zhidu.RoleCompliance}

// approvalStep is the step name of a route's step for role r.
func approvalStep(r zhidu.Role) string { return "approval_" + string(r) }

// approvalLabel labels a route's step by its role: finance's staff review
// every purchase, compliance reviews its confidentiality.
func approvalLabel(r zhidu.Role) zhidu.Text {
	switch r {
	case zhidu.RoleStaff:
		return text("经办审核", "Staff review")
	case zhidu.RoleSupervisor:
		return text("主管审核", "Supervisor review")
	case zhidu.RoleDeptHead:
		return text("部门经理审批", "Department head approval")
	case zhidu.RoleVP:
		return text("分管副总审批", "VP approval")
	case zhidu.RoleDeputyGM:
		return text("副总经理审批", "Deputy GM approval")
	case zhidu.RoleGM:
		return text("总经理审批", "GM approval")
	case zhidu.RoleCompliance:
		return text("保密审查", "Confidentiality review")
	}
	return text(string(r), string(r))
}

// How a purchase ends (its result), if not ResultRejected or
// ResultCancelled.
const (
	ResultPaid     = "paid"     // received, stocked and paid
	ResultReturned = "returned" // the goods were rejected and went back to the supplier
)

// PurchaseResult is how a purchase ended and its order.
type PurchaseResult struct {
	Outcome string `json:"outcome"`
	Order   string `json:"order,omitempty"`
}

// Quote is one supplier's quote, as the buyer records it.
type Quote struct {
	Supplier     string   `json:"supplier"`
	UnitPrice    float64  `json:"unit_price"`
	Amount       *float64 `json:"amount"` // the quote's total; by default unit price × the requisition's quantity
	DeliveryDate string   `json:"delivery_date"`
	Terms        string   `json:"terms"`
}

// QuoteAmount is a quote's total for the requisition: the amount quoted,
// by default its unit price × the requisition's quantity.
func (r Requisition) QuoteAmount(q Quote) float64 {
	if q.Amount != nil {
		return *q.Amount
	}
	return amountOf(1, q.UnitPrice*r.Quantity())
}

// Purchase is process 3 of DOMAIN.md, 采购审批: the requisition is routed at
// submission by the approval matrix's active version, which it records; the
// buyer sources quotes (three qualified suppliers for important material)
// and picks one; a first-time supplier of important material passes
// Quality's sample test and trial batch; the route's approvers approve in
// order — nobody with a declared interest in a quoted supplier, the
// requester never, nobody twice —; the buyer places the order and chases
// the delivery (a reminder before the confirmed date, the purchasing head
// at it); the warehouse inspects and stocks the goods or rejects them into
// a supplier return; finance pays.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess,
// SupplierFacts. Query: State.
func Purchase(ctx workflow.Context, in PurchaseInput) (PurchaseResult, error) {
	p := newProcess(ctx, in.Process)
	r := &purchaseRun{p: p, in: in, cfg: in.Config, suppliers: map[string]zhidu.Supplier{}}
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{
		StepSourcing:      ruleFor(r.checkSourcing),
		StepSampleTest:    rule[evaluationResult](nil),
		StepTrialBatch:    rule[evaluationResult](nil),
		StepPurchaseOrder: rule(r.checkOrder),
		StepDelivery:      rule[deliveryResult](nil),
		StepReceiving:     rule(checkReceiving),
		StepPayment:       rule(r.checkPayment),
	}
	if err := p.setup(ctx); err != nil {
		return PurchaseResult{}, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSupplierFacts, r.supplierFacts,
		workflow.UpdateHandlerOptions{Validator: r.validateSupplierFacts}); err != nil {
		return PurchaseResult{}, err
	}
	res, err := r.run(ctx)
	if errors.Is(err, errCancelled) {
		res = PurchaseResult{Outcome: ResultCancelled, Order: r.order}
		err = r.record(ctx, map[string]any{"stage": "closed", "result": ResultCancelled, "closed_at": workflow.Now(ctx)})
	}
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

// purchaseRun is a purchase's own state beside the process's.
type purchaseRun struct {
	p   *process
	in  PurchaseInput
	cfg PurchaseConfig
	// suppliers are the suppliers as last loaded or told (SupplierFacts).
	suppliers map[string]zhidu.Supplier
	round     int      // sourcing rounds
	quotes    []Quote  // the round's quotes
	chosen    string   // the supplier picked
	failed    []string // suppliers whose sample test or trial batch failed on this request
	buyer     string   // who placed the order: they never receive it
	// orderAsked is when the order was asked for: its delivery date is
	// not earlier.
	orderAsked time.Time
	order      string // the order's number
	receivers  []string
	approvers  []string
}

// record writes fields to the purchase register.
func (r *purchaseRun) record(ctx workflow.Context, fields map[string]any) error {
	return r.p.recordEntry(ctx, zhidu.RegisterRecord{Fields: fields})
}

// quoted lists the suppliers the round's quotes name.
func (r *purchaseRun) quoted() []string {
	out := make([]string, 0, len(r.quotes))
	for _, q := range r.quotes {
		out = append(out, q.Supplier)
	}
	return out
}

// recused are the users who declared an interest in a quoted supplier:
// they never evaluate nor approve this request (回避).
func (r *purchaseRun) recused() []string {
	var out []string
	for _, id := range r.quoted() {
		for _, u := range r.suppliers[id].Recused() {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// chosenQuote is the quote of the supplier picked.
func (r *purchaseRun) chosenQuote() Quote {
	i := slices.IndexFunc(r.quotes, func(q Quote) bool { return q.Supplier == r.chosen })
	if i < 0 {
		return Quote{}
	}
	return r.quotes[i]
}

// amountOf is a quote's total.
func (r *purchaseRun) amountOf(q Quote) float64 { return r.in.Requisition.QuoteAmount(q) }

// context is what every step shows of the request.
func (r *purchaseRun) context() map[string]any {
	c := map[string]any{"requisition": r.in.Requisition, "total": r.in.Requisition.Total(), "route": r.in.Route}
	if r.in.Project != nil {
		c["project"] = r.in.Project
	}
	if len(r.quotes) > 0 {
		c["quotes"], c["chosen"], c["amount"] = r.quotes, r.chosen, r.amountOf(r.chosenQuote())
		if s, ok := r.suppliers[r.chosen]; ok {
			c["chosen_name"] = s.Name
		}
	}
	if r.order != "" {
		c["order"] = r.order
	}
	return c
}

func (r *purchaseRun) run(ctx workflow.Context) (PurchaseResult, error) {
	req := r.in.Requisition
	opened := map[string]any{"stage": StepSourcing, "kind": req.Kind, "urgency": req.Urgency, "total": req.Total(),
		"items": len(req.Items), "matrix_version": r.in.Route.MatrixVersion, "rule": r.in.Route.Rule,
		"route": routeText(r.in.Route), "gm_approval": r.in.Route.needsGM()}
	if req.Project != "" {
		opened["project"] = req.Project
	}
	if err := r.record(ctx, opened); err != nil {
		return PurchaseResult{}, err
	}
	for {
		if err := r.source(ctx); err != nil {
			return PurchaseResult{}, err
		}
		passed, err := r.firstSupply(ctx)
		if err != nil {
			return PurchaseResult{}, err
		}
		if !passed {
			continue // another supplier, another round
		}
		approved, err := r.approve(ctx)
		switch {
		case err != nil:
			return PurchaseResult{}, err
		case !approved:
			return PurchaseResult{Outcome: ResultRejected}, r.close(ctx, ResultRejected)
		}
		// The chosen supplier blacklisted meanwhile: source again.
		if err := r.refresh(ctx, r.quoted()); err != nil {
			return PurchaseResult{}, err
		}
		if !r.suppliers[r.chosen].Blacklisted {
			break
		}
		if err := r.record(ctx, map[string]any{"stage": StepSourcing, "resourced": "blacklisted"}); err != nil {
			return PurchaseResult{}, err
		}
	}
	if err := r.placeOrder(ctx); err != nil {
		return PurchaseResult{}, err
	}
	stocked, err := r.receive(ctx)
	if err != nil {
		return PurchaseResult{}, err
	}
	if !stocked {
		return PurchaseResult{Outcome: ResultReturned, Order: r.order}, r.close(ctx, ResultReturned)
	}
	if err := r.pay(ctx); err != nil {
		return PurchaseResult{}, err
	}
	return PurchaseResult{Outcome: ResultPaid, Order: r.order}, r.close(ctx, ResultPaid)
}

// needsGM says whether the route has the GM approve.
func (rt Route) needsGM() bool {
	return slices.ContainsFunc(rt.Steps, func(s RouteStep) bool { return s.Role == zhidu.RoleGM })
}

// routeText says a route compactly, as the register shows it.
func routeText(rt Route) string {
	out := ""
	for i, s := range rt.Steps {
		if i > 0 {
			out += " → "
		}
		out += s.Step.String()
	}
	return out
}

// close records the end in the register and ends the process, unless it
// was cancelled meanwhile.
func (r *purchaseRun) close(ctx workflow.Context, result string) error {
	if r.p.Cancelled != nil {
		return errCancelled
	}
	if err := r.record(ctx, map[string]any{"stage": "closed", "result": result, "closed_at": workflow.Now(ctx)}); err != nil {
		return err
	}
	return r.p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: result})
}

// refresh loads suppliers (nil: every one) as they stand now.
func (r *purchaseRun) refresh(ctx workflow.Context, ids []string) error {
	var list []zhidu.Supplier
	if err := r.p.project(ctx, ActivityLoadSuppliers, ids).Get(ctx, &list); err != nil {
		return fmt.Errorf("load suppliers: %w", err)
	}
	for _, s := range list {
		r.suppliers[s.ID] = s
	}
	return nil
}

// supplierChoices are the suppliers a quote may name, by ID: every one
// known (a blacklisted one is refused with its reason, not as unknown).
func (r *purchaseRun) supplierChoices() []string {
	ids := workflow.DeterministicKeys(r.suppliers)
	return ids
}

// supplierList is what the sourcing step shows of the suppliers.
func (r *purchaseRun) supplierList() []map[string]any {
	var out []map[string]any
	for _, id := range r.supplierChoices() {
		s := r.suppliers[id]
		out = append(out, map[string]any{"id": s.ID, "name": s.Name, "qualified": s.Qualified, "supply_state": s.SupplyState,
			"blacklisted": s.Blacklisted, "blacklist_reason": s.BlacklistReason})
	}
	return out
}

// source asks the buyer for quotes and the pick (询价比价议价).
func (r *purchaseRun) source(ctx workflow.Context) error {
	if r.p.Cancelled != nil {
		return errCancelled
	}
	if err := r.refresh(ctx, nil); err != nil {
		return err
	}
	r.round++
	form := sourcingForm(r.supplierChoices())
	s := r.p.task(fmt.Sprintf("sourcing#%d", r.round), StepSourcing, text("询价比价议价", "Source quotes"), zhidu.DeptPur,
		r.cfg.Sourcing, form, []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptPur), role(zhidu.RoleSupervisor, zhidu.DeptPur)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptPur)})
	s.Excluded = []string{r.p.Requester} // nobody sources their own request
	s.Context = r.context()
	s.Context["suppliers"], s.Context["round"], s.Context["failed"] = r.supplierList(), r.round, r.failed
	if needsQuotes := r.in.Requisition.Kind == matrix.KindImportant; needsQuotes {
		s.Context["min_quotes"] = r.cfg.MinQuotes
	}
	done, d, err := askFor[sourcingResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	r.quotes, r.chosen = d.Quotes, d.Chosen
	q := r.chosenQuote()
	return r.record(ctx, map[string]any{"stage": "evaluation", "quotes": d.Quotes, "chosen": d.Chosen,
		"supplier": r.suppliers[d.Chosen].Name, "chosen_reason": d.Reason, "amount": r.amountOf(q),
		"sourced_by": done.Actor.Username, "quote_count": len(d.Quotes), "recused": r.recused()})
}

// evaluation marks a task as one a recused user never works, with the
// recused excluded as the task is created.
func (r *purchaseRun) evaluation(s zhidu.TaskSpec) zhidu.TaskSpec {
	s.Excluded = append(append(s.Excluded, r.p.Requester), r.recused()...)
	s.Context = r.context()
	s.Context["recused"] = r.recused()
	return s
}

// firstSupply runs Quality's sample test and trial batch for a
// first-time supplier of important material (首次供货), and reports
// whether it passed both; one that fails is not picked again here.
func (r *purchaseRun) firstSupply(ctx workflow.Context) (bool, error) {
	sup := r.suppliers[r.chosen]
	if r.in.Requisition.Kind != matrix.KindImportant || sup.SupplyState != zhidu.SupplyNew {
		return true, nil
	}
	quality := []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptQuality), role(zhidu.RoleSupervisor, zhidu.DeptQuality)}
	head := []zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptQuality)}
	steps := []struct {
		key, step string
		title     zhidu.Text
		sla       SLA
	}{
		{"sample", StepSampleTest, text("首次供货样品检验", "Sample test of a first-time supplier"), r.cfg.SampleTest},
		{"trial", StepTrialBatch, text("首次供货小批量试用", "Trial batch of a first-time supplier"), r.cfg.TrialBatch},
	}
	var by []string
	for _, st := range steps {
		if err := r.record(ctx, map[string]any{"stage": st.step}); err != nil {
			return false, err
		}
		s := r.evaluation(r.p.task(fmt.Sprintf("%s#%d", st.key, r.round), st.step, st.title, zhidu.DeptQuality, st.sla,
			evaluationForm, quality, head))
		s.Context["supplier"] = sup.Name
		done, d, err := askFor[evaluationResult](ctx, r.p, s)
		if err != nil {
			return false, err
		}
		by = append(by, done.Actor.Username)
		if done.Outcome == OutcomeFail {
			r.failed = append(r.failed, r.chosen)
			return false, r.record(ctx, map[string]any{"stage": StepSourcing, st.step: OutcomeFail, st.step + "_findings": d.Findings})
		}
		if err := r.record(ctx, map[string]any{st.step: OutcomePass}); err != nil {
			return false, err
		}
	}
	rec := zhidu.SupplyRecord{Supplier: sup.ID, State: zhidu.SupplyApproved, ProcessID: r.p.Info.ID, Actor: by[len(by)-1],
		At: workflow.Now(ctx)}
	if err := r.p.project(ctx, ActivityApproveSupplier, rec).Get(ctx, nil); err != nil {
		return false, fmt.Errorf("approve supplier %s: %w", sup.ID, err)
	}
	sup.SupplyState = zhidu.SupplyApproved
	r.suppliers[sup.ID] = sup
	return true, nil
}

// approve asks each step of the route in order and reports whether all
// approved; a rejection closes the request.
func (r *purchaseRun) approve(ctx workflow.Context) (bool, error) {
	r.approvers = nil
	for i, st := range r.in.Route.Steps {
		if err := r.record(ctx, map[string]any{"stage": st.Name, "approved_by": r.approvers}); err != nil {
			return false, err
		}
		ladder := [][]zhidu.Candidate{leadership}
		if st.Candidates[0].Role != "" && rank(st.Role) < rank(zhidu.RoleVP) {
			ladder = [][]zhidu.Candidate{{role(zhidu.RoleVP, st.Department)}, leadership}
		}
		title := approvalLabel(st.Role)
		if st.ProjectLead {
			title = text("项目第一责任人审批", "Project lead approval")
		}
		s := r.evaluation(r.p.task(fmt.Sprintf("approval#%d.%d", r.round, i+1), st.Name, title, st.Department, r.cfg.Approval,
			approvalForm, st.Candidates, ladder...))
		s.Approval = true // the requester never approves, nobody approves two steps
		s.Excluded = append(s.Excluded, r.approvers...)
		s.Context["step"], s.Context["steps"] = i+1, len(r.in.Route.Steps)
		if r.p.Info.Level >= zhidu.Secret {
			s.Context["secret_procurement"] = true // 涉密采购: the order records the supplier's NDA
		}
		done, err := r.p.ask(ctx, s)
		if err != nil {
			return false, err
		}
		if done.Outcome == OutcomeReject {
			return false, r.record(ctx, map[string]any{"approved_by": r.approvers, "rejected_by": done.Actor.Username,
				"rejected_at": st.Name})
		}
		r.approvers = append(r.approvers, actors(done)...)
	}
	return true, r.record(ctx, map[string]any{"stage": StepPurchaseOrder, "approved_by": r.approvers})
}

// rank is the order of the department line's roles (zhidu's).
func rank(rl zhidu.Role) int {
	return slices.Index([]zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP,
		zhidu.RoleDeputyGM, zhidu.RoleGM}, rl)
}

// placeOrder asks the buyer for the order: the confirmed delivery date
// (and for secret procurement the supplier's NDA); the order number is
// issued as it is recorded.
func (r *purchaseRun) placeOrder(ctx workflow.Context) error {
	s := r.p.task(fmt.Sprintf("order#%d", r.round), StepPurchaseOrder, text("下达采购订单", "Place the purchase order"), zhidu.DeptPur,
		r.cfg.Order, orderForm, []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptPur), role(zhidu.RoleSupervisor, zhidu.DeptPur)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptPur)})
	s.Excluded = []string{r.p.Requester}
	s.Context = r.context()
	if r.p.Info.Level >= zhidu.Secret {
		s.Context["secret_procurement"] = true
	}
	r.orderAsked = workflow.Now(ctx)
	done, d, err := askFor[orderResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	r.buyer = done.Actor.Username
	if r.p.Cancelled != nil {
		return errCancelled
	}
	now := workflow.Now(ctx)
	vr := zhidu.VoucherRequest{Series: zhidu.SeriesOrder, ProcessID: r.p.Info.ID, Year: now.Year(), Key: r.p.Info.ID + ":order",
		Actor: r.buyer, At: now}
	if err := r.p.project(ctx, ActivityIssueVoucher, vr).Get(ctx, &r.order); err != nil {
		return fmt.Errorf("issue the order number: %w", err)
	}
	fields := map[string]any{"stage": StepDelivery, "order": r.order, "ordered_by": r.buyer, "ordered_at": now,
		"delivery_date": d.DeliveryDate}
	if d.NDA != "" {
		fields["nda"] = d.NDA
	}
	if err := r.record(ctx, fields); err != nil {
		return err
	}
	return r.chase(ctx, d.DeliveryDate)
}

// chase waits for the delivery with the buyer: a reminder DeliveryReminder
// before the confirmed date, the purchasing head at the end of it.
func (r *purchaseRun) chase(ctx workflow.Context, date string) error {
	day, _ := time.ParseInLocation(time.DateOnly, date, r.cfg.location()) // the order's check parsed it
	deadline := day.AddDate(0, 0, 1)                                      // the end of the confirmed day
	wait := deadline.Sub(workflow.Now(ctx))
	sla := SLA{Due: wait, Escalate: []time.Duration{max(wait, 0)}}
	if rem := wait - r.cfg.DeliveryReminder; r.cfg.DeliveryReminder > 0 && rem > 0 {
		sla.Reminder = rem
	}
	if wait <= 0 {
		sla.Due = time.Nanosecond // already late: due at once
	}
	s := r.p.task("delivery", StepDelivery, text("跟催到货", "Chase the delivery"), zhidu.DeptPur, sla, deliveryForm,
		[]zhidu.Candidate{{User: r.buyer}}, []zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptPur)})
	s.Context = r.context()
	s.Context["delivery_date"], s.Context["deadline"] = date, deadline
	done, _, err := askFor[deliveryResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	late := workflow.Now(ctx).After(deadline)
	return r.record(ctx, map[string]any{"stage": StepReceiving, "delivered_at": workflow.Now(ctx), "delivery_late": late,
		"delivery_confirmed_by": done.Actor.Username})
}

// receive asks the warehouse to inspect the delivery against the delivery
// note (验收) and stock it (入库); rejected goods go back to the supplier in
// a supplier return, and a replacement is inspected again. It reports
// whether goods were stocked.
func (r *purchaseRun) receive(ctx workflow.Context) (bool, error) {
	for n := 1; ; n++ {
		s := r.p.task(fmt.Sprintf("receiving#%d", n), StepReceiving, text("验收入库", "Inspect and stock the goods"), zhidu.DeptWH,
			r.cfg.Receiving, receivingForm, []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptWH), role(zhidu.RoleSupervisor, zhidu.DeptWH)},
			[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptWH)})
		// The buyer never receives the order they placed; goods never go
		// straight to the requester.
		s.Excluded = []string{r.buyer, r.p.Requester}
		s.Context = r.context()
		s.Context["round"] = n
		done, d, err := askFor[receivingResult](ctx, r.p, s)
		if err != nil {
			return false, err
		}
		r.receivers = append(r.receivers, actors(done)...)
		if done.Outcome == OutcomeAccept {
			return true, r.record(ctx, map[string]any{"stage": StepPayment, "received_by": done.Actor.Username,
				"received_quantity": d.ReceivedQuantity, "delivery_note": d.DeliveryNote, "stocked_at": workflow.Now(ctx)})
		}
		if err := r.record(ctx, map[string]any{"stage": "supplier_return", "rejected_by": done.Actor.Username,
			"rejected_quantity": d.RejectedQuantity, "defect": d.Defect, "delivery_note": d.DeliveryNote}); err != nil {
			return false, err
		}
		res, err := r.returnGoods(ctx, n, done, d)
		if err != nil {
			return false, err
		}
		if res.Outcome != ResultReplaced {
			return false, r.record(ctx, map[string]any{"supplier_return_result": res.Outcome})
		}
		if err := r.record(ctx, map[string]any{"stage": StepReceiving, "supplier_return_result": res.Outcome}); err != nil {
			return false, err
		}
	}
}

// returnGoods starts the supplier return of rejected goods as a child
// and waits for it.
func (r *purchaseRun) returnGoods(ctx workflow.Context, n int, done zhidu.CompleteTaskRequest, d receivingResult) (SupplierReturnResult, error) {
	req := r.in.Requisition
	slip := SupplierReturnSlip{Supplier: r.suppliers[r.chosen].Name, Material: req.Items[0].Name, Batch: r.order,
		Quantity: d.RejectedQuantity, Unit: req.Items[0].Unit, Defect: d.Defect}
	id := ProcessID(KindSupplierReturn, r.p.Info.ID, fmt.Sprintf("child-%d", n))
	info := zhidu.ProcessInfo{ID: id, Kind: KindSupplierReturn, Title: slip.Material + ", " + slip.Supplier,
		Level: max(r.p.Info.Level, zhidu.Internal), Department: zhidu.DeptQuality, StartedBy: done.Actor.Username}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: id,
		ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON})
	child := workflow.ExecuteChildWorkflow(cctx, WorkflowSupplierReturn,
		SupplierReturnInput{Process: info, Slip: slip, Config: r.cfg.SupplierReturn, Parent: r.p.Info.ID})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return SupplierReturnResult{}, err
	}
	if err := r.record(ctx, map[string]any{"supplier_return": id}); err != nil {
		return SupplierReturnResult{}, err
	}
	if err := workflow.Await(ctx, func() bool { return child.IsReady() || r.p.Cancelled != nil }); err != nil {
		return SupplierReturnResult{}, err
	}
	if r.p.Cancelled != nil {
		return SupplierReturnResult{}, errCancelled
	}
	var res SupplierReturnResult
	if err := child.Get(ctx, &res); err != nil {
		var canceled *temporal.CanceledError
		if !errors.As(err, &canceled) {
			return res, err
		}
		res.Outcome = ResultCancelled
	}
	ev := zhidu.ProcessEvent{EventKey: r.p.Info.ID + ":child-finished:" + id, ProcessID: r.p.Info.ID, Actor: "system",
		Action: "child_finished", At: workflow.Now(ctx),
		Detail: map[string]any{"process": id, "kind": KindSupplierReturn, "result": res.Outcome}}
	return res, r.p.project(ctx, ActivityProcessEvent, ev).Get(ctx, nil)
}

// pay asks finance to pay the order: the monthly settlement by default, a
// discount recorded as the company's credit.
func (r *purchaseRun) pay(ctx workflow.Context) error {
	s := r.p.task("payment", StepPayment, text("付款", "Pay the order"), zhidu.DeptFin, r.cfg.Payment, paymentForm,
		[]zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptFin), role(zhidu.RoleSupervisor, zhidu.DeptFin)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptFin)})
	s.Excluded = append([]string{r.p.Requester, r.buyer}, r.receivers...)
	s.Context = r.context()
	done, d, err := askFor[paymentResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	fields := map[string]any{"paid_by": done.Actor.Username, "paid_at": workflow.Now(ctx), "paid_amount": d.Amount,
		"settlement": d.Settlement}
	if d.Discount != nil && *d.Discount > 0 {
		fields["company_credit"] = *d.Discount // 折扣计入公司账户, never a staff item
	}
	return r.record(ctx, fields)
}

// validateSupplierFacts accepts a supplier's facts with an ID.
func (r *purchaseRun) validateSupplierFacts(_ workflow.Context, f zhidu.SupplierFacts) error {
	if f.Supplier.ID == "" {
		return rejectErr(zhidu.Invalid(zhidu.Say(msgSupplierFacts), map[string]zhidu.Message{"supplier.id": zhidu.Required()}))
	}
	return nil
}

// supplierFacts takes a supplier's facts as they now stand. Someone who
// declared an interest in a quoted supplier leaves the request's open
// evaluation and approval tasks at once — recorded first, then applied.
func (r *purchaseRun) supplierFacts(ctx workflow.Context, f zhidu.SupplierFacts) (bool, error) {
	before := r.recused()
	r.suppliers[f.Supplier.ID] = f.Supplier
	var added []string
	for _, u := range r.recused() {
		if !slices.Contains(before, u) {
			added = append(added, u)
		}
	}
	if len(added) == 0 {
		return false, nil
	}
	var open []*humanTask
	for _, t := range r.p.Tasks {
		if t.State == taskOpen && recusable(t.Spec.Step) {
			open = append(open, t)
		}
	}
	if len(open) == 0 {
		return true, nil
	}
	ids := make([]string, len(open))
	for i, t := range open {
		ids[i] = t.ID
	}
	rec := zhidu.ExclusionRecord{EventKey: fmt.Sprintf("%s:recused:%s:%d", r.p.Info.ID, f.Supplier.ID, len(r.p.Tasks)),
		ProcessID: r.p.Info.ID, TaskIDs: ids, Users: added, Reason: "回避: " + f.Supplier.Name, At: workflow.Now(ctx)}
	if err := r.p.project(ctx, ActivityExcludeUsers, rec).Get(ctx, nil); err != nil {
		return false, err
	}
	for _, t := range open {
		for _, u := range added {
			if !slices.Contains(t.Spec.Excluded, u) {
				t.Spec.Excluded = append(t.Spec.Excluded, u)
			}
		}
	}
	return true, nil
}

// recusable says whether a step is one a recused user never works: the
// evaluations and approvals.
func recusable(step string) bool {
	return step == StepSampleTest || step == StepTrialBatch || step == StepApprovalProjectLead ||
		slices.ContainsFunc(approvalRoles, func(rl zhidu.Role) bool { return approvalStep(rl) == step })
}
