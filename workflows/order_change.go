package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The change of a signed order (订单签定后…如需修改要有经理或组长签字同意):
// the lines and payment terms of a signed order change only when the head
// of the department owning the customer file or a team lead (组长: a
// supervisor there) signs the change, who is never its requester; the
// file's history keeps the old and new values. Only zhidu starts it (POST
// /api/v1/orders/{id}/changes).
const (
	KindOrderChange     = "order_change"
	WorkflowOrderChange = "OrderChange"

	StepOrderChangeSign = "order_change_sign"

	ResultChanged  = "changed"
	ResultUnsigned = "unsigned" // the signer refused the change

	ActivityApplyOrderChange = "ApplyOrderChange"
)

// OrderChangeConfig is the order change's configuration.
type OrderChangeConfig struct {
	Sign SLA `json:"sign"`
}

// DefaultOrderChangeConfig returns the defaults.
func DefaultOrderChangeConfig() OrderChangeConfig {
	return OrderChangeConfig{Sign: SLA{Due: 48 * time.Hour, Reminder: 24 * time.Hour, Escalate: []time.Duration{48 * time.Hour}}}
}

// OrderChangeInput asks for a change of a signed order.
type OrderChangeInput struct {
	Process  zhidu.ProcessInfo `json:"process"`
	Order    string            `json:"order"`
	Customer zhidu.CustomerRef `json:"customer"`
	Before   zhidu.OrderTerms  `json:"before"`
	After    zhidu.OrderTerms  `json:"after"`
	Reason   string            `json:"reason"`
	Config   OrderChangeConfig `json:"config"`
}

// OrderChangeResult says whether the change was signed and made.
type OrderChangeResult struct {
	Outcome  string `json:"outcome"`
	SignedBy string `json:"signed_by,omitempty"`
}

// NewOrderChange is the input of requester's change of order o of file c.
func NewOrderChange(id, requester string, o zhidu.Order, c zhidu.CustomerRef, after zhidu.OrderTerms, reason string, config any) OrderChangeInput {
	cfg := configOr(config, DefaultOrderChangeConfig)
	return OrderChangeInput{
		Process: zhidu.ProcessInfo{ID: id, Kind: KindOrderChange, Title: o.ID + ", " + c.Name, Level: max(c.Level, zhidu.Internal),
			Department: c.Department, StartedBy: requester},
		Order: o.ID, Customer: c, Before: o.OrderTerms, After: after, Reason: reason, Config: cfg,
	}
}

func orderChangeDescriptor() Descriptor {
	return Descriptor{
		Kind: KindOrderChange, Workflow: WorkflowOrderChange, Func: OrderChange, Internal: true,
		Label: text("订单修改", "Order change"),
		Description: text("已签定订单的明细或付款条件需要修改：须经部门经理或组长签字同意，修改前后的内容记入客户档案。",
			"A signed order's lines or payment terms change only when the department head or a team lead signs; the file keeps the old and new values."),
		Steps:    []Step{{StepOrderChangeSign, text("经理或组长签字", "Head's or team lead's signature")}},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultOrderChangeConfig() },
		Record: func(input any) map[string]any {
			in, _ := input.(OrderChangeInput)
			return map[string]any{"order": in.Order, "after": in.After, "reason": in.Reason}
		},
		Labels: map[string]zhidu.Text{
			"outcome." + ResultChanged: text("已修改", "Changed"), "outcome." + ResultUnsigned: text("未同意", "Not signed"),
			// How a customer file's history says the change was made (its via).
			"value." + KindOrderChange: text("订单修改（已签字）", "Order change (signed)"),
		},
	}
}

var orderChangeForm = zhidu.Form{
	Fields: []zhidu.Field{{Name: "opinion", Type: zhidu.FieldText, Label: text("意见", "Opinion"), RequiredFor: []string{OutcomeReject},
		MaxLength: 2000}},
	Outcomes: []string{OutcomeApprove, OutcomeReject},
}

// OrderChange asks for the signature and, signed, makes the change.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func OrderChange(ctx workflow.Context, in OrderChangeInput) (OrderChangeResult, error) {
	p := newProcess(ctx, in.Process)
	if err := p.setup(ctx); err != nil {
		return OrderChangeResult{}, err
	}
	dept := in.Customer.Department
	s := p.task("order_change_sign", StepOrderChangeSign, text("订单修改签字", "Sign the order change"), dept, in.Config.Sign,
		orderChangeForm, []zhidu.Candidate{role(zhidu.RoleDeptHead, dept), role(zhidu.RoleSupervisor, dept)},
		[]zhidu.Candidate{role(zhidu.RoleVP, dept)})
	s.Approval = true // never the requester
	s.Context = map[string]any{"order": in.Order, "customer": in.Customer.Name, "before": in.Before, "after": in.After,
		"total_before": in.Before.Total(), "total_after": in.After.Total(), "reason": in.Reason}
	done, err := p.ask(ctx, s)
	if errors.Is(err, errCancelled) {
		return OrderChangeResult{Outcome: ResultCancelled}, p.wrapUp(ctx)
	}
	if err != nil {
		return OrderChangeResult{}, err
	}
	res := OrderChangeResult{Outcome: ResultUnsigned, SignedBy: done.Actor.Username}
	if done.Outcome == OutcomeApprove {
		change := zhidu.OrderChange{ProcessID: p.Info.ID, OrderID: in.Order, Before: in.Before, After: in.After,
			Requester: in.Process.StartedBy, Signer: done.Actor.Username, Reason: in.Reason, At: workflow.Now(ctx)}
		if err := p.project(ctx, ActivityApplyOrderChange, change).Get(ctx, nil); err != nil {
			return res, fmt.Errorf("change order %s: %w", in.Order, err)
		}
		res.Outcome = ResultChanged
	}
	if err := p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome}); err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}
