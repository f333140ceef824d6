package workflows

import (
	"errors"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// changeComplaintReturnChild names the change after which a complaint
// whose approved remedy is a return, a reprocessing or a replacement opens
// a return slip (process 2) as its child, waits until it is closed, and
// only then replies to the customer. Complaints started before it keep
// the remedy task they had.
const changeComplaintReturnChild = "complaint-return-child"

// StepReturnSlip is the complaint's step that opens the return slip.
const StepReturnSlip = "return_slip"

// returnHandling is the return slip's handling of a complaint remedy, or
// "" when the remedy is no return.
func returnHandling(remedy string) string {
	return map[string]string{"return": HandlingCredit, "reprocess": HandlingReprocess, "replace": HandlingReplace}[remedy]
}

// childReturn is how the complaint's return slip ended, as its reply task
// shows it.
type childReturn struct {
	Process string `json:"process"`
	Result  string `json:"result"`
	Voucher string `json:"voucher,omitempty"`
}

// returnSlipForm asks the responsible department for what the complaint
// does not know of the slip; product, batch and reason default to the
// complaint's.
var returnSlipForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "product", Type: zhidu.FieldText, Label: text("产品（默认为投诉所述）", "Product (default: the complaint's)"), MaxLength: 200},
		{Name: "batch", Type: zhidu.FieldText, Label: text("批号（默认为投诉所述）", "Batch (default: the complaint's)"), MaxLength: 100},
		{Name: "production_date", Type: zhidu.FieldDate, Label: text("生产日期", "Production date"), Required: true},
		{Name: "production_unit", Type: zhidu.FieldText, Label: text("生产单位", "Production unit"), Required: true, MaxLength: 100},
		{Name: "shift", Type: zhidu.FieldText, Label: text("班次", "Shift"), MaxLength: 50},
		{Name: "operator", Type: zhidu.FieldText, Label: text("操作人", "Operator"), MaxLength: 100},
		{Name: "quantity", Type: zhidu.FieldNumber, Label: text("数量", "Quantity"), Required: true},
		{Name: "unit", Type: zhidu.FieldText, Label: text("单位", "Unit"), Required: true, MaxLength: 20},
		{Name: "unit_price", Type: zhidu.FieldNumber, Label: text("单价（元）", "Unit price (CNY)"), Required: true},
		{Name: "basis", Type: zhidu.FieldText, Label: text("依据（默认为投诉调查结论）", "Basis (default: the investigation's cause)"), MaxLength: 4000},
		{Name: "contract", Type: zhidu.FieldText, Label: text("已签合同编号（如有）", "Signed contract (if any)"), MaxLength: 100},
	},
	Outcomes: []string{OutcomeDone},
}

// returnSlipResult is the data of the return-slip step.
type returnSlipResult struct {
	Product        string   `json:"product"`
	Batch          string   `json:"batch"`
	ProductionDate string   `json:"production_date"`
	ProductionUnit string   `json:"production_unit"`
	Shift          string   `json:"shift"`
	Operator       string   `json:"operator"`
	Quantity       *float64 `json:"quantity"`
	Unit           string   `json:"unit"`
	UnitPrice      *float64 `json:"unit_price"`
	Basis          string   `json:"basis"`
	Contract       string   `json:"contract"`
}

// slip fills the return slip from the complaint and the step's data.
func (c *complaint) slip(d returnSlipResult) ReturnSlip {
	or := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	s := ReturnSlip{Customer: c.in.Intake.Complainant.Name, Product: or(d.Product, c.in.Intake.Product),
		Batch: or(d.Batch, c.in.Intake.Batch), ProductionDate: d.ProductionDate, ProductionUnit: d.ProductionUnit,
		Shift: d.Shift, Operator: d.Operator, Unit: d.Unit, Reason: c.in.Intake.Subject, Handling: returnHandling(c.remedy),
		Basis: or(d.Basis, c.cause), Contract: d.Contract, Complaint: c.p.Info.ID}
	if d.Quantity != nil {
		s.Quantity = *d.Quantity
	}
	if d.UnitPrice != nil {
		s.UnitPrice = *d.UnitPrice
	}
	return s
}

// checkReturnSlip refuses a slip the return would refuse at its start,
// each error under the step's field (data.quantity …).
func (c *complaint) checkReturnSlip(_ string, d returnSlipResult) map[string]zhidu.Message {
	errs := c.slip(d).Validate(c.now())
	if len(errs) == 0 {
		return nil
	}
	out := map[string]zhidu.Message{}
	for k, m := range errs {
		out["data."+k] = m
	}
	return out
}

// openReturn asks the responsible department to open the return slip,
// starts the return as a child process, waits until it is closed (a
// cancelled complaint stops waiting; the return, a process of its own,
// goes on), and records how it ended in the complaint's timeline.
func (c *complaint) openReturn(ctx workflow.Context) error {
	s := c.p.task("return_slip", StepReturnSlip, text("开具退货单", "Open the return slip"), c.dept, c.cfg.Remedy, returnSlipForm,
		[]zhidu.Candidate{role(zhidu.RoleStaff, c.dept), role(zhidu.RoleSupervisor, c.dept)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, c.dept)})
	s.Context = map[string]any{"remedy": c.remedy, "customer": c.in.Intake.Complainant.Name, "product": c.in.Intake.Product,
		"batch": c.in.Intake.Batch, "reason": c.in.Intake.Subject}
	done, d, err := askFor[returnSlipResult](ctx, c.p, s)
	if err != nil {
		return err
	}
	slip := c.slip(d)
	cfg := DefaultReturnConfig()
	if c.in.Return != nil {
		cfg = *c.in.Return
	}
	dept := c.p.Info.Department // the complaint's: customer service opens it to the customer
	info := zhidu.ProcessInfo{ID: ProcessID(KindReturn, c.p.Info.ID, "child"), Kind: KindReturn, Title: slip.Product + ", " + slip.Customer,
		Level: max(c.p.Info.Level, zhidu.Internal), Department: dept, StartedBy: done.Actor.Username, Readers: []zhidu.Department{dept}}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: info.ID,
		ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON})
	child := workflow.ExecuteChildWorkflow(cctx, WorkflowReturn, ReturnInput{Process: info, Slip: slip, Config: cfg, Parent: c.p.Info.ID})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return child.IsReady() || c.p.Cancelled != nil }); err != nil {
		return err
	}
	if c.p.Cancelled != nil {
		return errCancelled
	}
	var res ReturnResult
	if err := child.Get(ctx, &res); err != nil {
		var canceled *temporal.CanceledError
		if !errors.As(err, &canceled) {
			return err
		}
		res.Outcome = ResultCancelled
	}
	c.returned = &childReturn{Process: info.ID, Result: res.Outcome, Voucher: res.Voucher}
	ev := zhidu.ProcessEvent{EventKey: c.p.Info.ID + ":child-finished:" + info.ID, ProcessID: c.p.Info.ID, Actor: "system",
		Action: "child_finished", At: workflow.Now(ctx),
		Detail: map[string]any{"process": info.ID, "kind": KindReturn, "result": res.Outcome, "voucher": res.Voucher}}
	if err := c.p.project(ctx, ActivityProcessEvent, ev).Get(ctx, nil); err != nil {
		return err
	}
	return c.record(ctx, zhidu.ComplaintRecord{Stage: "reply"})
}
