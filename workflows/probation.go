package workflows

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The probation's kind, workflow name, updates and activities.
const (
	KindProbation     = "probation"
	WorkflowProbation = "Probation"

	UpdateRecordSale   = "RecordSale"
	UpdateRequestLeave = "RequestLeave"
	UpdateChangeMentor = "ChangeMentor"

	ActivitySetProbation = "SetProbation"
	ActivitySeparate     = "SeparateEmployee"
	ActivityColleagues   = "Colleagues"
	ActivityHandOverPlan = "HandOverPlan"
)

// Step names of the probation.
const (
	StepInduction        = "induction"
	StepWrittenTest      = "written_test"
	StepEvaluationHead   = "evaluation_head"
	StepEvaluationMentor = "evaluation_mentor"
	StepLeaveApproval    = "leave_approval"
	StepMentorChange     = "mentor_change"
	StepConversionApply  = "conversion_application"
	StepConversionSign   = "conversion_sign"
	StepConversionFile   = "conversion_file"
	StepSeparation       = "separation_confirm"
)

// How a probation ends (its result), if not ResultCancelled.
const (
	ResultConverted = "converted" // 转正
	ResultSeparated = "separated" // 未完成销售任务者自动离职

	// StageProbation is the register's stage while the period runs.
	StageProbation = "probation"
)

// ProbationResult is how a probation ended.
type ProbationResult struct {
	Outcome  string `json:"outcome"`
	Sales    int    `json:"sales"`
	Extended bool   `json:"extended,omitempty"`
}

// sale is one sale recorded during the probation.
type sale struct {
	Reference string    `json:"reference"`
	Amount    float64   `json:"amount"`
	Customer  string    `json:"customer"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Probation is process 4 of DOMAIN.md, 试用期: a new hire's months of
// probation with a mentor (带教, accountable for them). Day 1 has the
// induction and a written test at 17:00 in the company's time zone (the next
// working day's when the probation starts later); no leave in the first
// month (试用期内一个月不允许休息), a leave request after it is the department
// head's task; on day 15 the department head and the mentor both evaluate the
// learning progress, and the record goes to HR's archive. Sales are
// recorded as they happen (RecordSale, deduplicated by reference); at the
// target the employee files the conversion application (转正申请), the sales
// manager signs and HR files it: converted. At the end of the period
// without the target HR confirms the separation (未完成销售任务者自动离职) —
// the account disabled, the open tasks and customers handed to a colleague
// — or extends the probation once.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess, RecordSale,
// RequestLeave, ChangeMentor. Query: State.
func Probation(ctx workflow.Context, in ProbationInput) (ProbationResult, error) {
	p := newProcess(ctx, in.Process)
	r := &probationRun{p: p, in: in, cfg: in.Config, mentor: in.Mentor, end: in.End}
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{
		StepInduction:        rule[notesResult](nil),
		StepWrittenTest:      rule(checkScore),
		StepEvaluationHead:   rule[evaluationNotes](nil),
		StepEvaluationMentor: rule[evaluationNotes](nil),
		StepLeaveApproval:    rule[opinionResult](nil),
		StepMentorChange:     rule[opinionResult](nil),
		StepConversionApply:  rule[applicationResult](nil),
		StepConversionSign:   rule[opinionResult](nil),
		StepConversionFile:   rule[notesResult](nil),
		StepSeparation:       rule(r.checkSeparation),
	}
	if err := p.setup(ctx); err != nil {
		return ProbationResult{}, err
	}
	for name, h := range map[string]struct{ handler, validator any }{
		UpdateRecordSale:   {r.recordSale, r.validateSale},
		UpdateRequestLeave: {r.requestLeave, r.validateLeave},
		UpdateChangeMentor: {r.changeMentor, r.validateMentorChange},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, h.handler,
			workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return ProbationResult{}, err
		}
	}
	res, err := r.run(ctx)
	if errors.Is(err, errCancelled) {
		res = ProbationResult{Outcome: ResultCancelled, Sales: len(r.sales), Extended: r.extended}
		err = r.record(ctx, map[string]any{"stage": "closed", "result": ResultCancelled, "closed_at": workflow.Now(ctx)})
		if err == nil {
			err = r.flag(ctx, false, "system")
		}
	}
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

// probationRun is a probation's own state beside the process's.
type probationRun struct {
	p      *process
	in     ProbationInput
	cfg    ProbationConfig
	mentor string
	// end is when the period ends (an extension moves it once).
	end      time.Time
	extended bool
	sales    []sale
	// saving is set while a sale is recorded: sales are recorded one at a
	// time, so the register's count never goes back.
	saving  bool
	leaves  int // leave requests so far
	changes int // mentor changes asked so far
	// branches counts the steps running beside the main line (day 1, day
	// 15, leave and mentor decisions): the probation ends after them.
	branches int
	failed   error // a branch's failure fails the probation
	applied  bool  // the conversion application was asked for
}

func (r *probationRun) record(ctx workflow.Context, fields map[string]any) error {
	return r.p.recordEntry(ctx, zhidu.RegisterRecord{Fields: fields})
}

// flag sets or clears the employee's probation flag.
func (r *probationRun) flag(ctx workflow.Context, on bool, actor string) error {
	f := zhidu.ProbationFlag{Employee: r.in.Employee, OnProbation: on, ProcessID: r.p.Info.ID, Actor: actor, At: workflow.Now(ctx)}
	return r.p.project(ctx, ActivitySetProbation, f).Get(ctx, nil)
}

// branch runs f beside the main line; its failure (not a cancellation)
// fails the probation.
func (r *probationRun) branch(ctx workflow.Context, f func(workflow.Context) error) {
	r.branches++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { r.branches-- }()
		if err := f(ctx); err != nil && !errors.Is(err, errCancelled) && r.failed == nil {
			r.failed = err
		}
	})
}

// sleepUntil waits until t, or until the process is cancelled.
func (r *probationRun) sleepUntil(ctx workflow.Context, t time.Time) error {
	if wait := t.Sub(workflow.Now(ctx)); wait > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return r.p.Cancelled != nil }); err != nil {
			return err
		}
	}
	if r.p.Cancelled != nil {
		return errCancelled
	}
	return nil
}

// status is what the employee's own tasks show: their sales against the
// target and the end of the period — nothing of the file.
func (r *probationRun) status() map[string]any {
	return map[string]any{"employee": r.in.Employee, "sales": len(r.sales), "target": r.in.Target, "ends_at": r.end}
}

// context is what the file's readers' tasks show.
func (r *probationRun) context() map[string]any {
	c := r.status()
	c["mentor"], c["department"], c["start_date"], c["sales_log"] = r.mentor, r.in.Department, r.in.StartDate, r.sales
	return c
}

func (r *probationRun) run(ctx workflow.Context) (ProbationResult, error) {
	if err := r.record(ctx, map[string]any{"stage": StageProbation, "employee": r.in.Employee, "mentor": r.mentor,
		"department": string(r.in.Department), "start_date": r.in.StartDate, "ends_at": r.end, "target": r.in.Target,
		"sales_count": 0, "extended": false}); err != nil {
		return ProbationResult{}, err
	}
	if err := r.flag(ctx, true, r.p.Info.StartedBy); err != nil {
		return ProbationResult{}, err
	}
	r.branch(ctx, r.induction)
	r.branch(ctx, r.writtenTest)
	r.branch(ctx, r.evaluate)
	for {
		reached := func() bool { return len(r.sales) >= r.in.Target && !r.applied }
		done := func() bool { return reached() || r.p.Cancelled != nil || r.failed != nil }
		if wait := r.end.Sub(workflow.Now(ctx)); wait > 0 {
			if _, err := workflow.AwaitWithTimeout(ctx, wait, done); err != nil {
				return ProbationResult{}, err
			}
		}
		switch {
		case r.failed != nil:
			return ProbationResult{}, r.failed
		case r.p.Cancelled != nil:
			return ProbationResult{}, errCancelled
		case reached():
			converted, err := r.convert(ctx)
			if err != nil {
				return ProbationResult{}, err
			}
			if converted {
				return r.close(ctx, ResultConverted)
			}
			continue // the manager did not sign: the period runs on
		}
		extend, err := r.confirm(ctx)
		if err != nil {
			return ProbationResult{}, err
		}
		if !extend {
			return r.close(ctx, ResultSeparated)
		}
	}
}

// close waits for the steps beside the main line, records the end and
// ends the process.
func (r *probationRun) close(ctx workflow.Context, result string) (ProbationResult, error) {
	res := ProbationResult{Outcome: result, Sales: len(r.sales), Extended: r.extended}
	if err := workflow.Await(ctx, func() bool { return r.branches == 0 || r.p.Cancelled != nil }); err != nil {
		return res, err
	}
	if r.failed != nil {
		return res, r.failed
	}
	if r.p.Cancelled != nil {
		return res, errCancelled
	}
	if err := r.record(ctx, map[string]any{"stage": "closed", "result": result, "closed_at": workflow.Now(ctx)}); err != nil {
		return res, err
	}
	return res, r.p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: result})
}

// hr are HR's people who keep the file.
func hrKeepers() []zhidu.Candidate {
	return []zhidu.Candidate{role(zhidu.RoleStaff, zhidu.DeptHR), role(zhidu.RoleSupervisor, zhidu.DeptHR)}
}

// trainer is HR's training supervisor.
func trainer() []zhidu.Candidate { return []zhidu.Candidate{role(zhidu.RoleSupervisor, zhidu.DeptHR)} }

func hrHeads() []zhidu.Candidate { return []zhidu.Candidate{role(zhidu.RoleDeptHead, zhidu.DeptHR)} }

// head is the employee's department head (the sales manager).
func (r *probationRun) head() []zhidu.Candidate {
	return []zhidu.Candidate{role(zhidu.RoleDeptHead, r.in.Department)}
}

// induction: HR's training supervisor holds the induction on day 1.
func (r *probationRun) induction(ctx workflow.Context) error {
	if err := r.sleepUntil(ctx, r.in.Start); err != nil {
		return err
	}
	s := r.p.task("induction", StepInduction, text("入职培训", "Induction"), zhidu.DeptHR, r.cfg.Induction, notesFormFor(OutcomeDone),
		trainer(), hrHeads())
	s.Context = r.context()
	done, d, err := askFor[notesResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	return r.record(ctx, map[string]any{"induction_by": done.Actor.Username, "induction_notes": d.Notes})
}

// writtenTest: the written test at 17:00 on day 1 (the next working
// day's when the probation started later); the training supervisor
// records the score.
func (r *probationRun) writtenTest(ctx workflow.Context) error {
	at := r.in.TestAt
	if err := r.sleepUntil(ctx, at); err != nil {
		return err
	}
	s := r.p.task("written_test", StepWrittenTest, text("入职笔试", "Written test"), zhidu.DeptHR, r.cfg.WrittenTest, scoreForm,
		trainer(), hrHeads())
	s.Context = r.context()
	s.Context["test_at"] = at
	done, d, err := askFor[scoreResult](ctx, r.p, s)
	if err != nil {
		return err
	}
	return r.record(ctx, map[string]any{"test_at": at, "test_score": d.Score, "test_recorded_by": done.Actor.Username})
}

// evaluate: on day 15 the department head and the mentor both evaluate
// the learning progress; the record goes to HR's archive.
func (r *probationRun) evaluate(ctx workflow.Context) error {
	if err := r.sleepUntil(ctx, r.in.EvaluationAt); err != nil {
		return err
	}
	if err := r.record(ctx, map[string]any{"stage": "evaluation"}); err != nil {
		return err
	}
	type signature struct {
		done zhidu.CompleteTaskRequest
		d    evaluationNotes
		err  error
	}
	var head, mentor *signature
	sign := func(into **signature, key, step string, title zhidu.Text, candidates []zhidu.Candidate) {
		workflow.Go(ctx, func(ctx workflow.Context) {
			s := r.p.task(key, step, title, r.in.Department, r.cfg.Evaluation, progressForm, candidates, r.head())
			s.Department = r.in.Department
			s.Context = r.context()
			var sg signature
			sg.done, sg.d, sg.err = askFor[evaluationNotes](ctx, r.p, s)
			*into = &sg
		})
	}
	sign(&head, "evaluation_head", StepEvaluationHead, text("第15天学习进度评估（部门经理）", "Day-15 evaluation (department head)"), r.head())
	sign(&mentor, "evaluation_mentor", StepEvaluationMentor, text("第15天学习进度评估（带教）", "Day-15 evaluation (mentor)"),
		[]zhidu.Candidate{{User: r.mentor}})
	if err := workflow.Await(ctx, func() bool { return head != nil && mentor != nil }); err != nil {
		return err
	}
	for _, sg := range []*signature{head, mentor} {
		if sg.err != nil {
			return sg.err
		}
	}
	ev := zhidu.ProcessEvent{EventKey: r.p.Info.ID + ":evaluation-archived", ProcessID: r.p.Info.ID, Actor: "system",
		Action: "evaluation_archived", At: workflow.Now(ctx), Detail: map[string]any{"archive": "hr",
			"head": head.done.Actor.Username, "mentor": mentor.done.Actor.Username}}
	if err := r.p.project(ctx, ActivityProcessEvent, ev).Get(ctx, nil); err != nil {
		return err
	}
	return r.record(ctx, map[string]any{"stage": StageProbation, "evaluated_by": []string{head.done.Actor.Username, mentor.done.Actor.Username},
		"evaluation_head": head.d.Progress, "evaluation_mentor": mentor.d.Progress, "evaluated_at": workflow.Now(ctx)})
}

// convert runs the conversion (转正): the employee's application, the
// sales manager's signature, HR's filing. It reports whether it went
// through; the manager may refuse to sign.
func (r *probationRun) convert(ctx workflow.Context) (bool, error) {
	r.applied = true
	if err := r.record(ctx, map[string]any{"stage": "conversion"}); err != nil {
		return false, err
	}
	s := r.p.task("conversion_application", StepConversionApply, text("转正申请", "Conversion application"), r.in.Department,
		r.cfg.Conversion, applicationForm, []zhidu.Candidate{{User: r.in.Employee}})
	s.Subject = true // the employee's own task: their status, at their level
	s.Level = zhidu.Internal
	s.Context = r.status()
	if _, _, err := askFor[applicationResult](ctx, r.p, s); err != nil {
		return false, err
	}
	s = r.p.task("conversion_sign", StepConversionSign, text("转正审批（销售经理）", "Conversion sign-off (sales manager)"), r.in.Department,
		r.cfg.Conversion, approvalForm, r.head(), []zhidu.Candidate{role(zhidu.RoleVP, r.in.Department)})
	s.Approval = true
	s.Excluded = []string{r.in.Employee}
	s.Context = r.context()
	signed, err := r.p.ask(ctx, s)
	if err != nil {
		return false, err
	}
	if signed.Outcome == OutcomeReject {
		return false, r.record(ctx, map[string]any{"stage": StageProbation, "conversion_refused_by": signed.Actor.Username})
	}
	s = r.p.task("conversion_file", StepConversionFile, text("转正归档", "File the conversion"), zhidu.DeptHR, r.cfg.Conversion,
		notesFormFor(OutcomeFiled), hrKeepers(), hrHeads())
	s.Excluded = []string{r.in.Employee}
	s.Context = r.context()
	filed, _, err := askFor[notesResult](ctx, r.p, s)
	if err != nil {
		return false, err
	}
	if err := r.flag(ctx, false, filed.Actor.Username); err != nil {
		return false, err
	}
	return true, r.record(ctx, map[string]any{"converted_at": workflow.Now(ctx), "signed_by": signed.Actor.Username,
		"filed_by": filed.Actor.Username})
}

// confirm asks HR, at the end of the period without the target, to
// confirm the separation or extend the probation once. It reports
// whether the probation was extended; a confirmed separation is carried
// out before it returns.
func (r *probationRun) confirm(ctx workflow.Context) (bool, error) {
	var colleagues []string
	if err := r.p.project(ctx, ActivityColleagues, ColleaguesRequest{Department: r.in.Department, Except: r.in.Employee}).
		Get(ctx, &colleagues); err != nil {
		return false, fmt.Errorf("find colleagues: %w", err)
	}
	if err := r.record(ctx, map[string]any{"stage": "confirmation"}); err != nil {
		return false, err
	}
	n := 1
	if r.extended {
		n = 2
	}
	s := r.p.task(fmt.Sprintf("separation#%d", n), StepSeparation, text("试用期满未完成销售任务：确认离职或延期", "Probation ended short of the target: separate or extend"),
		zhidu.DeptHR, r.cfg.Confirmation, separationForm(colleagues, !r.extended), hrHeads(), leadership[:1:1])
	s.Excluded = []string{r.in.Employee}
	s.Context = r.context()
	done, d, err := askFor[separationResult](ctx, r.p, s)
	if err != nil {
		return false, err
	}
	if done.Outcome == OutcomeExtend {
		end, _ := time.ParseInLocation(time.DateOnly, d.NewEnd, companyZone(r.cfg.TimeZone)) // the check parsed it
		r.end, r.extended = end.AddDate(0, 0, 1), true
		return true, r.record(ctx, map[string]any{"stage": StageProbation, "extended": true, "extension_reason": d.Reason,
			"ends_at": r.end, "extended_by": done.Actor.Username})
	}
	if r.p.Cancelled != nil {
		return false, errCancelled
	}
	rec := zhidu.SeparationRecord{EventKey: r.p.Info.ID + ":separated", Employee: r.in.Employee, Colleague: d.Colleague,
		ProcessID: r.p.Info.ID, Actor: done.Actor.Username, Reason: "未完成销售任务者自动离职", At: workflow.Now(ctx)}
	if err := r.p.project(ctx, ActivitySeparate, rec).Get(ctx, nil); err != nil {
		return false, fmt.Errorf("separate %s: %w", r.in.Employee, err)
	}
	if workflow.GetVersion(ctx, changeHandOverSignal, workflow.DefaultVersion, 1) >= 1 {
		if err := handOverTasks(ctx, r.p, rec); err != nil {
			return false, err
		}
	}
	if workflow.GetVersion(ctx, changeHandoverNotices, workflow.DefaultVersion, 1) >= 1 {
		// The customers handed over are told by their new owner (客户交接).
		in := newCustomerHandover(r.p.Info, rec, r.in.Department)
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: in.Process.ID,
			ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON})
		if err := workflow.ExecuteChildWorkflow(cctx, WorkflowCustomerHandover, in).GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			return false, fmt.Errorf("start the customer handover notices: %w", err)
		}
	}
	return false, r.record(ctx, map[string]any{"separated_at": workflow.Now(ctx), "handed_over_to": d.Colleague,
		"separation_confirmed_by": done.Actor.Username})
}

// changeHandOverSignal names the change after which a separation hands
// the employee's open tasks over through the processes they belong to
// (SignalHandOver), which know each step's authority, instead of in
// PostgreSQL alone.
const changeHandOverSignal = "hand-over-signal"

// changeHandoverNotices names the change after which a separation starts
// the customer handover notices (CustomerHandover) as its child.
const changeHandoverNotices = "customer-handover-notices"

// ColleaguesRequest asks for the active users of a department but one:
// whom an employee's tasks and customers may be handed over to.
type ColleaguesRequest struct {
	Department zhidu.Department `json:"department"`
	Except     string           `json:"except"`
}

// checkSeparation: a separation names a colleague; an extension (once)
// gives a reason and a new end after the current one, within the
// longest probation.
func (r *probationRun) checkSeparation(outcome string, d separationResult) map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	if outcome == OutcomeExtend {
		loc := companyZone(r.cfg.TimeZone)
		end, err := time.ParseInLocation(time.DateOnly, d.NewEnd, loc)
		longest := r.cfg.addMonths(r.in.Start, r.cfg.MaxMonths)
		switch {
		case r.extended:
			errs["outcome"] = zhidu.Say(msgExtendedOnce)
		case err != nil:
			errs["data.new_end"] = zhidu.NotDate()
		case !end.AddDate(0, 0, 1).After(r.end):
			errs["data.new_end"] = zhidu.Say(msgEndAfter, "end", r.end.In(loc).AddDate(0, 0, -1).Format(time.DateOnly))
		case end.AddDate(0, 0, 1).After(longest):
			errs["data.new_end"] = zhidu.Say(msgEndWithin, "months", r.cfg.MaxMonths)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// validateSale accepts a sale of a running probation: a reference, a
// customer, an amount not negative. A reference recorded before is
// accepted too: the handler answers as it did.
func (r *probationRun) validateSale(_ workflow.Context, s zhidu.SaleRequest) error {
	if err := r.p.running(); err != nil {
		return err
	}
	errs := map[string]zhidu.Message{}
	checkText(errs, "reference", s.Reference, true, false, 100)
	checkText(errs, "customer", s.Customer, true, false, 200)
	if math.IsNaN(s.Amount) || math.IsInf(s.Amount, 0) || s.Amount < 0 {
		errs["amount"] = zhidu.Negative()
	} else if m := yuanFen(s.Amount); !m.IsZero() {
		errs["amount"] = m
	}
	if len(errs) > 0 {
		return rejectErr(zhidu.Invalid(zhidu.Say(msgCannotRecordSale), errs))
	}
	return nil
}

// recordSale records a sale once: in the timeline (sale_recorded) and
// the register, keyed by its reference.
func (r *probationRun) recordSale(ctx workflow.Context, s zhidu.SaleRequest) (zhidu.SaleResult, error) {
	known := func() bool {
		return slices.ContainsFunc(r.sales, func(x sale) bool { return x.Reference == s.Reference })
	}
	// One sale at a time: a repeat of one being recorded waits for it and
	// answers as a repeat.
	if err := workflow.Await(ctx, func() bool { return !r.saving }); err != nil {
		return zhidu.SaleResult{}, err
	}
	if known() {
		return zhidu.SaleResult{Recorded: false, Count: len(r.sales), Target: r.in.Target}, nil
	}
	r.saving = true
	defer func() { r.saving = false }()
	now := workflow.Now(ctx)
	ev := zhidu.ProcessEvent{EventKey: r.p.Info.ID + ":sale:" + s.Reference, ProcessID: r.p.Info.ID, Actor: s.Actor.Username,
		Action: "sale_recorded", Audit: "probation.sale", At: now,
		Detail: map[string]any{"reference": s.Reference, "amount": s.Amount, "customer": s.Customer}}
	if err := r.p.project(ctx, ActivityProcessEvent, ev).Get(ctx, nil); err != nil {
		return zhidu.SaleResult{}, err
	}
	r.sales = append(r.sales, sale{Reference: s.Reference, Amount: s.Amount, Customer: s.Customer, By: s.Actor.Username, At: now})
	var total float64
	for _, x := range r.sales {
		total += x.Amount
	}
	if err := r.record(ctx, map[string]any{"sales_count": len(r.sales), "sales_amount": math.Round(total*100) / 100}); err != nil {
		return zhidu.SaleResult{}, err
	}
	return zhidu.SaleResult{Recorded: true, Count: len(r.sales), Target: r.in.Target}, nil
}

// validateLeave refuses leave in the first month (试用期内一个月不允许休息)
// and a request that is not one.
func (r *probationRun) validateLeave(_ workflow.Context, l zhidu.LeaveRequest) error {
	if err := r.p.running(); err != nil {
		return err
	}
	errs := map[string]zhidu.Message{}
	loc := companyZone(r.cfg.TimeZone)
	from, err := time.ParseInLocation(time.DateOnly, l.From, loc)
	if err != nil {
		errs["from"] = zhidu.NotDate()
	}
	if l.Days < 1 || l.Days > r.cfg.MaxLeaveDays {
		errs["days"] = zhidu.Say(msgProbationLeaveDays, "max", r.cfg.MaxLeaveDays)
	}
	checkText(errs, "reason", l.Reason, true, true, 2000)
	if len(errs) > 0 {
		return rejectErr(zhidu.Invalid(zhidu.Say(msgProbationLeave), errs))
	}
	if firstMonth := r.cfg.addMonths(r.in.Start, r.cfg.NoLeaveMonths); from.Before(firstMonth) {
		return reject(zhidu.CodeConflict, zhidu.Say(msgNoLeaveFirstMonth, "from", firstMonth.In(loc).Format(time.DateOnly)))
	}
	return nil
}

// requestLeave makes the request the department head's task and answers
// with its ID at once.
func (r *probationRun) requestLeave(ctx workflow.Context, l zhidu.LeaveRequest) (zhidu.LeaveResult, error) {
	r.leaves++
	key := fmt.Sprintf("leave#%d", r.leaves)
	r.branch(ctx, func(ctx workflow.Context) error {
		s := r.p.task(key, StepLeaveApproval, text("试用期请假审批", "Leave during probation"), r.in.Department, r.cfg.Leave, approvalForm,
			r.head(), []zhidu.Candidate{role(zhidu.RoleVP, r.in.Department)})
		// Not an approval level of the file (核决权限): the head who grants a
		// leave still signs the conversion.
		s.Excluded = []string{r.in.Employee}
		s.Context = r.context()
		s.Context["leave"] = map[string]any{"from": l.From, "days": l.Days, "reason": l.Reason, "requested_by": l.Actor.Username}
		done, err := r.p.ask(ctx, s)
		if err != nil {
			return err
		}
		ev := zhidu.ProcessEvent{EventKey: r.p.Info.ID + ":" + key, ProcessID: r.p.Info.ID, Actor: done.Actor.Username,
			Action: "leave_" + done.Outcome, At: workflow.Now(ctx), Detail: map[string]any{"from": l.From, "days": l.Days}}
		return r.p.project(ctx, ActivityProcessEvent, ev).Get(ctx, nil)
	})
	return zhidu.LeaveResult{TaskID: taskID(r.p.Info.RunID, key)}, nil
}

// validateMentorChange: the new mentor is someone else than the employee
// and the mentor now, cleared for the file.
func (r *probationRun) validateMentorChange(_ workflow.Context, m zhidu.MentorChangeRequest) error {
	if err := r.p.running(); err != nil {
		return err
	}
	errs := map[string]zhidu.Message{}
	switch {
	case m.Mentor.Username == "":
		errs["mentor"] = zhidu.Required()
	case m.Mentor.Username == r.in.Employee:
		errs["mentor"] = zhidu.Say(msgOwnMentor)
	case m.Mentor.Username == r.mentor:
		errs["mentor"] = zhidu.Say(msgSameMentor)
	case m.Mentor.Clearance < r.p.Info.Level:
		errs["mentor"] = zhidu.NotCleared(m.Mentor.Username, r.p.Info.Level)
	}
	checkText(errs, "reason", m.Reason, true, true, 2000)
	if len(errs) > 0 {
		return rejectErr(zhidu.Invalid(zhidu.Say(msgCannotChangeMentor), errs))
	}
	return nil
}

// changeMentor makes the change the department head's task; approved,
// the new mentor takes over (带教负全责) and the timeline says so.
func (r *probationRun) changeMentor(ctx workflow.Context, m zhidu.MentorChangeRequest) (zhidu.MentorChangeResult, error) {
	r.changes++
	key := fmt.Sprintf("mentor#%d", r.changes)
	r.branch(ctx, func(ctx workflow.Context) error {
		s := r.p.task(key, StepMentorChange, text("更换带教", "Change of mentor"), r.in.Department, r.cfg.MentorChange, approvalForm,
			r.head(), []zhidu.Candidate{role(zhidu.RoleVP, r.in.Department)})
		s.Excluded = []string{r.in.Employee}
		s.Context = r.context()
		s.Context["new_mentor"], s.Context["reason"], s.Context["asked_by"] = m.Mentor.Username, m.Reason, m.Actor.Username
		done, err := r.p.ask(ctx, s)
		if err != nil || done.Outcome != OutcomeApprove {
			return err
		}
		ev := zhidu.ProcessEvent{EventKey: r.p.Info.ID + ":" + key, ProcessID: r.p.Info.ID, Actor: done.Actor.Username,
			Action: "mentor_changed", At: workflow.Now(ctx), Detail: map[string]any{"from": r.mentor, "to": m.Mentor.Username, "reason": m.Reason}}
		if err := r.p.project(ctx, ActivityProcessEvent, ev).Get(ctx, nil); err != nil {
			return err
		}
		// The new mentor reads the file, the old one no longer does.
		mr := zhidu.MemberRecord{EventKey: r.p.Info.ID + ":" + key + ":members", ProcessID: r.p.Info.ID, Add: []string{m.Mentor.Username},
			Remove: []string{r.mentor}, Actor: done.Actor.Username, Reason: "mentor_changed", At: workflow.Now(ctx)}
		if err := r.p.project(ctx, ActivitySetMembers, mr).Get(ctx, nil); err != nil {
			return err
		}
		r.mentor = m.Mentor.Username
		return r.record(ctx, map[string]any{"mentor": r.mentor})
	})
	return zhidu.MentorChangeResult{TaskID: taskID(r.p.Info.RunID, key)}, nil
}
