package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/zhidu/zhidu"
)

// ReturnConfig holds every duration and threshold of the return process
// (退货、重处理); none is a literal in the workflow.
type ReturnConfig struct {
	Approval    SLA `json:"approval"`    // 经(副)理批示; escalates to the VP, then leadership
	GMApproval  SLA `json:"gm_approval"` // above GMThreshold
	Receipt     SLA `json:"receipt"`     // the warehouse checks the goods
	Reconcile   SLA `json:"reconcile"`   // finance's 核对
	Discrepancy SLA `json:"discrepancy"` // sales and the warehouse recount or amend
	Reprocess   SLA `json:"reprocess"`
	Reinspect   SLA `json:"reinspect"`
	Ship        SLA `json:"ship"` // the replacement's shipment
	// GMThreshold: a slip whose amount is above it needs the GM's approval
	// as well (核决权限).
	GMThreshold float64 `json:"gm_threshold"`
	// MaxRounds: once this many reconciliations found a mismatch, the next
	// discrepancy goes to the VP in charge of the originating department
	// instead of sales and the warehouse. 0: never.
	MaxRounds int `json:"max_rounds"`
	// DeputyRole names, per department, the role that acts as its deputy
	// manager (副理) and so approves slips with its head (e.g. supervisor).
	DeputyRole map[zhidu.Department]zhidu.Role `json:"deputy_role,omitempty"`
}

// DefaultReturnConfig returns the defaults of DOMAIN.md.
func DefaultReturnConfig() ReturnConfig {
	day := 24 * time.Hour
	return ReturnConfig{
		Approval:    SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day, 3 * day}},
		GMApproval:  SLA{Due: 2 * day, Reminder: day},
		Receipt:     SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day}},
		Reconcile:   SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day}},
		Discrepancy: SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day}},
		Reprocess:   SLA{Due: 7 * day, Reminder: 5 * day, Escalate: []time.Duration{7 * day}},
		Reinspect:   SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day}},
		Ship:        SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day}},
		GMThreshold: 10000,
		MaxRounds:   3,
	}
}

// Handlings of a return slip.
const (
	HandlingCredit    = "credit"    // return for credit (退货)
	HandlingReprocess = "reprocess" // 重处理
	HandlingReplace   = "replace"   // 换货
)

// ReturnHandlings are the handlings a slip may ask for.
var ReturnHandlings = []string{HandlingCredit, HandlingReprocess, HandlingReplace}

// Bounds of a slip's numbers: the register holds quantities and amounts
// in numeric columns, which a larger value would overflow.
const (
	MaxReturnQuantity = 1_000_000_000
	MaxReturnAmount   = 999_999_999_999.99
)

// ReturnSlip is the return slip (成品退货单) a return starts with. Its
// amount is computed (Amount), never sent.
type ReturnSlip struct {
	Customer       string  `json:"customer" text:"line"`
	Product        string  `json:"product" text:"line"`
	Batch          string  `json:"batch" text:"line"`
	ProductionDate string  `json:"production_date"` // YYYY-MM-DD
	ProductionUnit string  `json:"production_unit" text:"line"`
	Shift          string  `json:"shift" text:"line"`
	Operator       string  `json:"operator" text:"line"`
	Quantity       float64 `json:"quantity"` // a whole number; a float so that 2.5 is refused by Validate, not by a decoder
	Unit           string  `json:"unit" text:"line"`
	UnitPrice      float64 `json:"unit_price"` // CNY
	Reason         string  `json:"reason"`
	Handling       string  `json:"handling"`
	Basis          string  `json:"basis"` // 依据
	// Contract is the signed contract the goods were sold under, if any:
	// such goods are not returned but on the GM's override (签订合同后，坚决不退).
	Contract string `json:"contract,omitempty" text:"line"`
	// Complaint is the complaint the return comes from, if any.
	Complaint string `json:"complaint,omitempty" text:"line"`
}

// Amount is the slip's value: quantity × unit price, in CNY to the cent.
func (s ReturnSlip) Amount() float64 { return amountOf(int64(s.Quantity), s.UnitPrice) }

func amountOf(quantity int64, unitPrice float64) float64 {
	return math.Round(float64(quantity)*unitPrice*100) / 100
}

// Validate returns the slip's field errors, or nil. now is when the slip
// is opened: its production date may not be later.
func (s ReturnSlip) Validate(now time.Time) map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	text := func(field, v string, required, long bool, max int) { checkText(errs, field, v, required, long, max) }
	text("customer", s.Customer, true, false, 200)
	text("product", s.Product, true, false, 200)
	text("batch", s.Batch, true, false, 100)
	text("production_unit", s.ProductionUnit, true, false, 100)
	text("shift", s.Shift, false, false, 50)
	text("operator", s.Operator, false, false, 100)
	text("unit", s.Unit, true, false, 20)
	text("reason", s.Reason, true, true, 4000)
	text("basis", s.Basis, true, true, 4000)
	text("contract", s.Contract, false, false, 100)
	text("complaint", s.Complaint, false, false, 100)
	switch d, err := time.Parse(time.DateOnly, s.ProductionDate); {
	case s.ProductionDate == "":
		errs["production_date"] = zhidu.Required()
	case err != nil:
		errs["production_date"] = zhidu.NotDate()
	case d.Format(time.DateOnly) > now.Format(time.DateOnly):
		errs["production_date"] = zhidu.Say(msgFutureDate)
	}
	if m := wholeNumber(s.Quantity, 1); !m.IsZero() {
		errs["quantity"] = m
	}
	switch {
	case s.UnitPrice < 0:
		errs["unit_price"] = zhidu.Negative()
	case math.Round(s.UnitPrice*100)/100 != s.UnitPrice:
		errs["unit_price"] = zhidu.Say(msgYuanFen)
	case errs["quantity"].IsZero() && float64(s.Quantity)*s.UnitPrice > MaxReturnAmount:
		errs["unit_price"] = zhidu.Say(msgAmountAbove, "max", fmt.Sprintf("%.2f", float64(MaxReturnAmount)))
	}
	if !slices.Contains(ReturnHandlings, s.Handling) {
		errs["handling"] = zhidu.OneOf(ReturnHandlings)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// wholeNumber says what is wrong with a quantity that must be a whole
// number of at least min (0 or 1), or "".
func wholeNumber(v float64, min float64) zhidu.Message {
	switch {
	case math.IsNaN(v) || math.Trunc(v) != v || v < min:
		if min > 0 {
			return zhidu.Say(msgPositiveWhole)
		}
		return zhidu.Say(msgWholeNotNegative)
	case v > MaxReturnQuantity:
		return zhidu.NumberMax(MaxReturnQuantity)
	}
	return zhidu.Message{}
}

// ReturnInput starts a return. Parent is the complaint that started it as
// a child workflow, if one did.
type ReturnInput struct {
	Process zhidu.ProcessInfo `json:"process"`
	Slip    ReturnSlip        `json:"slip"`
	Config  ReturnConfig      `json:"config"`
	Parent  string            `json:"parent,omitempty"`
}

// returnDescriptor: sales, marketing and customer service open return
// slips, each in its own department, which owns the slip.
func returnDescriptor() Descriptor {
	starters := []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead}
	return Descriptor{
		Kind: KindReturn, Workflow: WorkflowReturn, Func: Return,
		Label: text("成品退货", "Product return"),
		Description: text("开具成品退货单：经(副)理批示（超出金额由总经理批示），仓储部验收，财务部核对后开具传票，按退款、重新处理或换货办理。签订合同后，坚决不退。",
			"Open a return slip: the manager or deputy manager approves (the GM too above the threshold), the warehouse receives the goods, finance reconciles and issues a voucher, then credit, reprocessing or replacement. Goods sold under a signed contract are not returned."),
		Submit: text("提交退货单", "Submit the return slip"),
		Steps: []Step{
			{StepManagerApproval, text("经(副)理批示", "Manager approval")},
			{StepGMApproval, text("总经理批示", "GM approval")}, // the complaint's label: one namespace
			{StepReceipt, text("仓库验收", "Warehouse receipt")},
			{StepReconcile, text("财务核对", "Finance reconciliation")},
			{StepDiscrepancy, text("差异处理", "Discrepancy")},
			{StepReprocess, text("重新处理", "Reprocessing")},
			{StepReinspect, text("复检", "Re-inspection")},
			{StepShip, text("换货发货", "Replacement shipment")},
		},
		StartForm: returnStartForm,
		Starters: []Starter{
			{Roles: starters, Department: string(zhidu.DeptSales)},
			{Roles: starters, Department: string(zhidu.DeptMkt)},
			{Roles: starters, Department: string(zhidu.DeptCS)},
		},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultReturnConfig() },
		Settings: returnSettings,
		Register: returnRegister(),
		Bench:    returnBench(),
		Body:     func() any { return new(returnStart) },
		Prepare: func(_ context.Context, b any, s StartContext) (any, error) {
			return prepareReturn(*b.(*returnStart), s)
		},
		// A blacklisted customer cannot be the customer of a new slip.
		Customer:           []string{"customer"},
		RefusesBlacklisted: func(step string, _ map[string]any) bool { return step == "" },
		Record: func(input any) map[string]any {
			in, _ := input.(ReturnInput)
			m := map[string]any{}
			b, _ := json.Marshal(in.Slip)
			_ = json.Unmarshal(b, &m)
			m["level"] = in.Process.Level.String()
			m["amount"] = in.Slip.Amount()
			return m
		},
	}
}

// returnSettings are the return's configuration values operators set.
var returnSettings = []Setting{
	{Flag: "return-gm-threshold", Env: "ZHIDU_RETURN_GM_THRESHOLD", Field: "GMThreshold",
		Usage: "return: a slip above this amount (CNY) needs the GM's approval too"},
	{Flag: "return-max-rounds", Env: "ZHIDU_RETURN_MAX_ROUNDS", Field: "MaxRounds",
		Usage: "return: reconciliation rounds with a mismatch before the discrepancy goes to the VP in charge (0: never)"},
	{Flag: "return-approval-due", Env: "ZHIDU_RETURN_APPROVAL_DUE", Field: "Approval.Due",
		Usage: "return: the manager's approval is due after"},
	{Flag: "return-receipt-due", Env: "ZHIDU_RETURN_RECEIPT_DUE", Field: "Receipt.Due",
		Usage: "return: the warehouse receipt is due after"},
	{Flag: "return-reconcile-due", Env: "ZHIDU_RETURN_RECONCILE_DUE", Field: "Reconcile.Due",
		Usage: "return: finance's reconciliation is due after"},
}

// returnStart is a return's start body: the slip and an optional level.
type returnStart struct {
	ReturnSlip
	Level *zhidu.Level `json:"level"`
}

// prepareReturn validates the slip. The slip is read in its department;
// its copies go to the warehouse, finance and sales once approved.
func prepareReturn(b returnStart, s StartContext) (any, error) {
	errs := b.Validate(s.Now)
	if errs == nil {
		errs = map[string]zhidu.Message{}
	}
	info := s.Process
	info.Level = chosenLevel(b.Level, s.Starter, errs)
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.Say(msgCannotOpenReturn), errs)
	}
	info.Title = b.Product + ", " + b.Customer
	info.Readers = []zhidu.Department{info.Department}
	return ReturnInput{Process: *info, Slip: b.ReturnSlip, Config: *s.Config.(*ReturnConfig)}, nil
}

// returnStartForm is the slip's form (ReturnSlip, plus the level);
// ReturnSlip.Validate holds the rules the form cannot say.
var returnStartForm = zhidu.Form{Fields: []zhidu.Field{
	{Name: "customer", Type: zhidu.FieldText, Label: text("客户", "Customer"), Required: true, MaxLength: 200},
	{Name: "product", Type: zhidu.FieldText, Label: text("产品", "Product"), Required: true, MaxLength: 200},
	{Name: "batch", Type: zhidu.FieldText, Label: text("批号", "Batch"), Required: true, MaxLength: 100},
	{Name: "production_date", Type: zhidu.FieldDate, Label: text("生产日期", "Production date"), Required: true},
	{Name: "production_unit", Type: zhidu.FieldText, Label: text("生产单位", "Production unit"), Required: true, MaxLength: 100},
	{Name: "shift", Type: zhidu.FieldText, Label: text("班次", "Shift"), MaxLength: 50},
	{Name: "operator", Type: zhidu.FieldText, Label: text("操作人", "Operator"), MaxLength: 100},
	{Name: "quantity", Type: zhidu.FieldNumber, Label: text("数量", "Quantity"), Required: true},
	{Name: "unit", Type: zhidu.FieldText, Label: text("单位", "Unit"), Required: true, MaxLength: 20},
	{Name: "unit_price", Type: zhidu.FieldNumber, Label: text("单价（元）", "Unit price (CNY)"), Required: true},
	{Name: "reason", Type: zhidu.FieldText, Label: text("退货原因", "Reason"), Required: true, MaxLength: 4000},
	{Name: "handling", Type: zhidu.FieldChoice, Label: text("处理方式", "Handling"), Required: true, Choices: ReturnHandlings},
	{Name: "basis", Type: zhidu.FieldText, Label: text("依据", "Basis"), Required: true, MaxLength: 4000},
	{Name: "contract", Type: zhidu.FieldText, Label: text("已签合同编号（如有）", "Signed contract (if any)"), MaxLength: 100},
	{Name: "complaint", Type: zhidu.FieldText, Label: text("来源投诉（如有）", "From complaint (if any)"), MaxLength: 100},
	{Name: "level", Type: zhidu.FieldChoice, Label: text("密级（默认内部）", "Level (default internal)"), Choices: levelChoices()},
}}
