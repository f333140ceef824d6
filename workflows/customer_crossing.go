package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The contested crossing (客户交叉/重卡, DOMAIN.md "Customer files"): the
// first registration keeps the customer and the credit
// (以第一次签字时间为准); a registrant who contests it asks the head of the
// department that owns the file, whose decision is final and recorded:
// the first registrant keeps the credit, the second gets it, or it goes
// to the department. Unresolved in time, it goes to the department (归部门).
// Only zhidu starts it (POST /api/v1/crossings/{id}/contest).
const (
	KindCustomerCrossing     = "customer_crossing"
	WorkflowCustomerCrossing = "CustomerCrossing"

	StepCrossingDecision = "crossing_decision"

	ActivityContestCrossing = "ContestCrossing"
	ActivityDecideCrossing  = "DecideCrossing"
)

// CustomerCrossingConfig is the contested crossing's configuration.
type CustomerCrossingConfig struct {
	// Decision is the department head's SLA; Unresolved is when, with no
	// decision, the credit goes to the department.
	Decision   SLA           `json:"decision"`
	Unresolved time.Duration `json:"unresolved"`
}

// DefaultCustomerCrossingConfig returns the defaults.
func DefaultCustomerCrossingConfig() CustomerCrossingConfig {
	const day = 24 * time.Hour
	return CustomerCrossingConfig{Decision: SLA{Due: 5 * day, Reminder: 3 * day}, Unresolved: 7 * day}
}

// CustomerCrossingInput starts a contested crossing: the case and who
// contests it.
type CustomerCrossingInput struct {
	Process zhidu.ProcessInfo `json:"process"`
	Case    string            `json:"case"`
	// Customer is the file the case is about; First holds the credit now,
	// Second is the second registrant.
	Customer zhidu.CustomerRef      `json:"customer"`
	First    string                 `json:"first"`
	Second   string                 `json:"second"`
	Reason   string                 `json:"reason"`
	Config   CustomerCrossingConfig `json:"config"`
}

// CustomerCrossingResult is the decision: first, second or department.
type CustomerCrossingResult struct {
	Outcome   string `json:"outcome"`
	DecidedBy string `json:"decided_by,omitempty"`
}

// NewCustomerCrossing is the input of the contest of case by contester.
// The process belongs to the file's department at the file's level; its
// title is the name the second registrant gave, which they know already.
func NewCustomerCrossing(id, contester string, cc zhidu.CrossingCase, c zhidu.CustomerRef, reason string, config any) CustomerCrossingInput {
	cfg := configOr(config, DefaultCustomerCrossingConfig)
	return CustomerCrossingInput{
		Process: zhidu.ProcessInfo{ID: id, Kind: KindCustomerCrossing, Title: cc.Name, Level: max(c.Level, zhidu.Internal),
			Department: c.Department, StartedBy: contester},
		Case: cc.ID, Customer: c, First: cc.Credit, Second: cc.Registrant, Reason: reason, Config: cfg,
	}
}

func customerCrossingDescriptor() Descriptor {
	return Descriptor{
		Kind: KindCustomerCrossing, Workflow: WorkflowCustomerCrossing, Func: CustomerCrossing, Internal: true,
		Label: text("客户交叉裁定", "Contested customer crossing"),
		Description: text("同一客户被重复登记且有争议：由客户档案所属部门经理裁定，裁定为最终决定；逾期未裁定的，归部门。",
			"A customer registered twice, contested: the head of the department owning the file decides, finally; undecided in time, the credit goes to the department."),
		Steps:    []Step{{StepCrossingDecision, text("交叉客户裁定", "Crossing decision")}},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultCustomerCrossingConfig() },
		Settings: []Setting{
			{Flag: "customer-crossing-unresolved", Env: "ZHIDU_CUSTOMER_CROSSING_UNRESOLVED", Field: "Unresolved",
				Usage: "contested crossing: with no decision after this, the credit goes to the department"},
		},
		Record: func(input any) map[string]any {
			in, _ := input.(CustomerCrossingInput)
			return map[string]any{"case": in.Case, "reason": in.Reason}
		},
		Labels: map[string]zhidu.Text{
			"outcome." + zhidu.CrossingFirst:      text("归首次登记人", "First registrant"),
			"outcome." + zhidu.CrossingSecond:     text("归再次登记人", "Second registrant"),
			"outcome." + zhidu.CrossingDepartment: text("归部门", "The department"),
		},
	}
}

var crossingForm = zhidu.Form{
	Fields:   []zhidu.Field{{Name: "note", Type: zhidu.FieldText, Label: text("裁定说明", "Decision note"), Required: true, MaxLength: 2000}},
	Outcomes: []string{zhidu.CrossingFirst, zhidu.CrossingSecond, zhidu.CrossingDepartment},
}

type crossingResult struct {
	Note string `json:"note"`
}

// CustomerCrossing runs a contested crossing.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func CustomerCrossing(ctx workflow.Context, in CustomerCrossingInput) (CustomerCrossingResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{StepCrossingDecision: rule[crossingResult](nil)}
	if err := p.setup(ctx); err != nil {
		return CustomerCrossingResult{}, err
	}
	contest := zhidu.CrossingRecord{CaseID: in.Case, ProcessID: p.Info.ID, Actor: in.Process.StartedBy, Note: in.Reason,
		At: workflow.Now(ctx)}
	if err := p.project(ctx, ActivityContestCrossing, contest).Get(ctx, nil); err != nil {
		return CustomerCrossingResult{}, fmt.Errorf("contest %s: %w", in.Case, err)
	}
	dept := in.Customer.Department
	s := p.task("crossing_decision", StepCrossingDecision, text("交叉客户裁定", "Decide the contested crossing"), dept,
		in.Config.Decision, crossingForm, []zhidu.Candidate{role(zhidu.RoleDeptHead, dept)})
	// Neither party decides their own case.
	s.Excluded = []string{in.First, in.Second}
	s.Context = map[string]any{"case": in.Case, "customer": in.Customer.Name, "first": in.First, "second": in.Second,
		"reason": in.Reason}
	s.Lapse = &zhidu.Lapse{After: in.Config.Unresolved, Outcome: zhidu.CrossingDepartment,
		Data: map[string]any{"note": "逾期未裁定，归部门 (unresolved: the credit goes to the department)"}}
	done, d, err := askFor[crossingResult](ctx, p, s)
	if errors.Is(err, errCancelled) {
		return CustomerCrossingResult{Outcome: ResultCancelled}, p.wrapUp(ctx)
	}
	if err != nil {
		return CustomerCrossingResult{}, err
	}
	decision := zhidu.CrossingRecord{CaseID: in.Case, ProcessID: p.Info.ID, Actor: done.Actor.Username, Decision: done.Outcome,
		Note: d.Note, At: workflow.Now(ctx)}
	if err := p.project(ctx, ActivityDecideCrossing, decision).Get(ctx, nil); err != nil {
		return CustomerCrossingResult{}, fmt.Errorf("decide %s: %w", in.Case, err)
	}
	res := CustomerCrossingResult{Outcome: done.Outcome, DecidedBy: done.Actor.Username}
	if err := p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome}); err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}
