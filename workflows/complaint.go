package workflows

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// ComplaintResult is how a complaint ended: resolved, invalid or
// cancelled.
type ComplaintResult struct {
	Outcome     string `json:"outcome"`
	SpotChecked bool   `json:"spot_checked"`
}

// How a complaint ends (ComplaintResult.Outcome, the process's result), if
// not ResultCancelled.
const (
	ResultResolved = "resolved"
	ResultInvalid  = "invalid"
)

// Step names of the complaint process.
const (
	StepTriage        = "triage"
	StepInvestigation = "investigation"
	StepApproval      = "approval"
	StepGMApproval    = "gm_approval"
	StepRemedy        = "remedy"
	StepReply         = "reply"
	StepReceivables   = "receivables"
	StepSuperior      = "superior_review"
	StepFollowUp      = "follow_up"
	StepSpotCheck     = "spot_check"
)

// Complaint is process 1 of DOMAIN.md, 客户投诉处理: triage by the CS
// supervisor; investigation by the responsible department (3-day SLA,
// reminder, escalation to its head and then its VP); approval by the VP in
// charge, who may send it back, and by the GM above the compensation
// threshold; the remedy (an HR task for discipline, a tracked improvement
// task, or the department's remedy task); the reply to the customer — a
// separate public text; the follow-up visit; archiving with retention; and
// a deterministic 营管办 spot check of a sample. An invalid complaint is
// closed with a reason, the customer is still told, sales collects
// receivables on normal terms, and a customer's dispute goes to the
// superior, who may re-open it.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func Complaint(ctx workflow.Context, in ComplaintInput) (ComplaintResult, error) {
	if a := in.Intake.Accused; a != "" && !slices.Contains(in.Process.Barred, a) {
		in.Process.Barred = append(slices.Clone(in.Process.Barred), a)
	}
	p := newProcess(ctx, in.Process)
	p.Requester = "" // the starter registers the customer's complaint; they ask for nothing
	c := &complaint{p: p, in: in, cfg: in.Config, category: in.Intake.Category}
	c.childReturns = workflow.GetVersion(ctx, changeComplaintReturnChild, workflow.DefaultVersion, 1) == 1
	c.now = func() time.Time { return workflow.Now(ctx) }
	// Every step whose data the workflow reads has a rule, so data that
	// would not decode is refused before the step completes.
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{
		StepTriage:        rule(c.checkTriage),
		StepInvestigation: rule(checkInvestigation),
		StepApproval:      rule[decisionResult](nil),
		StepGMApproval:    rule[decisionResult](nil),
		StepReply:         rule[replyResult](nil),
		StepFollowUp:      rule[followUpResult](nil),
		StepSuperior:      rule(c.checkReopen),
		StepSpotCheck:     rule[spotCheckResult](nil),
		StepReturnSlip:    rule(c.checkReturnSlip),
	}
	if err := p.setup(ctx); err != nil {
		return ComplaintResult{}, err
	}
	res, err := c.run(ctx)
	if errors.Is(err, errCancelled) {
		res, err = ComplaintResult{Outcome: ResultCancelled}, nil
	}
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

type complaint struct {
	p        *process
	in       ComplaintInput
	cfg      ComplaintConfig
	category string
	dept     zhidu.Department // the responsible department
	joint    bool
	deadline time.Time // the joint-handling deadline (处理时效), if set
	rounds   int       // investigation rounds (sent back adds one)
	remedy   string
	amount   float64
	cause    string // the investigation's finding: a return slip's basis
	// childReturns: this run opens a return slip (process 2) as a child
	// for a return, reprocess or replace remedy, and replies once it is
	// closed; returned is how it ended.
	childReturns bool
	returned     *childReturn
	now          func() time.Time // the workflow's clock, for the steps' checks
}

// changeComplaintReview names the changes made after review: a joint
// deadline scales the reminder and escalations with the due time; a
// complaint recategorised as misconduct becomes secret; the register shows
// the superior's review; a cancel ends the follow-up wait at once.
const changeComplaintReview = "complaint-review-1"

// reviewed reports whether this run has the review changes.
func (c *complaint) reviewed(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changeComplaintReview, workflow.DefaultVersion, 1) == 1
}

func (c *complaint) record(ctx workflow.Context, r zhidu.ComplaintRecord) error {
	r.ProcessID, r.At = c.p.Info.ID, workflow.Now(ctx)
	return c.p.project(ctx, ActivityRecordComplaint, r).Get(ctx, nil)
}

func (c *complaint) run(ctx workflow.Context) (ComplaintResult, error) {
	done, d, err := askFor[triageResult](ctx, c.p, c.triageTask())
	if err != nil {
		return ComplaintResult{}, err
	}
	if d.Category != "" {
		c.category = d.Category
	}
	if c.category == "misconduct" && c.p.Info.Level < c.in.Intake.DefaultLevel() || c.category == "misconduct" && c.p.Info.Level < zhidu.Secret {
		if c.reviewed(ctx) {
			// Misconduct is secret by nature, however it was registered.
			if _, err := c.p.setLevel(ctx, zhidu.SetLevelRequest{Actor: done.Actor, Level: zhidu.Secret,
				Reason: "recategorised as misconduct at triage"}); err != nil {
				return ComplaintResult{}, err
			}
		}
	}
	important := d.Important
	rec := zhidu.ComplaintRecord{Stage: "investigation", Category: c.category, Important: &important}
	if done.Outcome == OutcomeInvalid {
		reason := d.Reason
		valid := false
		rec.Stage, rec.Valid, rec.InvalidReason = "reply", &valid, reason
		if err := c.record(ctx, rec); err != nil {
			return ComplaintResult{}, err
		}
		return c.invalid(ctx, reason)
	}
	c.dept = zhidu.Department(d.ResponsibleDepartment)
	c.joint = d.Joint
	valid := true
	rec.Valid, rec.ResponsibleDepartment, rec.Joint = &valid, string(c.dept), &c.joint
	if d.Deadline != "" {
		c.deadline, _ = time.Parse(time.DateOnly, d.Deadline) // the form checked the date
		rec.JointDeadline = d.Deadline
	}
	if err := c.record(ctx, rec); err != nil {
		return ComplaintResult{}, err
	}
	return c.resolve(ctx)
}

func (c *complaint) triageTask() zhidu.TaskSpec {
	s := c.p.task("triage", StepTriage, text("投诉受理审核", "Triage complaint"), zhidu.DeptCS, c.cfg.Triage, triageForm,
		[]zhidu.Candidate{role(zhidu.RoleSupervisor, zhidu.DeptCS)}, []zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptCS)})
	s.Context = map[string]any{"intake": c.in.Intake}
	return s
}

// investigators are who investigate in the responsible department: its
// staff and supervisors; R&D joins joint handling, HR misconduct cases.
func (c *complaint) investigators() []zhidu.Candidate {
	out := []zhidu.Candidate{role(zhidu.RoleStaff, c.dept), role(zhidu.RoleSupervisor, c.dept)}
	if c.joint && c.dept != zhidu.DeptRnD {
		out = append(out, role(zhidu.RoleStaff, zhidu.DeptRnD))
	}
	if c.category == "misconduct" && c.dept != zhidu.DeptHR {
		out = append(out, role(zhidu.RoleSupervisor, zhidu.DeptHR), role(zhidu.RoleDeptHead, zhidu.DeptHR))
	}
	return out
}

// resolve runs a valid complaint from investigation to archive.
func (c *complaint) resolve(ctx workflow.Context) (ComplaintResult, error) {
	var sentBack string
	for {
		if err := c.investigate(ctx, sentBack); err != nil {
			return ComplaintResult{}, err
		}
		comments, approved, err := c.approve(ctx)
		if err != nil {
			return ComplaintResult{}, err
		}
		if approved {
			break
		}
		sentBack = comments
	}
	if err := c.carryOut(ctx); err != nil {
		return ComplaintResult{}, err
	}
	if _, err := c.reply(ctx, false); err != nil {
		return ComplaintResult{}, err
	}
	if err := c.followUp(ctx); err != nil {
		return ComplaintResult{}, err
	}
	return c.archive(ctx, ResultResolved)
}

func (c *complaint) investigate(ctx workflow.Context, sentBack string) error {
	c.rounds++
	sla := c.cfg.Investigation
	if !c.deadline.IsZero() {
		// The joint-handling deadline is the end of its day, if sooner; the
		// reminder and the escalations move with it.
		if until := c.deadline.Add(24 * time.Hour).Sub(workflow.Now(ctx)); until > 0 && until < sla.Due {
			if c.reviewed(ctx) {
				sla = sla.scaled(until)
			} else {
				sla.Due = until
			}
		}
	}
	s := c.p.task(fmt.Sprintf("investigation#%d", c.rounds), StepInvestigation, text("投诉调查", "Investigate complaint"),
		c.dept, sla, investigationForm, c.investigators(),
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, c.dept)}, []zhidu.Candidate{role(zhidu.RoleVP, c.dept)})
	s.Context = map[string]any{"intake": c.in.Intake, "round": c.rounds}
	if sentBack != "" {
		s.Context["sent_back"] = sentBack
	}
	_, d, err := askFor[investigationResult](ctx, c.p, s)
	if err != nil {
		return err
	}
	c.remedy, c.cause = d.Remedy, d.Cause
	c.amount, _ = d.compensation()
	amount := c.amount
	return c.record(ctx, zhidu.ComplaintRecord{Stage: "approval", Cause: d.Cause, Responsibility: d.Responsibility, Remedy: c.remedy, Compensation: &amount})
}

// approve asks the VP in charge of the department, and the GM above the
// compensation threshold; it returns the comments of a send-back.
func (c *complaint) approve(ctx workflow.Context) (string, bool, error) {
	steps := []zhidu.TaskSpec{c.p.task(fmt.Sprintf("approval#%d", c.rounds), StepApproval, text("分管副总批示", "VP approval"),
		c.dept, c.cfg.Approval, approvalStepForm, []zhidu.Candidate{role(zhidu.RoleVP, c.dept)}, leadership[:1:1], leadership[1:])}
	if c.remedy == "compensate" && c.amount > c.cfg.CompensationThreshold {
		steps = append(steps, c.p.task(fmt.Sprintf("gm_approval#%d", c.rounds), StepGMApproval,
			text("总经理批示（超出核决权限）", "GM approval (above the authority limit)"), c.dept, c.cfg.Approval,
			approvalStepForm, []zhidu.Candidate{role(zhidu.RoleGM, zhidu.DeptGMO)}))
	}
	var approvers []string
	for _, s := range steps {
		s.Context = map[string]any{"remedy": c.remedy, "compensation_amount": c.amount, "threshold": c.cfg.CompensationThreshold}
		s.Excluded = c.investigatorsSoFar()
		s.Approval = true // nobody approves two levels (核决权限)
		done, d, err := askFor[decisionResult](ctx, c.p, s)
		if err != nil {
			return "", false, err
		}
		if done.Outcome == OutcomeSendBack {
			return d.Comments, false, c.record(ctx, zhidu.ComplaintRecord{Stage: "investigation"})
		}
		approvers = append(approvers, done.Actor.Username)
	}
	return "", true, c.record(ctx, zhidu.ComplaintRecord{Stage: "remedy", ApprovedBy: approvers})
}

// investigatorsSoFar may not approve what they investigated.
func (c *complaint) investigatorsSoFar() []string {
	var out []string
	for _, t := range c.p.Tasks {
		if t.Spec.Step == StepInvestigation && t.State == taskDone {
			out = append(out, t.result.Actor.Username)
			if t.result.OnBehalfOf != "" {
				out = append(out, t.result.OnBehalfOf)
			}
		}
	}
	return out
}

// carryOut runs the approved remedy: discipline is HR's, improvement is a
// tracked task of the department (追踪改善), the rest the department's.
func (c *complaint) carryOut(ctx workflow.Context) error {
	if c.childReturns && returnHandling(c.remedy) != "" {
		return c.openReturn(ctx)
	}
	var s zhidu.TaskSpec
	switch c.remedy {
	case "none":
		return c.record(ctx, zhidu.ComplaintRecord{Stage: "reply"})
	case "discipline":
		s = c.p.task("remedy", StepRemedy, text("纪律处分", "Disciplinary action"), zhidu.DeptHR, c.cfg.Remedy, remedyForm,
			[]zhidu.Candidate{role(zhidu.RoleSupervisor, zhidu.DeptHR), role(zhidu.RoleDeptHead, zhidu.DeptHR)},
			[]zhidu.Candidate{role(zhidu.RoleVP, zhidu.DeptHR)})
	case "improvement":
		s = c.p.task("remedy", StepRemedy, text("追踪改善", "Improvement action (tracked)"), c.dept, c.cfg.Remedy, remedyForm,
			[]zhidu.Candidate{role(zhidu.RoleDeptHead, c.dept), role(zhidu.RoleSupervisor, c.dept)},
			[]zhidu.Candidate{role(zhidu.RoleVP, c.dept)})
	default: // return, reprocess, replace, compensate, apologise
		s = c.p.task("remedy", StepRemedy, text("执行处理方案", "Carry out the remedy"), c.dept, c.cfg.Remedy, remedyForm,
			[]zhidu.Candidate{role(zhidu.RoleStaff, c.dept), role(zhidu.RoleSupervisor, c.dept)},
			[]zhidu.Candidate{role(zhidu.RoleDeptHead, c.dept)})
	}
	s.Context = map[string]any{"remedy": c.remedy, "compensation_amount": c.amount}
	if _, err := c.p.ask(ctx, s); err != nil {
		return err
	}
	return c.record(ctx, zhidu.ComplaintRecord{Stage: "reply"})
}

// reply asks customer service to reply to the customer. The reply is its
// own public text: the internal complaint form never goes out
// (不得将"客户投诉处理表"影印送客户). It reports whether the customer
// disputes the outcome.
func (c *complaint) reply(ctx workflow.Context, invalid bool) (bool, error) {
	s := c.p.task(fmt.Sprintf("reply#%d", c.rounds), StepReply, text("答复客户", "Reply to the customer"), zhidu.DeptCS, c.cfg.Reply,
		replyForm, []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptCS), role(zhidu.RoleSupervisor, zhidu.DeptCS)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptCS)})
	s.Context = map[string]any{"complainant": c.in.Intake.Complainant, "invalid": invalid,
		"note": zhidu.ReplyNote().String()}
	if c.returned != nil {
		s.Context["return"] = c.returned
	}
	_, d, err := askFor[replyResult](ctx, c.p, s)
	if err != nil {
		return false, err
	}
	disputed := d.Disputed
	at := workflow.Now(ctx)
	return disputed, c.record(ctx, zhidu.ComplaintRecord{ReplyMethod: d.Method, ReplyText: d.Reply, RepliedAt: &at,
		CustomerFeedback: d.Feedback, Disputed: &disputed})
}

// followUp waits until the visit is due, then asks customer service to
// visit (回访) and record satisfaction.
func (c *complaint) followUp(ctx workflow.Context) error {
	if err := c.record(ctx, zhidu.ComplaintRecord{Stage: "follow_up"}); err != nil {
		return err
	}
	if c.cfg.FollowUpAfter > 0 {
		if c.reviewed(ctx) {
			if _, err := workflow.AwaitWithTimeout(ctx, c.cfg.FollowUpAfter, func() bool { return c.p.Cancelled != nil }); err != nil {
				return err
			}
			if c.p.Cancelled != nil {
				return errCancelled
			}
		} else if err := workflow.Sleep(ctx, c.cfg.FollowUpAfter); err != nil {
			return err
		}
	}
	s := c.p.task("follow_up", StepFollowUp, text("客户回访", "Follow-up visit"), zhidu.DeptCS, c.cfg.FollowUp, followUpForm,
		[]zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptCS), role(zhidu.RoleSupervisor, zhidu.DeptCS)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptCS)})
	s.Context = map[string]any{"complainant": c.in.Intake.Complainant, "remedy": c.remedy}
	_, d, err := askFor[followUpResult](ctx, c.p, s)
	if err != nil {
		return err
	}
	return c.record(ctx, zhidu.ComplaintRecord{Satisfaction: d.Satisfaction})
}

// invalid closes an invalid complaint: the customer is told, sales
// collects receivables on normal terms, and a disputing customer's case
// goes to the superior (签呈), who may re-open it.
func (c *complaint) invalid(ctx workflow.Context, reason string) (ComplaintResult, error) {
	disputed, err := c.reply(ctx, true)
	if err != nil {
		return ComplaintResult{}, err
	}
	s := c.p.task("receivables", StepReceivables, text("按正常条件收款", "Collect receivables on normal terms"), zhidu.DeptSales,
		c.cfg.Receivables, notesForm, []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptSales)},
		[]zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptSales)})
	s.Context = map[string]any{"invalid_reason": reason}
	if _, err := c.p.ask(ctx, s); err != nil {
		return ComplaintResult{}, err
	}
	if disputed {
		if c.reviewed(ctx) {
			if err := c.record(ctx, zhidu.ComplaintRecord{Stage: "superior_review"}); err != nil {
				return ComplaintResult{}, err
			}
		}
		s := c.p.task("superior", StepSuperior, text("客户异议签呈", "Customer dispute: superior's review"), zhidu.DeptCS,
			c.cfg.Superior, superiorForm, []zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptCS)},
			[]zhidu.Candidate{role(zhidu.RoleVP, zhidu.DeptCS)})
		s.Context = map[string]any{"invalid_reason": reason, "intake": c.in.Intake}
		s.Excluded = c.p.Approvers // whoever triaged it does not review their own decision
		done, d, err := askFor[superiorResult](ctx, c.p, s)
		if err != nil {
			return ComplaintResult{}, err
		}
		if done.Outcome == OutcomeReopen {
			c.dept = zhidu.Department(d.ResponsibleDepartment)
			valid := true
			if err := c.record(ctx, zhidu.ComplaintRecord{Stage: "investigation", Valid: &valid, ResponsibleDepartment: string(c.dept)}); err != nil {
				return ComplaintResult{}, err
			}
			return c.resolve(ctx)
		}
	}
	return c.archive(ctx, ResultInvalid)
}

// archive closes the complaint with its retention, then runs the spot
// check if the complaint is in the sample.
func (c *complaint) archive(ctx workflow.Context, outcome string) (ComplaintResult, error) {
	now := workflow.Now(ctx)
	rec := zhidu.ComplaintRecord{Stage: "closed", ClosedAt: &now}
	retain := now.Add(c.cfg.Retention)
	rec.RetainUntil = &retain
	if err := c.record(ctx, rec); err != nil {
		return ComplaintResult{}, err
	}
	res := ComplaintResult{Outcome: outcome}
	if sampled(c.p.Info.ID, c.cfg.SpotCheckPercent) {
		s := c.p.task("spot_check", StepSpotCheck, text("营管办抽查验证", "Spot check (Business Management Office)"),
			zhidu.DeptBMO, c.cfg.SpotCheck, spotCheckForm, []zhidu.Candidate{role(zhidu.RoleCompliance, zhidu.DeptBMO)})
		s.Excluded = c.p.Approvers
		_, d, err := askFor[spotCheckResult](ctx, c.p, s)
		if err != nil {
			return res, err
		}
		checked := true
		if err := c.record(ctx, zhidu.ComplaintRecord{SpotChecked: &checked, SpotCheckFindings: d.Findings}); err != nil {
			return res, err
		}
		res.SpotChecked = true
	}
	return res, c.p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: outcome})
}

// sampled picks a deterministic percent of processes by their ID, the same
// in every replay (never math/rand in a workflow).
func sampled(processID string, percent int) bool {
	sum := sha256.Sum256([]byte("spot-check/" + processID))
	return int(binary.BigEndian.Uint64(sum[:8])%100) < percent
}
