package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The customer downgrade (DOMAIN.md "Customer files", 黑名单): a problem
// reported with a VIP customer — poor contract performance, late payment,
// a major crisis — is the owning department's to decide within five days
// (downgraded or kept, with the reason), escalating on breach; if the
// customer caused a major loss the department reports it to the
// Marketing Division, which may put the customer on the company blacklist
// (销售客户黑名单), and then every sales department's head is told. Only
// zhidu starts it (POST /api/v1/customers/{id}/problems).
const (
	KindCustomerDowngrade     = "customer_downgrade"
	WorkflowCustomerDowngrade = "CustomerDowngrade"

	StepDowngrade       = "downgrade"        // the owning department's head decides
	StepBlacklistReport = "blacklist_report" // the Marketing Division decides on the blacklist
	StepBlacklistNotice = "blacklist_notice" // each sales department's head takes note

	OutcomeDowngrade    = "downgrade"
	OutcomeKeep         = "keep"
	OutcomeBlacklist    = "blacklist"
	OutcomeNoBlacklist  = "no_blacklist"
	OutcomeAcknowledged = "acknowledged"

	ResultDowngraded  = "downgraded"
	ResultKept        = "kept"
	ResultBlacklisted = "blacklisted"

	ActivityChangeClass       = "ChangeCustomerClass"
	ActivityBlacklistCustomer = "BlacklistCustomer"
)

// CustomerDowngradeConfig is the downgrade's configuration.
type CustomerDowngradeConfig struct {
	// Decision is the department's: due within five days (降级处理 5 日内),
	// escalating to the VP in charge and then the deputy GM on breach.
	Decision SLA `json:"decision"`
	// Report is the Marketing Division's decision on the blacklist.
	Report SLA `json:"report"`
	// Notice is each sales department head's acknowledgement.
	Notice SLA `json:"notice"`
	// SalesDepartments are told of a blacklisting.
	SalesDepartments []zhidu.Department `json:"sales_departments"`
}

// DefaultCustomerDowngradeConfig returns the defaults.
func DefaultCustomerDowngradeConfig() CustomerDowngradeConfig {
	const day = 24 * time.Hour
	return CustomerDowngradeConfig{
		Decision:         SLA{Due: 5 * day, Reminder: 3 * day, Escalate: []time.Duration{5 * day, 7 * day}},
		Report:           SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day}},
		Notice:           SLA{Due: 2 * day},
		SalesDepartments: []zhidu.Department{zhidu.DeptSales},
	}
}

// CustomerDowngradeInput starts a downgrade: the file, the problem
// reported and whether the customer caused a major loss.
type CustomerDowngradeInput struct {
	Process     zhidu.ProcessInfo       `json:"process"`
	Customer    zhidu.CustomerRef       `json:"customer"`
	Problem     string                  `json:"problem"`
	Description string                  `json:"description"`
	MajorLoss   bool                    `json:"major_loss"`
	Config      CustomerDowngradeConfig `json:"config"`
}

// CustomerDowngradeResult says how it ended: downgraded (to Class), kept,
// or blacklisted (downgraded or not).
type CustomerDowngradeResult struct {
	Outcome     string `json:"outcome"`
	Class       string `json:"class,omitempty"`
	Blacklisted bool   `json:"blacklisted,omitempty"`
}

// NewCustomerDowngrade is the input of the downgrade of file c, reported by
// reporter: the process belongs to the file's department, at the file's
// level (at least internal).
func NewCustomerDowngrade(id, reporter string, c zhidu.CustomerRef, problem, description string, majorLoss bool, config any) CustomerDowngradeInput {
	cfg := configOr(config, DefaultCustomerDowngradeConfig)
	return CustomerDowngradeInput{
		Process: zhidu.ProcessInfo{ID: id, Kind: KindCustomerDowngrade, Title: c.Name, Level: max(c.Level, zhidu.Internal),
			Department: c.Department, StartedBy: reporter},
		Customer: c, Problem: problem, Description: description, MajorLoss: majorLoss, Config: cfg,
	}
}

func customerDowngradeDescriptor() Descriptor {
	return Descriptor{
		Kind: KindCustomerDowngrade, Workflow: WorkflowCustomerDowngrade, Func: CustomerDowngrade, Internal: true,
		Label: text("客户降级", "Customer downgrade"),
		Description: text("VIP 客户出现问题（合同履行差、回款不及时、重大危机）：所属部门 5 日内降级处理；造成重大损失的，报市场部决定是否列入黑名单，并通知各销售部门。",
			"A problem with a VIP customer: the owning department decides the downgrade within five days; a major loss goes to the Marketing Division, which may blacklist the customer and tells every sales department."),
		Steps: []Step{
			{StepDowngrade, text("降级处理", "Downgrade decision")},
			{StepBlacklistReport, text("市场部：是否列入黑名单", "Marketing: blacklist or not")},
		},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultCustomerDowngradeConfig() },
		Settings: []Setting{
			{Flag: "customer-downgrade-due", Env: "ZHIDU_CUSTOMER_DOWNGRADE_DUE", Field: "Decision.Due",
				Usage: "customer downgrade: the department's decision is due after"},
		},
		Record: func(input any) map[string]any {
			in, _ := input.(CustomerDowngradeInput)
			return map[string]any{"customer": in.Customer.ID, "problem": in.Problem, "major_loss": in.MajorLoss}
		},
		Labels: map[string]zhidu.Text{
			"outcome." + OutcomeDowngrade: text("降级", "Downgrade"), "outcome." + OutcomeKeep: text("维持", "Keep"),
			"outcome." + OutcomeBlacklist: text("列入黑名单", "Blacklist"), "outcome." + OutcomeNoBlacklist: text("不列入", "Do not blacklist"),
			"outcome." + OutcomeAcknowledged: text("已知悉", "Noted"),
			"outcome." + ResultDowngraded:    text("已降级", "Downgraded"), "outcome." + ResultKept: text("已维持", "Kept"),
			"outcome." + ResultBlacklisted: text("已列入黑名单", "Blacklisted"),
			"field.class":                  text("降为", "New class"), "field.problem": text("问题", "Problem"),
			"field.major_loss": text("造成重大损失", "Major loss"),
			"value.vip":        text("VIP 客户", "VIP"), "value.preferred": text("优选客户", "Preferred"), "value.qualified": text("合格客户", "Qualified"),
			"value." + zhidu.ProblemContract:    text("合同履行差", "Poor contract performance"),
			"value." + zhidu.ProblemLatePayment: text("回款不及时", "Late payment"), "value." + zhidu.ProblemCrisis: text("重大危机", "Major crisis"),
		},
	}
}

type downgradeResult struct {
	Class  string `json:"class"`
	Reason string `json:"reason"`
}

type reasonResult struct {
	Reason string `json:"reason"`
}

var downgradeForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "class", Type: zhidu.FieldChoice, Label: text("降为", "New class"), RequiredFor: []string{OutcomeDowngrade},
			Choices: []string{zhidu.ClassPreferred, zhidu.ClassQualified}},
		{Name: "reason", Type: zhidu.FieldText, Label: text("理由", "Reason"), Required: true, MaxLength: 2000},
	},
	Outcomes: []string{OutcomeDowngrade, OutcomeKeep},
}

var blacklistForm = zhidu.Form{
	Fields:   []zhidu.Field{{Name: "reason", Type: zhidu.FieldText, Label: text("理由", "Reason"), Required: true, MaxLength: 2000}},
	Outcomes: []string{OutcomeBlacklist, OutcomeNoBlacklist},
}

var noticeForm = zhidu.Form{
	Fields:   []zhidu.Field{{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 2000}},
	Outcomes: []string{OutcomeAcknowledged},
}

// CustomerDowngrade runs a downgrade.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func CustomerDowngrade(ctx workflow.Context, in CustomerDowngradeInput) (CustomerDowngradeResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{
		StepDowngrade:       rule[downgradeResult](nil),
		StepBlacklistReport: rule[reasonResult](nil),
	}
	if err := p.setup(ctx); err != nil {
		return CustomerDowngradeResult{}, err
	}
	res, err := runDowngrade(ctx, p, in)
	if errors.Is(err, errCancelled) {
		return CustomerDowngradeResult{Outcome: ResultCancelled}, p.wrapUp(ctx)
	}
	if err != nil {
		return res, err
	}
	if err := p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome}); err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

func runDowngrade(ctx workflow.Context, p *process, in CustomerDowngradeInput) (CustomerDowngradeResult, error) {
	c, cfg := in.Customer, in.Config
	context := map[string]any{"customer": c.Name, "class": c.Class, "problem": in.Problem, "description": in.Description,
		"major_loss": in.MajorLoss}
	s := p.task("downgrade", StepDowngrade, text("VIP 客户降级处理", "Decide the VIP customer's downgrade"), c.Department,
		cfg.Decision, downgradeForm, []zhidu.Candidate{role(zhidu.RoleDeptHead, c.Department)},
		[]zhidu.Candidate{role(zhidu.RoleVP, c.Department)}, leadership[:1:1])
	s.Context = context
	done, d, err := askFor[downgradeResult](ctx, p, s)
	if err != nil {
		return CustomerDowngradeResult{}, err
	}
	res := CustomerDowngradeResult{Outcome: ResultKept}
	if done.Outcome == OutcomeDowngrade {
		change := zhidu.ClassChange{ProcessID: p.Info.ID, CustomerID: c.ID, To: d.Class, Actor: done.Actor.Username,
			Reason: d.Reason, At: workflow.Now(ctx)}
		if err := p.project(ctx, ActivityChangeClass, change).Get(ctx, nil); err != nil {
			return res, fmt.Errorf("downgrade %s: %w", c.ID, err)
		}
		res = CustomerDowngradeResult{Outcome: ResultDowngraded, Class: d.Class}
	}
	if !in.MajorLoss {
		return res, nil
	}
	s = p.task("blacklist_report", StepBlacklistReport, text("重大损失：是否列入销售客户黑名单", "Major loss: put the customer on the blacklist?"),
		zhidu.DeptMkt, cfg.Report, blacklistForm,
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptMkt), role(zhidu.RoleSupervisor, zhidu.DeptMkt)}, leadership[:1:1])
	context["downgrade"], context["downgrade_reason"] = done.Outcome, d.Reason
	s.Context = context
	decided, why, err := askFor[reasonResult](ctx, p, s)
	if err != nil {
		return res, err
	}
	if decided.Outcome != OutcomeBlacklist {
		return res, nil
	}
	entry := zhidu.BlacklistDecision{ProcessID: p.Info.ID, CustomerID: c.ID, Reason: why.Reason, Actor: decided.Actor.Username,
		At: workflow.Now(ctx)}
	var listed zhidu.BlacklistEntry
	if err := p.project(ctx, ActivityBlacklistCustomer, entry).Get(ctx, &listed); err != nil {
		return res, fmt.Errorf("blacklist %s: %w", c.ID, err)
	}
	res.Outcome, res.Blacklisted = ResultBlacklisted, true
	// Every sales department's head is told, by the entry's notice (a
	// child: one per entry, whoever starts it).
	notice := NewBlacklistNotice(listed, c, &BlacklistNoticeConfig{Notice: cfg.Notice, SalesDepartments: cfg.SalesDepartments})
	notice.Parent = p.Info.ID
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: notice.Process.ID,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE})
	var told BlacklistNoticeResult
	err = workflow.ExecuteChildWorkflow(cctx, WorkflowBlacklistNotice, notice).Get(ctx, &told)
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &started) {
		err = nil // the API started the entry's notice already
	}
	return res, err
}

// noticeAll tells every sales department's head of a blacklisting (通知各
// 销售部门), one task each, and waits until each has taken note.
func noticeAll(ctx workflow.Context, p *process, sla SLA, depts []zhidu.Department, context map[string]any) error {
	pending, failed := len(depts), error(nil)
	for _, dept := range depts {
		s := p.task("blacklist_notice#"+string(dept), StepBlacklistNotice, text("销售客户黑名单通知", "Customer blacklisted"),
			dept, sla, noticeForm, []zhidu.Candidate{role(zhidu.RoleDeptHead, dept)})
		s.Context = context
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { pending-- }()
			if _, err := p.ask(ctx, s); err != nil && failed == nil {
				failed = err
			}
		})
	}
	if err := workflow.Await(ctx, func() bool { return pending == 0 }); err != nil {
		return err
	}
	return failed
}
