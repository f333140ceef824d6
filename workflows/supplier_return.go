package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The supplier return's kind, workflow name and steps.
const (
	KindSupplierReturn     = "supplier_return"
	WorkflowSupplierReturn = "SupplierReturn"

	StepQualityConfirm   = "quality_confirm"
	StepPurchasing       = "purchasing"
	StepSupplierResponse = "supplier_response"
)

// Outcomes of the supplier return's steps (OutcomeReject and OutcomeSent
// are the approval's and the complaint's too).
const (
	OutcomeConfirm = "confirm" // quality_confirm: the material is defective
	OutcomeCredit  = "credit"  // supplier_response
	OutcomeReplace = "replace" // supplier_response
	OutcomeRefuse  = "refuse"  // supplier_response
)

// ResultRefused ends a supplier return whose supplier refused it.
const ResultRefused = "refused"

// SupplierReturnConfig holds the supplier return's durations.
type SupplierReturnConfig struct {
	QualityConfirm SLA `json:"quality_confirm"`
	Purchasing     SLA `json:"purchasing"`
	// SupplierDeadline is how long the supplier has to act once the slip
	// was sent; then the response task escalates to the purchasing head.
	SupplierDeadline time.Duration `json:"supplier_deadline"`
}

// DefaultSupplierReturnConfig returns the defaults.
func DefaultSupplierReturnConfig() SupplierReturnConfig {
	day := 24 * time.Hour
	return SupplierReturnConfig{
		QualityConfirm:   SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day, 3 * day}},
		Purchasing:       SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day}},
		SupplierDeadline: 7 * day,
	}
}

// SupplierReturnSlip is the slip of defective material returned to its
// supplier.
type SupplierReturnSlip struct {
	Supplier string  `json:"supplier" text:"line"`
	Material string  `json:"material" text:"line"`
	Batch    string  `json:"batch" text:"line"`
	Quantity float64 `json:"quantity"` // a whole number
	Unit     string  `json:"unit" text:"line"`
	Defect   string  `json:"defect"` // what is wrong with it
}

// Validate returns the slip's field errors, or nil.
func (s SupplierReturnSlip) Validate() map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	text := func(field, v string, required, long bool, max int) { checkText(errs, field, v, required, long, max) }
	text("supplier", s.Supplier, true, false, 200)
	text("material", s.Material, true, false, 200)
	text("batch", s.Batch, true, false, 100)
	text("unit", s.Unit, true, false, 20)
	text("defect", s.Defect, true, true, 4000)
	if m := wholeNumber(s.Quantity, 1); !m.IsZero() {
		errs["quantity"] = m
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// SupplierReturnInput starts a supplier return.
type SupplierReturnInput struct {
	Process zhidu.ProcessInfo    `json:"process"`
	Slip    SupplierReturnSlip   `json:"slip"`
	Config  SupplierReturnConfig `json:"config"`
	// Parent is the purchase whose rejected goods it returns, if one
	// started it as its child.
	Parent string `json:"parent,omitempty"`
}

// SupplierReturnResult is how a supplier return ended: credited, replaced,
// refused by the supplier, rejected by Quality, or cancelled; and whether
// the supplier missed its deadline.
type SupplierReturnResult struct {
	Outcome  string `json:"outcome"`
	Breached bool   `json:"breached,omitempty"`
}

// supplierReturnDescriptor: Quality opens supplier returns; they are
// Quality's.
func supplierReturnDescriptor() Descriptor {
	return Descriptor{
		Kind: KindSupplierReturn, Workflow: WorkflowSupplierReturn, Func: SupplierReturn,
		Label: text("退货给供应商", "Supplier return"),
		Description: text("质量部确认来料不合格，退货单交采购部退给供应商；供应商须在期限内处理，逾期上报采购部经理。",
			"Quality confirms defective material, Purchasing returns it to the supplier, who must act within the deadline; a breach goes to the purchasing head."),
		Submit: text("提交退货单", "Submit the return slip"),
		Steps: []Step{
			{StepQualityConfirm, text("质量确认", "Quality confirmation")},
			{StepPurchasing, text("采购退货", "Return to the supplier")},
			{StepSupplierResponse, text("供应商答复", "Supplier response")},
		},
		StartForm: zhidu.Form{Fields: []zhidu.Field{
			{Name: "supplier", Type: zhidu.FieldText, Label: text("供应商", "Supplier"), Required: true, MaxLength: 200},
			{Name: "material", Type: zhidu.FieldText, Label: text("物料", "Material"), Required: true, MaxLength: 200},
			{Name: "batch", Type: zhidu.FieldText, Label: text("批号", "Batch"), Required: true, MaxLength: 100},
			{Name: "quantity", Type: zhidu.FieldNumber, Label: text("数量", "Quantity"), Required: true},
			{Name: "unit", Type: zhidu.FieldText, Label: text("单位", "Unit"), Required: true, MaxLength: 20},
			{Name: "defect", Type: zhidu.FieldText, Label: text("不合格描述", "Defect"), Required: true, MaxLength: 4000},
			{Name: "level", Type: zhidu.FieldChoice, Label: text("密级（默认内部）", "Level (default internal)"), Choices: levelChoices()},
		}},
		Starters: []Starter{{Roles: []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead},
			Department: string(zhidu.DeptQuality)}},
		Owner:    func(zhidu.Actor) zhidu.Department { return zhidu.DeptQuality },
		Defaults: func() any { return DefaultSupplierReturnConfig() },
		Settings: []Setting{{Flag: "supplier-return-deadline", Env: "ZHIDU_SUPPLIER_RETURN_DEADLINE", Field: "SupplierDeadline",
			Usage: "supplier return: the supplier must respond within"}},
		Register: supplierReturnRegister(),
		Bench:    supplierReturnBench(),
		Body:     func() any { return new(supplierReturnStart) },
		Prepare: func(_ context.Context, b any, s StartContext) (any, error) {
			return prepareSupplierReturn(*b.(*supplierReturnStart), s)
		},
		Record: func(input any) map[string]any {
			in, _ := input.(SupplierReturnInput)
			m := map[string]any{}
			b, _ := json.Marshal(in.Slip)
			_ = json.Unmarshal(b, &m)
			m["level"] = in.Process.Level.String()
			return m
		},
	}
}

// supplierReturnStart is a supplier return's start body.
type supplierReturnStart struct {
	SupplierReturnSlip
	Level *zhidu.Level `json:"level"`
}

func prepareSupplierReturn(b supplierReturnStart, s StartContext) (any, error) {
	errs := b.Validate()
	if errs == nil {
		errs = map[string]zhidu.Message{}
	}
	info := s.Process
	info.Level = chosenLevel(b.Level, s.Starter, errs)
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.Say(msgCannotOpenSupplierReturn), errs)
	}
	info.Title = b.Material + ", " + b.Supplier
	return SupplierReturnInput{Process: *info, Slip: b.SupplierReturnSlip, Config: *s.Config.(*SupplierReturnConfig)}, nil
}

var qualityConfirmForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "findings", Type: zhidu.FieldText, Label: text("检验结论", "Findings"), RequiredFor: []string{OutcomeReject}, MaxLength: 4000},
	},
	Outcomes: []string{OutcomeConfirm, OutcomeReject},
}

// qualityConfirmResult is what Quality's confirmation records.
type qualityConfirmResult struct {
	Findings string `json:"findings"`
}

var purchasingForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "supplier_contact", Type: zhidu.FieldText, Label: text("供应商联系人", "Supplier contact"), Required: true, MaxLength: 200},
		{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeSent},
}

// purchasingResult is what Purchasing records when it sends the slip.
type purchasingResult struct {
	SupplierContact string `json:"supplier_contact"`
	Notes           string `json:"notes"`
}

var supplierResponseForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "notes", Type: zhidu.FieldText, Label: text("供应商答复", "The supplier's response"), RequiredFor: []string{OutcomeRefuse}, MaxLength: 4000},
	},
	Outcomes: []string{OutcomeCredit, OutcomeReplace, OutcomeRefuse},
}

// supplierResponseResult is the supplier's response as Purchasing records it.
type supplierResponseResult struct {
	Notes string `json:"notes"`
}

// SupplierReturn is the mirror of the return (DOMAIN.md, process 2):
// Quality's head confirms the material defective; Purchasing sends the
// slip to the supplier and records whom it reached; the supplier must act
// within SupplierDeadline, after which the response task escalates to the
// purchasing head; Purchasing records the response (credit, replace or
// refuse).
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func SupplierReturn(ctx workflow.Context, in SupplierReturnInput) (SupplierReturnResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{
		StepQualityConfirm:   rule[qualityConfirmResult](nil),
		StepPurchasing:       rule(checkPurchasing),
		StepSupplierResponse: rule[supplierResponseResult](nil),
	}
	if err := p.setup(ctx); err != nil {
		return SupplierReturnResult{}, err
	}
	if in.Parent != "" {
		// A purchase started it: it records its own start, as a return
		// started by a complaint does.
		start := zhidu.ChildStart{Process: p.Info, Input: supplierReturnDescriptor().Record(in), Parent: in.Parent,
			Actor: in.Process.StartedBy, At: workflow.Now(ctx)}
		if err := p.project(ctx, ActivityRecordChild, start).Get(ctx, nil); err != nil {
			return SupplierReturnResult{}, err
		}
	}
	res, err := supplierReturn(ctx, p, in)
	if errors.Is(err, errCancelled) {
		res = SupplierReturnResult{Outcome: ResultCancelled}
		err = p.recordEntry(ctx, zhidu.RegisterRecord{Fields: map[string]any{"stage": "closed", "result": ResultCancelled, "closed_at": workflow.Now(ctx)}})
	}
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

// checkPurchasing: the contact is one line.
func checkPurchasing(_ string, d purchasingResult) map[string]zhidu.Message {
	return lineText("supplier_contact", d.SupplierContact)
}

func supplierReturn(ctx workflow.Context, p *process, in SupplierReturnInput) (SupplierReturnResult, error) {
	record := func(fields map[string]any) error { return p.recordEntry(ctx, zhidu.RegisterRecord{Fields: fields}) }
	end := func(result string, breached bool) (SupplierReturnResult, error) {
		if p.Cancelled != nil {
			return SupplierReturnResult{}, errCancelled
		}
		if err := record(map[string]any{"stage": "closed", "result": result, "closed_at": workflow.Now(ctx)}); err != nil {
			return SupplierReturnResult{}, err
		}
		return SupplierReturnResult{Outcome: result, Breached: breached},
			p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: result})
	}
	s := in.Slip
	if err := record(map[string]any{"stage": "quality_confirm", "supplier": s.Supplier, "material": s.Material,
		"batch": s.Batch, "quantity": int64(s.Quantity), "unit": s.Unit}); err != nil {
		return SupplierReturnResult{}, err
	}
	cfg := in.Config
	spec := p.task("quality_confirm", StepQualityConfirm, text("确认来料不合格", "Confirm the material is defective"), zhidu.DeptQuality,
		cfg.QualityConfirm, qualityConfirmForm, []zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptQuality)},
		[]zhidu.Candidate{role(zhidu.RoleVP, zhidu.DeptQuality)}, leadership)
	spec.Approval = true // the requester never confirms their own finding
	spec.Context = map[string]any{"slip": s}
	done, conf, err := askFor[qualityConfirmResult](ctx, p, spec)
	if err != nil {
		return SupplierReturnResult{}, err
	}
	if done.Outcome == OutcomeReject {
		if err := record(map[string]any{"confirmed_by": done.Actor.Username, "findings": conf.Findings}); err != nil {
			return SupplierReturnResult{}, err
		}
		return end(ResultRejected, false)
	}
	if err := record(map[string]any{"stage": "purchasing", "confirmed_by": done.Actor.Username}); err != nil {
		return SupplierReturnResult{}, err
	}

	buyers := []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptPur)}
	head := []zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptPur)}
	spec = p.task("purchasing", StepPurchasing, text("退货单交供应商", "Send the return slip to the supplier"), zhidu.DeptPur,
		cfg.Purchasing, purchasingForm, buyers, head)
	spec.Context = map[string]any{"slip": s, "findings": conf.Findings}
	done, sent, err := askFor[purchasingResult](ctx, p, spec)
	if err != nil {
		return SupplierReturnResult{}, err
	}
	sentAt := workflow.Now(ctx)
	deadline := sentAt.Add(cfg.SupplierDeadline)
	if err := record(map[string]any{"stage": "supplier_response", "sent_by": done.Actor.Username, "sent_at": sentAt,
		"supplier_contact": sent.SupplierContact, "deadline": deadline}); err != nil {
		return SupplierReturnResult{}, err
	}

	// The supplier's deadline is the response task's due time; at the
	// deadline the purchasing head joins it.
	due := SLA{Due: cfg.SupplierDeadline, Escalate: []time.Duration{cfg.SupplierDeadline}}
	spec = p.task("supplier_response", StepSupplierResponse, text("记录供应商答复", "Record the supplier's response"), zhidu.DeptPur,
		due, supplierResponseForm, buyers, head)
	spec.Context = map[string]any{"slip": s, "supplier_contact": sent.SupplierContact, "deadline": deadline}
	done, resp, err := askFor[supplierResponseResult](ctx, p, spec)
	if err != nil {
		return SupplierReturnResult{}, err
	}
	breached := cfg.SupplierDeadline > 0 && workflow.Now(ctx).After(deadline)
	if err := record(map[string]any{"response": done.Outcome, "response_notes": resp.Notes, "responded_by": done.Actor.Username,
		"deadline_breached": breached}); err != nil {
		return SupplierReturnResult{}, err
	}
	result := map[string]string{OutcomeCredit: ResultCredited, OutcomeReplace: ResultReplaced, OutcomeRefuse: ResultRefused}[done.Outcome]
	return end(result, breached)
}
