package workflows

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// ApprovalInput starts an approval: the process facts and the step SLAs.
type ApprovalInput struct {
	Process zhidu.ProcessInfo `json:"process"`
	Details string            `json:"details"`
	SLA     SLA               `json:"sla"`
}

// ApprovalResult is how an approval ended: approved, rejected or
// cancelled, and by whom.
type ApprovalResult struct {
	Outcome   string   `json:"outcome"`
	DecidedBy []string `json:"decided_by,omitempty"`
}

// Approval outcomes.
const (
	OutcomeApprove = "approve"
	OutcomeReject  = "reject"
)

// How an approval ends (ApprovalResult.Outcome, the process's result), if
// not ResultCancelled.
const (
	ResultApproved = "approved"
	ResultRejected = "rejected"
)

// approvalDescriptor: anyone with a business role starts an approval in
// their own department.
func approvalDescriptor() Descriptor {
	return Descriptor{
		Kind: KindApproval, Workflow: WorkflowApproval, Func: Approval,
		Label: text("通用审批", "Approval"),
		Description: text("通用审批：部门经理审批后，由分管副总审批。",
			"General approval: the department head approves, then the VP in charge."),
		Submit: text("提交审批", "Submit for approval"),
		Steps: []Step{
			{StepDeptHeadApproval, text("部门经理审批", "Department head approval")},
			{StepVPApproval, text("分管副总审批", "VP approval")},
		},
		StartForm: zhidu.Form{Fields: []zhidu.Field{
			{Name: "title", Type: zhidu.FieldText, Label: text("标题", "Title"), Required: true, MaxLength: 200},
			{Name: "details", Type: zhidu.FieldText, Label: text("详细说明", "Details"), MaxLength: 10000},
			{Name: "level", Type: zhidu.FieldChoice, Label: text("密级（默认内部）", "Level (default internal)"), Choices: levelChoices()},
		}},
		Starters: []Starter{{Roles: everyone, Department: AnyDepartment}},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultApprovalSLA() },
		Settings: []Setting{
			{Flag: "approval-due", Env: "ZHIDU_APPROVAL_DUE", Field: "Due", Usage: "approval: each step is due after"},
			{Flag: "approval-reminder", Env: "ZHIDU_APPROVAL_REMINDER", Field: "Reminder", Usage: "approval: remind after"},
			{Flag: "approval-escalate", Env: "ZHIDU_APPROVAL_ESCALATE", Field: "Escalate", Usage: "approval: escalation ladder times"},
		},
		Body: func() any { return new(approvalStart) },
		Prepare: func(_ context.Context, b any, s StartContext) (any, error) {
			return prepareApproval(*b.(*approvalStart), s)
		},
		Record: func(input any) map[string]any {
			in, _ := input.(ApprovalInput)
			return map[string]any{"title": in.Process.Title, "details": in.Details, "level": in.Process.Level.String()}
		},
		Bench: approvalBench(),
	}
}

// approvalStart is an approval's start body.
type approvalStart struct {
	Title   string       `json:"title" text:"line"`
	Details string       `json:"details"`
	Level   *zhidu.Level `json:"level"`
}

// prepareApproval checks an approval's start: its level defaults to
// internal and may not be above the starter's clearance.
func prepareApproval(b approvalStart, s StartContext) (any, error) {
	errs := map[string]zhidu.Message{}
	if n := utf8.RuneCountInString(b.Title); n == 0 || n > 200 {
		errs["title"] = zhidu.CharRange(1, 200)
	}
	if utf8.RuneCountInString(b.Details) > 10000 {
		errs["details"] = zhidu.MaxChars(10000)
	}
	info := s.Process
	info.Level = chosenLevel(b.Level, s.Starter, errs)
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.CannotStartApproval(), errs)
	}
	info.Title = b.Title
	return ApprovalInput{Process: *info, Details: b.Details, SLA: *s.Config.(*SLA)}, nil
}

// Approval steps.
const (
	StepDeptHeadApproval = "dept_head_approval"
	StepVPApproval       = "vp_approval"
)

// DefaultApprovalSLA is each approval step's SLA unless configured.
func DefaultApprovalSLA() SLA {
	return SLA{Due: 48 * time.Hour, Reminder: 24 * time.Hour, Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}}
}

// approvalForm is what each approval step asks: approve, or reject with an
// opinion.
var approvalForm = zhidu.Form{
	Fields: []zhidu.Field{{Name: "opinion", Type: zhidu.FieldText, Label: text("审批意见", "Opinion"),
		RequiredFor: []string{OutcomeReject}, MaxLength: 2000}},
	Outcomes: []string{OutcomeApprove, OutcomeReject},
}

// Approval is the reference process of the human-task step: the starter's
// department head approves, then the VP in charge of that department. The
// starter never approves their own request, and nobody approves two levels.
// A step nobody can work escalates at once (a department without a VP goes
// to the deputy GM and the GM).
//
// Updates: CompleteTask, AssignTask, CancelProcess. Query: State.
func Approval(ctx workflow.Context, in ApprovalInput) (ApprovalResult, error) {
	p := newProcess(ctx, in.Process)
	if err := p.setup(ctx); err != nil {
		return ApprovalResult{}, err
	}
	res, err := p.approve(ctx, in)
	if errors.Is(err, errCancelled) {
		res, err = ApprovalResult{Outcome: ResultCancelled}, nil
	}
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

func (p *process) approve(ctx workflow.Context, in ApprovalInput) (ApprovalResult, error) {
	d := p.Info.Department
	// Each spec is built when its step starts: it takes the process's level
	// as it is then.
	steps := []func() zhidu.TaskSpec{
		func() zhidu.TaskSpec {
			return p.task("dept_head", StepDeptHeadApproval, text("部门经理审批", "Department head approval"), d, in.SLA,
				approvalForm, []zhidu.Candidate{role(zhidu.RoleDeptHead, d)},
				[]zhidu.Candidate{role(zhidu.RoleVP, d)}, leadership)
		},
		func() zhidu.TaskSpec {
			return p.task("vp", StepVPApproval, text("分管副总审批", "VP approval"), d, in.SLA,
				approvalForm, []zhidu.Candidate{role(zhidu.RoleVP, d)},
				leadership[:1:1], leadership[1:])
		},
	}
	var decided []string
	for _, step := range steps {
		s := step()
		s.Approval = true // the requester never approves, nobody approves two levels
		s.Excluded = append([]string{p.Info.StartedBy}, p.Approvers...)
		done, err := p.ask(ctx, s)
		if err != nil {
			return ApprovalResult{}, err
		}
		decided = append(decided, done.Actor.Username)
		if done.Outcome == OutcomeReject {
			return ApprovalResult{Outcome: ResultRejected, DecidedBy: decided},
				p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: ResultRejected})
		}
	}
	return ApprovalResult{Outcome: ResultApproved, DecidedBy: decided},
		p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: ResultApproved})
}
