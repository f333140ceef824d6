//go:build example

package workflows

// The worked example of docs/ADDING_A_PROCESS.md: a leave request, built
// only with -tags example (tests), so that no production build offers it.
// Everything the process is lives in this file; the one line that adds it
// is exampleProcesses() in Descriptors. A real process is the same minus
// the build tag and this function, and plus its line in Descriptors.

import (
	"context"
	"errors"
	"math"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

func exampleProcesses() []Descriptor { return []Descriptor{exampleLeaveDescriptor()} }

// The example leave's kind, workflow name, steps, outcomes and results.
const (
	KindExampleLeave     = "example_leave"
	WorkflowExampleLeave = "ExampleLeave"

	StepLeaveHead = "leave_head" // the department head approves
	StepLeaveVP   = "leave_vp"   // and the VP in charge, for a long leave

	OutcomeGrant   = "grant"
	OutcomeDecline = "decline"

	ResultGranted  = "granted"
	ResultDeclined = "declined"
)

// MaxLeaveDays is the longest leave one request asks for.
const MaxLeaveDays = 30

// The example leave's own messages (zhidu.DefineMessages): English, what
// the API says, and Chinese, what the web shows.
const (
	msgCannotRequestLeave = "example_leave.cannot_request"
	msgLeaveDays          = "example_leave.days"
)

var _ = zhidu.DefineMessages(map[string]zhidu.Text{
	msgCannotRequestLeave: {En: "cannot request the leave", Zh: "无法提交请假申请"},
	msgLeaveDays:          {En: "must be a whole number of days from 1 to {max}", Zh: "须为 1 至 {max} 的整天数"},
})

// ExampleLeaveConfig is the example leave's configuration.
type ExampleLeaveConfig struct {
	// Approval is each approval step's SLA.
	Approval SLA `json:"approval"`
	// VPAbove: a leave of more days than this needs the VP in charge too.
	VPAbove int `json:"vp_above"`
}

// DefaultExampleLeaveConfig returns the defaults.
func DefaultExampleLeaveConfig() ExampleLeaveConfig {
	return ExampleLeaveConfig{
		Approval: SLA{Due: 24 * time.Hour, Reminder: 8 * time.Hour, Escalate: []time.Duration{24 * time.Hour, 48 * time.Hour}},
		VPAbove:  3,
	}
}

// ExampleLeaveInput starts an example leave.
type ExampleLeaveInput struct {
	Process zhidu.ProcessInfo  `json:"process"`
	Days    int                `json:"days"`
	Reason  string             `json:"reason"`
	Config  ExampleLeaveConfig `json:"config"`
}

// ExampleLeaveResult is how a leave request ended: granted, declined or
// cancelled, and by whom it was decided.
type ExampleLeaveResult struct {
	Outcome   string   `json:"outcome"`
	DecidedBy []string `json:"decided_by,omitempty"`
}

// exampleLeaveDescriptor: staff and supervisors request leave in their own
// department, which owns the request.
func exampleLeaveDescriptor() Descriptor {
	return Descriptor{
		Kind: KindExampleLeave, Workflow: WorkflowExampleLeave, Func: ExampleLeave,
		Label:       text("请假（示例）", "Leave (example)"),
		Description: text("请假申请：部门经理批准；超过规定天数的，再由分管副总批准。", "A leave request: the department head grants it, and the VP in charge too for a long leave."),
		Submit:      text("提交请假", "Request the leave"),
		Steps: []Step{
			{StepLeaveHead, text("部门经理批假", "Head's approval")},
			{StepLeaveVP, text("分管副总批假", "VP's approval")},
		},
		StartForm: zhidu.Form{Fields: []zhidu.Field{
			{Name: "days", Type: zhidu.FieldNumber, Label: text("请假天数", "Days of leave"), Required: true},
			{Name: "reason", Type: zhidu.FieldText, Label: text("事由", "Reason"), Required: true, MaxLength: 200},
		}},
		Starters: []Starter{{Roles: []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor}, Department: OwnDepartment}},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultExampleLeaveConfig() },
		Bench:    exampleLeaveBench(),
		Settings: []Setting{{Flag: "example-leave-vp-above", Env: "ZHIDU_EXAMPLE_LEAVE_VP_ABOVE", Field: "VPAbove",
			Usage: "example leave: a leave of more days needs the VP too"}},
		Body: func() any { return new(exampleLeaveStart) },
		Prepare: func(_ context.Context, b any, s StartContext) (any, error) {
			return prepareExampleLeave(*b.(*exampleLeaveStart), s)
		},
		Record: func(input any) map[string]any {
			in, _ := input.(ExampleLeaveInput)
			return map[string]any{"days": in.Days, "reason": in.Reason}
		},
		Register: exampleLeaveRegister(),
		Labels: map[string]zhidu.Text{
			"outcome." + OutcomeGrant: text("准假", "Grant"), "outcome." + OutcomeDecline: text("不准假", "Decline"),
			"outcome." + ResultGranted: text("已准假", "Granted"), "outcome." + ResultDeclined: text("未准假", "Declined"),
			"field.days": text("请假天数", "Days of leave"), "field.remark": text("批示", "Remark"),
		},
	}
}

// exampleLeaveStart is the start body.
type exampleLeaveStart struct {
	Days   float64 `json:"days"`
	Reason string  `json:"reason" text:"line"`
}

// prepareExampleLeave checks a leave request: whole days, at most
// MaxLeaveDays, and a reason. A leave is internal.
func prepareExampleLeave(b exampleLeaveStart, s StartContext) (any, error) {
	errs := map[string]zhidu.Message{}
	if math.Trunc(b.Days) != b.Days || b.Days < 1 || b.Days > MaxLeaveDays {
		errs["days"] = zhidu.Say(msgLeaveDays, "max", MaxLeaveDays)
	}
	checkText(errs, "reason", b.Reason, true, false, 200)
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.Say(msgCannotRequestLeave), errs)
	}
	info := s.Process
	info.Title, info.Level = b.Reason, zhidu.Internal
	return ExampleLeaveInput{Process: *info, Days: int(b.Days), Reason: b.Reason, Config: *s.Config.(*ExampleLeaveConfig)}, nil
}

// exampleLeaveRegister is the leave register: when, how long, and how it
// ended, newest first.
func exampleLeaveRegister() *zhidu.Register {
	results := []string{"pending", ResultGranted, ResultDeclined, ResultCancelled}
	return &zhidu.Register{
		Columns: []zhidu.Column{
			{Name: "process_id", Label: text("编号", "Process"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactID)},
			{Name: "requested_at", Label: text("申请时间", "Requested"), Type: zhidu.ColumnTime, From: fromFact(zhidu.FactStartedAt),
				Filter: &zhidu.Filter{Kind: zhidu.FilterRange, Param: "requested"}},
			{Name: "days", Label: text("天数", "Days"), Type: zhidu.ColumnNumber, From: fromInput("days")},
			{Name: "result", Label: text("结果", "Result"), Type: zhidu.ColumnText, From: fromField("result"), Default: results[0],
				Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: results}},
		},
		File: "leaves.csv",
		Sort: "-requested_at",
	}
}

// leaveForm is what each approval step asks: grant, or decline with a
// remark.
var leaveForm = zhidu.Form{
	Fields: []zhidu.Field{{Name: "remark", Type: zhidu.FieldText, Label: text("批示", "Remark"),
		RequiredFor: []string{OutcomeDecline}, MaxLength: 500}},
	Outcomes: []string{OutcomeGrant, OutcomeDecline},
}

// leaveDecision is what an approval step records.
type leaveDecision struct {
	Remark string `json:"remark"`
}

// checkLeaveDecision: a remark is one line.
func checkLeaveDecision(_ string, d leaveDecision) map[string]zhidu.Message {
	return lineText("remark", d.Remark)
}

// ExampleLeave is the example process: the department head of the
// requester's department grants or declines the leave; a leave longer than
// Config.VPAbove days then goes to the VP in charge. The requester never
// approves their own leave, nobody approves two levels, and each step
// escalates to the leadership when nobody acts in time. The register entry
// records the result.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func ExampleLeave(ctx workflow.Context, in ExampleLeaveInput) (ExampleLeaveResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{
		StepLeaveHead: rule(checkLeaveDecision),
		StepLeaveVP:   rule(checkLeaveDecision),
	}
	if err := p.setup(ctx); err != nil {
		return ExampleLeaveResult{}, err
	}
	res, err := exampleLeave(ctx, p, in)
	if errors.Is(err, errCancelled) {
		res, err = ExampleLeaveResult{Outcome: ResultCancelled}, p.recordEntry(ctx, closedLeave(ctx, ResultCancelled))
	}
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

func exampleLeave(ctx workflow.Context, p *process, in ExampleLeaveInput) (ExampleLeaveResult, error) {
	d := p.Info.Department
	steps := []func() zhidu.TaskSpec{func() zhidu.TaskSpec {
		return p.task("head", StepLeaveHead, text("部门经理批假", "Head's approval"), d, in.Config.Approval, leaveForm,
			[]zhidu.Candidate{role(zhidu.RoleDeptHead, d)}, []zhidu.Candidate{role(zhidu.RoleVP, d)}, leadership)
	}}
	if in.Days > in.Config.VPAbove {
		steps = append(steps, func() zhidu.TaskSpec {
			return p.task("vp", StepLeaveVP, text("分管副总批假", "VP's approval"), d, in.Config.Approval, leaveForm,
				[]zhidu.Candidate{role(zhidu.RoleVP, d)}, leadership[:1:1], leadership[1:])
		})
	}
	end := func(result string, decided []string) (ExampleLeaveResult, error) {
		if err := p.recordEntry(ctx, closedLeave(ctx, result)); err != nil {
			return ExampleLeaveResult{}, err
		}
		return ExampleLeaveResult{Outcome: result, DecidedBy: decided},
			p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: result})
	}
	var decided []string
	for _, step := range steps {
		s := step()
		s.Approval = true // the requester never approves, nobody approves two levels
		s.Excluded = append([]string{p.Info.StartedBy}, p.Approvers...)
		done, _, err := askFor[leaveDecision](ctx, p, s)
		if err != nil {
			return ExampleLeaveResult{}, err
		}
		decided = append(decided, done.Actor.Username)
		if done.Outcome == OutcomeDecline {
			return end(ResultDeclined, decided)
		}
	}
	return end(ResultGranted, decided)
}

// closedLeave is the register record of a closed leave request: its
// result, kept for a year after it closed.
func closedLeave(ctx workflow.Context, result string) zhidu.RegisterRecord {
	closed := workflow.Now(ctx)
	keep := closed.AddDate(1, 0, 0)
	return zhidu.RegisterRecord{Fields: map[string]any{"result": result}, ClosedAt: &closed, RetainUntil: &keep}
}
