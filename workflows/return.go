package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The return's kind, workflow name and activities.
const (
	KindReturn     = "return"
	WorkflowReturn = "Return"
)

// Step names of the return process (StepGMApproval is the complaint's too).
const (
	StepManagerApproval = "manager_approval"
	StepReceipt         = "receipt"
	StepReconcile       = "reconcile"
	StepDiscrepancy     = "discrepancy"
	StepReprocess       = "reprocess"
	StepReinspect       = "reinspect"
	StepShip            = "ship"
)

// How a return ends (ReturnResult.Outcome, the process's result), if not
// ResultRejected or ResultCancelled.
const (
	ResultCredited    = "credited"
	ResultReprocessed = "reprocessed"
	ResultReplaced    = "replaced"
)

// ReturnResult is how a return ended, its voucher and how many
// reconciliation rounds it took.
type ReturnResult struct {
	Outcome string `json:"outcome"`
	Voucher string `json:"voucher,omitempty"`
	Rounds  int    `json:"rounds,omitempty"`
}

// returnCopies are the departments that receive copies 2–4 of an approved
// slip; copy 1 stays with the originating department.
var returnCopies = []zhidu.Department{zhidu.DeptWH, zhidu.DeptFin, zhidu.DeptSales}

// Return is process 2 of DOMAIN.md, 退货、重处理: the originating
// department's manager or deputy manager approves the slip (经(副)理批示),
// the GM as well above the threshold; goods sold under a signed contract
// are returned only on the GM's override, with a reason (签订合同后，坚决不退).
// Once approved, copies 2–4 go to the warehouse, finance and sales, who
// may read the slip from then on. The warehouse records what it received
// and signs; finance reconciles the approved with the received quantity:
// equal, a voucher is issued; different, sales and the warehouse recount or
// amend the slip and finance reconciles again — after MaxRounds
// mismatches the discrepancy goes to the VP in charge. Then a credit ends
// it, a reprocessing goes to Quality and its re-inspection (a failed one
// reprocesses again), a replacement to the warehouse's shipment.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func Return(ctx workflow.Context, in ReturnInput) (ReturnResult, error) {
	p := newProcess(ctx, in.Process)
	r := &returnRun{p: p, in: in, cfg: in.Config, approved: int64(in.Slip.Quantity)}
	// Every step whose data the workflow reads has a rule, so data that
	// would not decode is refused before the step completes.
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{
		StepManagerApproval: ruleFor(r.checkManagerApproval),
		StepReceipt:         rule(checkReceipt),
		StepReconcile:       rule(r.checkReconcile),
		StepDiscrepancy:     rule(r.checkDiscrepancy),
		StepReprocess:       rule[reprocessResult](nil),
		StepReinspect:       rule[reinspectResult](nil),
		StepShip:            rule(checkShipment),
	}
	if err := p.setup(ctx); err != nil {
		return ReturnResult{}, err
	}
	if in.Parent != "" {
		// A complaint started it: the return records its own start, as the
		// API records a start, before its first step.
		start := zhidu.ChildStart{Process: p.Info, Input: returnDescriptor().Record(in), Parent: in.Parent,
			Actor: in.Process.StartedBy, At: workflow.Now(ctx)}
		if err := p.project(ctx, ActivityRecordChild, start).Get(ctx, nil); err != nil {
			return ReturnResult{}, err
		}
	}
	res, err := r.run(ctx)
	if errors.Is(err, errCancelled) {
		res = ReturnResult{Outcome: ResultCancelled, Voucher: r.voucher, Rounds: r.rounds}
		err = r.record(ctx, map[string]any{"stage": "closed", "result": ResultCancelled, "closed_at": workflow.Now(ctx)})
	}
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

// returnRun is a return's own state beside the process's.
type returnRun struct {
	p   *process
	in  ReturnInput
	cfg ReturnConfig
	// approved is the quantity approved (amended by a discrepancy),
	// received the quantity the warehouse counted (recounted).
	approved, received int64
	receivers          []string // who counted the goods: they do not reconcile their count
	rounds             int      // reconciliations so far
	log                []reconciliation
	voucher            string
	approvedBy         []string // who approved the slip, the last one handing out its copies
}

// reconciliation is one round of finance's reconciliation and, if it
// found a mismatch, how the discrepancy was settled.
type reconciliation struct {
	Round            int       `json:"round"`
	ApprovedQuantity int64     `json:"approved_quantity"`
	ReceivedQuantity int64     `json:"received_quantity"`
	Outcome          string    `json:"outcome"`
	By               string    `json:"by"`
	Notes            string    `json:"notes,omitempty"`
	Resolution       string    `json:"resolution,omitempty"` // recount or amend
	ResolvedBy       string    `json:"resolved_by,omitempty"`
	Reason           string    `json:"reason,omitempty"`
	At               time.Time `json:"at"`
}

// record writes fields to the return register.
func (r *returnRun) record(ctx workflow.Context, fields map[string]any) error {
	return r.p.recordEntry(ctx, zhidu.RegisterRecord{Fields: fields})
}

func (r *returnRun) amount() float64 { return amountOf(r.approved, r.in.Slip.UnitPrice) }

// slipContext is what every step shows of the slip.
func (r *returnRun) slipContext() map[string]any {
	return map[string]any{"slip": r.in.Slip, "amount": r.amount(), "approved_quantity": r.approved}
}

func (r *returnRun) run(ctx workflow.Context) (ReturnResult, error) {
	s := r.in.Slip
	opened := map[string]any{"stage": "approval", "customer": s.Customer, "product": s.Product, "batch": s.Batch,
		"production_date": s.ProductionDate, "handling": s.Handling, "quantity": r.approved, "unit": s.Unit,
		"unit_price": s.UnitPrice, "amount": r.amount(), "department": string(r.p.Info.Department), "has_discrepancy": false}
	if s.Contract != "" {
		opened["contract"] = s.Contract
	}
	if s.Complaint != "" {
		opened["complaint"] = s.Complaint
	}
	if r.in.Parent != "" {
		opened["parent"] = r.in.Parent
	}
	if err := r.record(ctx, opened); err != nil {
		return ReturnResult{}, err
	}
	approved, err := r.approve(ctx)
	switch {
	case err != nil:
		return ReturnResult{}, err
	case !approved:
		return ReturnResult{Outcome: ResultRejected}, nil
	}
	if err := r.share(ctx); err != nil {
		return ReturnResult{}, err
	}
	if err := r.receive(ctx); err != nil {
		return ReturnResult{}, err
	}
	if err := r.reconcile(ctx); err != nil {
		return ReturnResult{}, err
	}
	var outcome string
	switch s.Handling {
	case HandlingReprocess:
		outcome, err = ResultReprocessed, r.reprocess(ctx)
	case HandlingReplace:
		outcome, err = ResultReplaced, r.ship(ctx)
	default:
		outcome = ResultCredited
	}
	if err != nil {
		return ReturnResult{}, err
	}
	return ReturnResult{Outcome: outcome, Voucher: r.voucher, Rounds: r.rounds}, r.close(ctx, outcome)
}

// close records the end in the register and ends the process, unless it
// was cancelled meanwhile.
func (r *returnRun) close(ctx workflow.Context, result string) error {
	if r.p.Cancelled != nil {
		return errCancelled
	}
	if err := r.record(ctx, map[string]any{"stage": "closed", "result": result, "closed_at": workflow.Now(ctx)}); err != nil {
		return err
	}
	return r.p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: result})
}

// approve asks the manager (经(副)理批示) and, above the threshold, the GM;
// it reports whether the slip was approved, and closes it if not.
func (r *returnRun) approve(ctx workflow.Context) (bool, error) {
	d := r.p.Info.Department
	candidates := []zhidu.Candidate{role(zhidu.RoleDeptHead, d)}
	if deputy := r.cfg.DeputyRole[d]; deputy != "" && deputy != zhidu.RoleDeptHead {
		candidates = append(candidates, role(deputy, d))
	}
	contract := r.in.Slip.Contract != ""
	if contract {
		// Only the GM may approve it (by override): the GM works this step.
		candidates = append(candidates, role(zhidu.RoleGM, zhidu.DeptGMO))
	}
	approvalContext := func() map[string]any {
		c := r.slipContext()
		c["threshold"] = r.cfg.GMThreshold
		if contract {
			c["contract"] = r.in.Slip.Contract
			c["note"] = "签订合同后，坚决不退: goods sold under a signed contract are returned only on the GM's override"
		}
		return c
	}
	s := r.p.task("manager_approval", StepManagerApproval, text("经(副)理批示", "Manager approval of the return"), d,
		r.cfg.Approval, managerApprovalForm, candidates, []zhidu.Candidate{role(zhidu.RoleVP, d)}, leadership)
	s.Approval = true // the requester never approves, nobody approves two levels
	s.Context = approvalContext()
	done, dec, err := askFor[managerDecision](ctx, r.p, s)
	if err != nil {
		return false, err
	}
	if done.Outcome == OutcomeReject {
		return false, r.reject(ctx, nil, done.Actor.Username)
	}
	approvers := []string{done.Actor.Username}
	fields := map[string]any{}
	if dec.OverrideReason != "" {
		// 签订合同后，坚决不退 — but for the GM's override, which the trail keeps.
		ev := zhidu.ProcessEvent{EventKey: r.p.Info.ID + ":contract-override", ProcessID: r.p.Info.ID, Actor: done.Actor.Username,
			Action: "contract_overridden", Audit: "return.contract_override", At: workflow.Now(ctx),
			Detail: map[string]any{"contract": r.in.Slip.Contract, "reason": dec.OverrideReason}}
		if err := r.p.project(ctx, ActivityProcessEvent, ev).Get(ctx, nil); err != nil {
			return false, err
		}
		fields["override_reason"], fields["overridden_by"] = dec.OverrideReason, done.Actor.Username
	}
	// The GM approves above the threshold, unless the GM already did.
	if r.amount() > r.cfg.GMThreshold && !done.Actor.HasRole(zhidu.RoleGM) {
		fields["stage"], fields["approved_by"] = "gm_approval", approvers
		if err := r.record(ctx, fields); err != nil {
			return false, err
		}
		fields = map[string]any{}
		s := r.p.task("gm_approval", StepGMApproval, text("总经理批示（超出核决权限）", "GM approval (above the authority limit)"), d,
			r.cfg.GMApproval, approvalForm, []zhidu.Candidate{role(zhidu.RoleGM, zhidu.DeptGMO)}, leadership[:1:1])
		s.Approval = true
		s.Context = approvalContext()
		done, err := r.p.ask(ctx, s)
		if err != nil {
			return false, err
		}
		if done.Outcome == OutcomeReject {
			return false, r.reject(ctx, approvers, done.Actor.Username)
		}
		approvers = append(approvers, done.Actor.Username)
	}
	fields["stage"], fields["approved_by"], fields["approved_quantity"] = "receipt", approvers, r.approved
	r.approvedBy = approvers
	return true, r.record(ctx, fields)
}

// reject closes a slip refused at approval, saying who approved it before
// and who rejected it.
func (r *returnRun) reject(ctx workflow.Context, approvers []string, by string) error {
	fields := map[string]any{"rejected_by": by}
	if len(approvers) > 0 {
		fields["approved_by"] = approvers
	}
	if err := r.record(ctx, fields); err != nil {
		return err
	}
	return r.close(ctx, ResultRejected)
}

// returnCopiesReason is why the slip is shared, in the timeline and the
// audit trail (both languages: the reason is stored as written).
const returnCopiesReason = "退货单第 2–4 联分送仓储部、财务部、销售部 (copies 2–4 of the return slip)"

// share hands copies 2–4 of the approved slip to the warehouse, finance
// and sales: from now on they may read it.
func (r *returnRun) share(ctx workflow.Context) error {
	if r.p.Cancelled != nil {
		return errCancelled
	}
	rec := zhidu.ShareRecord{EventKey: r.p.Info.ID + ":copies", ProcessID: r.p.Info.ID, Departments: returnCopies,
		Actor: r.approvedBy[len(r.approvedBy)-1], Reason: returnCopiesReason, At: workflow.Now(ctx)}
	if err := r.p.project(ctx, ActivityShareProcess, rec).Get(ctx, nil); err != nil {
		return fmt.Errorf("share the slip's copies: %w", err)
	}
	return nil
}

// receive asks the warehouse to check the goods against the slip and
// record what arrived; whoever completes the task signs for it.
func (r *returnRun) receive(ctx workflow.Context) error {
	s := r.p.task("receipt", StepReceipt, text("退货验收", "Receive the returned goods"), zhidu.DeptWH, r.cfg.Receipt, receiptForm,
		[]zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptWH), role(zhidu.RoleSupervisor, zhidu.DeptWH)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptWH)})
	s.Context = r.slipContext()
	done, d, err := askFor[receiptResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	r.received = int64(*d.ReceivedQuantity) // required by the form
	r.receivers = append(r.receivers, actors(done)...)
	return r.record(ctx, map[string]any{"stage": "reconcile", "received_quantity": r.received, "condition": d.Condition,
		"received_by": done.Actor.Username, "received_at": workflow.Now(ctx)})
}

// actors are who completed a task: the actor, and whom they acted for.
func actors(done zhidu.CompleteTaskRequest) []string {
	if done.OnBehalfOf != "" {
		return []string{done.Actor.Username, done.OnBehalfOf}
	}
	return []string{done.Actor.Username}
}

// reconcile runs finance's reconciliation (核对) until the quantities
// match, settling each mismatch in between, then issues the voucher.
func (r *returnRun) reconcile(ctx workflow.Context) error {
	var reconciler string // the voucher is issued in their name
	for {
		r.rounds++
		s := r.p.task(fmt.Sprintf("reconcile#%d", r.rounds), StepReconcile, text("财务核对", "Reconcile the return"), zhidu.DeptFin,
			r.cfg.Reconcile, reconcileForm, []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptFin), role(zhidu.RoleSupervisor, zhidu.DeptFin)},
			[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptFin)})
		// Nobody reconciles their own slip or their own count.
		s.Excluded = append([]string{r.p.Requester}, r.receivers...)
		s.Context = r.slipContext()
		s.Context["received_quantity"], s.Context["round"], s.Context["rounds"] = r.received, r.rounds, r.log
		done, d, err := askFor[reconcileResult](ctx, r.p, s)
		if err != nil {
			return err
		}
		r.log = append(r.log, reconciliation{Round: r.rounds, ApprovedQuantity: r.approved, ReceivedQuantity: r.received,
			Outcome: done.Outcome, By: done.Actor.Username, Notes: d.Notes, At: workflow.Now(ctx)})
		if done.Outcome == OutcomeMatch {
			reconciler = done.Actor.Username
			break
		}
		if err := r.record(ctx, map[string]any{"stage": "discrepancy", "rounds": r.rounds, "has_discrepancy": true,
			"reconciliations": r.log}); err != nil {
			return err
		}
		if err := r.settle(ctx, d.Notes); err != nil {
			return err
		}
	}
	if r.p.Cancelled != nil {
		return errCancelled
	}
	req := zhidu.VoucherRequest{ProcessID: r.p.Info.ID, Year: workflow.Now(ctx).Year(), Key: r.p.Info.ID + ":voucher",
		Actor: reconciler, At: workflow.Now(ctx)}
	if err := r.p.project(ctx, ActivityIssueVoucher, req).Get(ctx, &r.voucher); err != nil {
		return fmt.Errorf("issue the voucher: %w", err)
	}
	fields := map[string]any{"rounds": r.rounds, "has_discrepancy": r.rounds > 1, "reconciliations": r.log,
		"voucher": r.voucher, "approved_quantity": r.approved, "amount": r.amount(), "reconciled_at": workflow.Now(ctx)}
	switch r.in.Slip.Handling {
	case HandlingCredit:
		fields["stage"], fields["credit_amount"] = "closed", r.amount()
	case HandlingReplace:
		fields["stage"], fields["replacement_quantity"] = "ship", r.approved
	default:
		fields["stage"] = "reprocess"
	}
	return r.record(ctx, fields)
}

// settle asks sales and the warehouse — after MaxRounds mismatches the VP
// in charge of the originating department — to recount the goods or amend
// the slip.
func (r *returnRun) settle(ctx workflow.Context, notes string) error {
	key := fmt.Sprintf("discrepancy#%d", r.rounds)
	title := text("退货数量差异处理", "Settle the return's discrepancy")
	var s zhidu.TaskSpec
	escalated := r.cfg.MaxRounds > 0 && r.rounds >= r.cfg.MaxRounds
	if escalated {
		d := r.p.Info.Department
		s = r.p.task(key, StepDiscrepancy, title, d, r.cfg.Discrepancy, discrepancyForm,
			[]zhidu.Candidate{role(zhidu.RoleVP, d)}, leadership)
	} else {
		s = r.p.task(key, StepDiscrepancy, title, zhidu.DeptSales, r.cfg.Discrepancy, discrepancyForm,
			[]zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptSales), role(zhidu.RoleStaff, zhidu.DeptWH)},
			[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptSales), role(zhidu.RoleDeptHead, zhidu.DeptWH)})
	}
	s.Context = r.slipContext()
	s.Context["received_quantity"], s.Context["round"], s.Context["rounds"] = r.received, r.rounds, r.log
	s.Context["finance_notes"], s.Context["escalated"] = notes, escalated
	done, d, err := askFor[discrepancyResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	last := &r.log[len(r.log)-1]
	last.Resolution, last.ResolvedBy, last.Reason = done.Outcome, done.Actor.Username, d.Reason
	fields := map[string]any{"stage": "reconcile", "reconciliations": r.log}
	if done.Outcome == OutcomeAmend {
		r.approved = int64(*d.ApprovedQuantity) // required by the form for an amendment
		fields["approved_quantity"], fields["amount"] = r.approved, r.amount()
	} else {
		r.received = int64(*d.ReceivedQuantity) // required by the form for a recount
		fields["received_quantity"] = r.received
		r.receivers = append(r.receivers, actors(done)...)
	}
	return r.record(ctx, fields)
}

// reprocess asks Quality to reprocess the goods and someone else in
// Quality to re-inspect them, until they pass.
func (r *returnRun) reprocess(ctx workflow.Context) error {
	for n := 1; ; n++ {
		s := r.p.task(fmt.Sprintf("reprocess#%d", n), StepReprocess, text("退货重新处理", "Reprocess the returned goods"), zhidu.DeptQuality,
			r.cfg.Reprocess, reprocessForm, []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptQuality), role(zhidu.RoleSupervisor, zhidu.DeptQuality)},
			[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptQuality)})
		s.Context = r.slipContext()
		s.Context["round"] = n
		done, d, err := askFor[reprocessResult](ctx, r.p, s)
		if err != nil {
			return err
		}
		if err := r.record(ctx, map[string]any{"stage": "reinspect", "reprocess_rounds": n, "reprocessed_by": done.Actor.Username}); err != nil {
			return err
		}
		s = r.p.task(fmt.Sprintf("reinspect#%d", n), StepReinspect, text("重新处理后复检", "Re-inspect the reprocessed goods"), zhidu.DeptQuality,
			r.cfg.Reinspect, reinspectForm, []zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptQuality), role(zhidu.RoleSupervisor, zhidu.DeptQuality)},
			[]zhidu.Candidate{role(zhidu.RoleVP, zhidu.DeptQuality)})
		s.Excluded = actors(done) // nobody inspects their own work
		s.Context = r.slipContext()
		s.Context["round"], s.Context["actions"] = n, d.Actions
		inspected, res, err := askFor[reinspectResult](ctx, r.p, s)
		if err != nil {
			return err
		}
		passed := inspected.Outcome == OutcomePass
		fields := map[string]any{"reinspection": inspected.Outcome, "reinspected_by": inspected.Actor.Username}
		if res.Findings != "" {
			fields["reinspection_findings"] = res.Findings
		}
		if !passed {
			fields["stage"] = "reprocess"
		}
		if err := r.record(ctx, fields); err != nil {
			return err
		}
		if passed {
			return nil
		}
	}
}

// ship asks the warehouse to ship the replacement.
func (r *returnRun) ship(ctx workflow.Context) error {
	s := r.p.task("ship", StepShip, text("换货发货", "Ship the replacement"), zhidu.DeptWH, r.cfg.Ship, shipForm,
		[]zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptWH), role(zhidu.RoleSupervisor, zhidu.DeptWH)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptWH)})
	s.Context = r.slipContext()
	done, d, err := askFor[shipResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	return r.record(ctx, map[string]any{"shipment": d.Shipment, "shipped_by": done.Actor.Username, "shipped_at": workflow.Now(ctx)})
}
