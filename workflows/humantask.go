package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// SLA configures a step's deadlines; every duration comes from
// configuration. Escalate[i] is when, after the task was created, rung i of
// the step's escalation ladder is added to its candidates.
type SLA struct {
	Due      time.Duration   `json:"due"`
	Reminder time.Duration   `json:"reminder"`
	Escalate []time.Duration `json:"escalate"`
}

// scaled returns the SLA with its due time moved to due and the reminder
// and escalations moved in proportion, so none falls after a nearer
// deadline.
func (s SLA) scaled(due time.Duration) SLA {
	if s.Due <= 0 || due <= 0 {
		return s
	}
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) * float64(due) / float64(s.Due)) }
	out := SLA{Due: due, Reminder: scale(s.Reminder)}
	for _, e := range s.Escalate {
		out.Escalate = append(out.Escalate, scale(e))
	}
	return out
}

// ladder pairs the configured escalation times with a step's rungs; rungs
// without a configured time are left out.
func (s SLA) ladder(rungs ...[]zhidu.Candidate) []zhidu.Escalation {
	var out []zhidu.Escalation
	for i, after := range s.Escalate {
		if i < len(rungs) {
			out = append(out, zhidu.Escalation{After: after, Candidates: rungs[i]})
		}
	}
	return out
}

// ResultCancelled is how any process ends when it is cancelled.
const ResultCancelled = "cancelled"

// errCancelled is returned by ask when the process was cancelled while
// waiting.
var errCancelled = errors.New("process cancelled")

const (
	taskOpen       = "open"
	taskCompleting = "completing"
	taskAssigning  = "assigning"
	taskDone       = "done"
)

// humanTask is a task's state inside the workflow.
type humanTask struct {
	ID          string            `json:"id"`
	Spec        zhidu.TaskSpec    `json:"spec"`
	Candidates  []zhidu.Candidate `json:"candidates"`
	Delegate    string            `json:"delegate,omitempty"`
	DelegatedBy string            `json:"delegated_by,omitempty"`
	State       string            `json:"state"`
	CreatedAt   time.Time         `json:"created_at"`
	Reminded    bool              `json:"reminded"`
	Rung        int               `json:"rung"`
	Assignments int               `json:"assignments"`
	// AssignKeys are the keys of the last assignments applied
	// (AssignTaskRequest.Key), at most maxAssignKeys.
	AssignKeys []string `json:"assign_keys,omitempty"`
	result     zhidu.CompleteTaskRequest
}

// authorizes reports whether the step's authority reaches the actor: one
// of its candidates, a rung of its escalation ladder (reached or not), or
// someone above one of them in that department's line. Only the spec
// counts: a reassignment never adds authority.
func (t *humanTask) authorizes(a zhidu.Actor) bool {
	named := func(cs []zhidu.Candidate) bool {
		return slices.ContainsFunc(cs, func(c zhidu.Candidate) bool { return c.Matches(a) || c.Above(a) })
	}
	if named(t.Spec.Candidates) {
		return true
	}
	return slices.ContainsFunc(t.Spec.Escalations, func(e zhidu.Escalation) bool { return named(e.Candidates) })
}

func (t *humanTask) excluded(user string) bool {
	return user != "" && slices.Contains(t.Spec.Excluded, user)
}

// process is the state every process workflow shares: who it is, its
// human tasks, and whether it was cancelled. Each process embeds it,
// calls setup before its first blocking call, then ask for each step.
type process struct {
	Info      zhidu.ProcessInfo           `json:"info"`
	Tasks     []*humanTask                `json:"tasks"`
	Cancelled *zhidu.CancelProcessRequest `json:"cancelled,omitempty"`
	Finished  bool                        `json:"finished"`
	Approvers []string                    `json:"approvers,omitempty"`
	// Requester asks for what the process approves (its starter); never
	// the holder of its approval steps, nor their reassigner. A complaint
	// has none: its starter registers a customer's complaint.
	Requester string `json:"requester,omitempty"`
	// Approved records who worked each approval step (TaskSpec.Approval),
	// so that nobody approves two levels of one process.
	Approved []approval `json:"approved,omitempty"`
	// ending is set while the end of the process is being recorded: no
	// update is accepted meanwhile, and if the write fails it is cleared
	// and the process runs on as before.
	ending bool
	// levelling is set while a level change is being recorded.
	levelling bool
	// checks are a process's own rules for completing a step, beyond its
	// form (e.g. "compensation needs an amount"), by step name.
	checks map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message
	// LevelChanges counts SetLevel updates, for their event keys.
	LevelChanges int `json:"level_changes,omitempty"`
	// local says the projection is written by local activities (processes
	// started after changeLocalProjection).
	local bool
}

// approval is one approval step worked, by whom (and on whose behalf).
type approval struct {
	Step string `json:"step"`
	User string `json:"user"`
}

// ProcessSnapshot is what the State query returns: the process's state as
// the workflow holds it (not zhidu.ProcessState, which says only whether a
// process runs).
type ProcessSnapshot = process

func newProcess(ctx workflow.Context, info zhidu.ProcessInfo) *process {
	info.RunID = workflow.GetInfo(ctx).WorkflowExecution.RunID
	if info.ID == "" {
		info.ID = workflow.GetInfo(ctx).WorkflowExecution.ID
	}
	local := workflow.GetVersion(ctx, changeLocalProjection, workflow.DefaultVersion, 1) >= 1
	return &process{Info: info, Requester: info.StartedBy, local: local}
}

// changeLocalProjection names the change after which a process writes
// its projection (tasks, timeline, audit, register) with local
// activities, run by the workflow worker inside the workflow task,
// instead of activity tasks the server schedules: an approval took eight
// workflow tasks and five activity tasks, it now takes three workflow
// tasks (docs/BENCHMARKS.md).
const changeLocalProjection = "local-projection"

// project runs one of the projection activities: local in processes
// started after changeLocalProjection, regular before.
func (p *process) project(ctx workflow.Context, activity string, arg any) workflow.Future {
	if p.local {
		return workflow.ExecuteLocalActivity(localActivityCtx(ctx), activity, arg)
	}
	return workflow.ExecuteActivity(activityCtx(ctx), activity, arg)
}

// setup registers the updates and the query every process answers. It
// must run before the first blocking call, or an early update is refused
// as unknown.
func (p *process) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (*process, error) { return p, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompleteTask, p.complete,
		workflow.UpdateHandlerOptions{Validator: p.validateComplete}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAssignTask, p.assign,
		workflow.UpdateHandlerOptions{Validator: p.validateAssign}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSetLevel, p.setLevel,
		workflow.UpdateHandlerOptions{Validator: p.validateSetLevel}); err != nil {
		return err
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		handOvers := workflow.GetSignalChannel(ctx, SignalHandOver)
		for {
			var req zhidu.HandOverRequest
			handOvers.Receive(ctx, &req)
			p.handOver(ctx, req)
		}
	})
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateCancelProcess, p.cancel,
		workflow.UpdateHandlerOptions{Validator: p.validateCancel})
}

// handOver works a HandOver signal: each open task the leaving employee
// holds or is named for goes to the colleague — reassigned where the
// step's authority reaches them (mayHold, as for any reassignment), and
// otherwise released from the employee and escalated to the next rung of
// its ladder, so that authority never moves to someone the step does not
// name. Each is written before the workflow's state changes.
func (p *process) handOver(ctx workflow.Context, req zhidu.HandOverRequest) {
	for _, t := range p.Tasks {
		held := slices.Contains(req.Held, t.ID) || t.Delegate == req.Employee
		named := slices.ContainsFunc(t.Candidates, func(c zhidu.Candidate) bool { return c.User == req.Employee })
		if len(req.Tasks) > 0 { // only these (an absence: no colleague)
			named = slices.Contains(req.Tasks, t.ID)
			held = held && named
		}
		if !held && !named {
			continue
		}
		_ = workflow.Await(ctx, func() bool { return t.State != taskCompleting && t.State != taskAssigning })
		if t.State != taskOpen || p.running() != nil {
			continue
		}
		rec := zhidu.AssignRecord{EventKey: t.ID + ":handover:" + req.EventKey, TaskID: t.ID, ProcessID: p.Info.ID,
			Step: t.Spec.Step, Kind: zhidu.AssignReassign, By: req.By, Owner: req.Employee, To: req.Colleague.Username,
			Note: req.Reason, At: workflow.Now(ctx)}
		why := p.mayHold(t, req.Colleague, false)
		switch {
		case req.Colleague.Username == "": // nobody to hand it to: released and escalated
			rec.Kind, rec.To, rec.Note = zhidu.AssignRelease, "", req.Reason
		case !why.IsZero():
			rec.Kind, rec.To, rec.Note = zhidu.AssignRelease, "", req.Reason+": "+why.String()
		}
		if why.IsZero() || held {
			t.State = taskAssigning
			err := p.project(ctx, ActivityAssignTask, rec).Get(ctx, nil)
			t.State = taskOpen
			if err != nil {
				workflow.GetLogger(ctx).Error("hand-over not recorded", "task", t.ID, "error", err)
				continue
			}
			t.Delegate, t.DelegatedBy = "", ""
		}
		if why.IsZero() {
			t.Candidates = append(t.Candidates, zhidu.Candidate{User: req.Colleague.Username})
			continue
		}
		for eligible := 0; eligible == 0 && t.Rung < len(t.Spec.Escalations) && t.State == taskOpen && p.running() == nil; {
			var err error
			if eligible, err = p.escalate(ctx, t); err != nil {
				workflow.GetLogger(ctx).Error("hand-over escalation not recorded", "task", t.ID, "error", err)
				break
			}
		}
	}
}

// localActivityCtx retries like activityCtx; a local activity that keeps
// failing (PostgreSQL down) retries from the workflow worker, which keeps
// the workflow task alive meanwhile.
func localActivityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         projectionRetries,
	})
}

// projectionRetries retries projection writes until PostgreSQL answers.
var projectionRetries = &temporal.RetryPolicy{
	InitialInterval:    500 * time.Millisecond,
	BackoffCoefficient: 2,
	MaximumInterval:    30 * time.Second,
}

func activityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         projectionRetries,
	})
}

// reject turns a domain error into an update rejection the API maps back
// to the same code.
func reject(code zhidu.Code, m zhidu.Message) error {
	return rejectErr(zhidu.Fail(code, m))
}

// rejectErr carries the error's field errors (as they always were) and
// then the whole error, its message and field codes included, in the
// application error's details.
func rejectErr(e *zhidu.Error) error {
	return temporal.NewApplicationErrorWithOptions(e.Message, string(e.Code),
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{e.Fields, e}})
}

func (p *process) find(id string) *humanTask {
	for _, t := range p.Tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// openTask returns a task of this running process that is still open, or
// the rejection saying why not.
func (p *process) openTask(id string) (*humanTask, error) {
	t := p.find(id)
	switch {
	case t == nil:
		return nil, reject(zhidu.CodeNotFound, zhidu.NoTaskInProcess(id))
	case p.running() != nil:
		return nil, p.running()
	case t.State != taskOpen:
		return nil, reject(zhidu.CodeConflict, zhidu.TaskNotOpen())
	}
	return t, nil
}

// barredFrom says why user may never hold task t, or nothing when they may:
// whoever the process keeps out (the accused of a misconduct complaint);
// for an approval step the requester and whoever approved another
// approval step of this process; and the task's own exclusions.
func (p *process) barredFrom(t *humanTask, user string) zhidu.Message {
	if user == "" {
		return zhidu.Message{}
	}
	if slices.Contains(p.Info.Barred, user) {
		return zhidu.Barred(user)
	}
	if t.Spec.Approval {
		if user == p.Requester {
			return zhidu.RequesterMayNotApprove(user)
		}
		for _, a := range p.Approved {
			if a.User == user && a.Step != t.Spec.Step {
				return zhidu.ApprovedOtherStep(user)
			}
		}
	}
	if t.excluded(user) {
		return zhidu.Excluded(user)
	}
	return zhidu.Message{}
}

// mayHold says why the actor may not hold task t, or nothing when they may:
// cleared for its level, not barred, within the step's authority and, for
// who works it now (current), among its candidates as they stand — the
// rungs reached so far and whoever a reassignment named — as a claim
// requires. A reassignment may name anyone the authority reaches.
func (p *process) mayHold(t *humanTask, a zhidu.Actor, current bool) zhidu.Message {
	switch {
	case a.Clearance < t.Spec.Level:
		return zhidu.NotCleared(a.Username, t.Spec.Level)
	case !p.barredFrom(t, a.Username).IsZero():
		return p.barredFrom(t, a.Username)
	case !t.authorizes(a):
		return zhidu.NotNamedByAuthority(a.Username)
	case current && !slices.ContainsFunc(t.Candidates, func(c zhidu.Candidate) bool { return c.Matches(a) }):
		return zhidu.NotCandidate(a.Username)
	}
	return zhidu.Message{}
}

// exclusions returns spec's exclusions with everyone barredFrom would bar
// when the task is created, so that the inbox and the eligible count know
// them too.
func (p *process) exclusions(spec zhidu.TaskSpec) []string {
	out := slices.Clone(spec.Excluded)
	add := func(users ...string) {
		for _, u := range users {
			if u != "" && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	add(p.Info.Barred...)
	if spec.Approval {
		add(p.Requester)
		for _, a := range p.Approved {
			if a.Step != spec.Step {
				add(a.User)
			}
		}
	}
	return out
}

// ask creates a human task for spec and waits until it is completed,
// reminding and escalating on the way; it returns the completion, or
// errCancelled when the process is cancelled first.
func (p *process) ask(ctx workflow.Context, spec zhidu.TaskSpec) (zhidu.CompleteTaskRequest, error) {
	if p.Cancelled != nil {
		return zhidu.CompleteTaskRequest{}, errCancelled
	}
	now := workflow.Now(ctx)
	if !spec.Subject { // a subject's own task keeps its level (TaskSpec.Subject)
		spec.Level = zhidu.MaxLevel(spec.Level, p.Info.Level)
	}
	spec.Excluded = p.exclusions(spec)
	t := &humanTask{ID: taskID(p.Info.RunID, spec.StepKey), Spec: spec, Candidates: slices.Clone(spec.Candidates),
		State: taskOpen, CreatedAt: now}
	p.Tasks = append(p.Tasks, t)
	in := zhidu.CreateTaskInput{TaskID: t.ID, Process: p.Info, Spec: spec, CreatedAt: now}
	if spec.Due > 0 {
		due := now.Add(spec.Due)
		in.DueAt = &due
	}
	var res zhidu.CreateTaskResult
	if err := p.project(ctx, ActivityCreateTask, in).Get(ctx, &res); err != nil {
		return zhidu.CompleteTaskRequest{}, fmt.Errorf("create task %s: %w", spec.StepKey, err)
	}
	// Nobody can work the task: climb the ladder at once.
	for eligible := res.Eligible; eligible == 0 && t.Rung < len(spec.Escalations) && p.Cancelled == nil; {
		var err error
		if eligible, err = p.escalate(ctx, t); err != nil {
			return zhidu.CompleteTaskRequest{}, err
		}
	}
	settled := func() bool { return t.State == taskDone || p.Cancelled != nil }
	for !settled() {
		at, fire := p.nextDeadline(t)
		if fire == nil {
			if err := workflow.Await(ctx, settled); err != nil {
				return zhidu.CompleteTaskRequest{}, err
			}
			continue
		}
		if wait := at.Sub(workflow.Now(ctx)); wait > 0 {
			rung := t.Rung // a hand-over may escalate meanwhile: then the next deadline is another
			ok, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return settled() || t.Rung != rung })
			if err != nil {
				return zhidu.CompleteTaskRequest{}, err
			}
			if ok {
				continue
			}
		}
		if err := fire(ctx); err != nil {
			return zhidu.CompleteTaskRequest{}, err
		}
	}
	if t.State != taskDone {
		return zhidu.CompleteTaskRequest{}, errCancelled
	}
	p.Approvers = append(p.Approvers, t.result.Actor.Username)
	if t.result.OnBehalfOf != "" {
		p.Approvers = append(p.Approvers, t.result.OnBehalfOf)
	}
	if spec.Approval {
		p.Approved = append(p.Approved, approval{Step: spec.Step, User: t.result.Actor.Username})
		if t.result.OnBehalfOf != "" {
			p.Approved = append(p.Approved, approval{Step: spec.Step, User: t.result.OnBehalfOf})
		}
	}
	return t.result, nil
}

// nextDeadline returns the next SLA event of a task: a reminder or the
// next rung of its escalation ladder, whichever comes first.
func (p *process) nextDeadline(t *humanTask) (time.Time, func(workflow.Context) error) {
	var at time.Time
	var fire func(workflow.Context) error
	if t.Spec.Reminder > 0 && !t.Reminded {
		at, fire = t.CreatedAt.Add(t.Spec.Reminder), func(ctx workflow.Context) error { return p.remind(ctx, t) }
	}
	if t.Rung < len(t.Spec.Escalations) {
		esc := t.CreatedAt.Add(t.Spec.Escalations[t.Rung].After)
		if fire == nil || esc.Before(at) {
			at, fire = esc, func(ctx workflow.Context) error { return p.escalateTimed(ctx, t) }
		}
	}
	if l := t.Spec.Lapse; l != nil {
		if lapse := t.CreatedAt.Add(l.After); fire == nil || !at.Before(lapse) {
			at, fire = lapse, func(ctx workflow.Context) error { return p.lapse(ctx, t) }
		}
	}
	return at, fire
}

// lapse completes a task nobody decided in time by its rule (TaskSpec.Lapse),
// as "system"; a task being completed or assigned meanwhile is left to it.
func (p *process) lapse(ctx workflow.Context, t *humanTask) error {
	if t.State != taskOpen {
		return workflow.Await(ctx, func() bool { return t.State != taskCompleting && t.State != taskAssigning })
	}
	l := t.Spec.Lapse
	t.State = taskCompleting
	now := workflow.Now(ctx)
	rec := zhidu.CompletionRecord{TaskID: t.ID, ProcessID: p.Info.ID, Step: t.Spec.Step, Actor: zhidu.SystemActor,
		Outcome: l.Outcome, Data: l.Data, Comment: l.Comment, At: now}
	if err := p.project(ctx, ActivityCompleteTask, rec).Get(ctx, nil); err != nil {
		t.State = taskOpen
		return err
	}
	t.result = zhidu.CompleteTaskRequest{TaskID: t.ID, Actor: zhidu.Actor{Username: zhidu.SystemActor}, Assignee: zhidu.SystemActor,
		Outcome: l.Outcome, Data: l.Data, Comment: l.Comment}
	t.State = taskDone
	return nil
}

func (p *process) remind(ctx workflow.Context, t *humanTask) error {
	t.Reminded = true
	ev := zhidu.TaskEvent{EventKey: t.ID + ":reminded", TaskID: t.ID, ProcessID: p.Info.ID, Step: t.Spec.Step,
		Event: zhidu.EventReminded, At: workflow.Now(ctx)}
	return p.project(ctx, ActivityRecordTaskEvent, ev).Get(ctx, nil)
}

// changeClimbEmptyRungs names the change after which a timed escalation
// that finds nobody able to work the task climbs on at once, as the
// first escalation always did.
const changeClimbEmptyRungs = "climb-empty-rungs"

func (p *process) escalateTimed(ctx workflow.Context, t *humanTask) error {
	eligible, err := p.escalate(ctx, t)
	if workflow.GetVersion(ctx, changeClimbEmptyRungs, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return err
	}
	for err == nil && eligible == 0 && t.Rung < len(t.Spec.Escalations) && p.Cancelled == nil {
		eligible, err = p.escalate(ctx, t)
	}
	return err
}

// escalate adds the next rung's candidates and returns how many people
// may now work the task.
func (p *process) escalate(ctx workflow.Context, t *humanTask) (int, error) {
	rung := t.Spec.Escalations[t.Rung]
	t.Rung++
	t.Candidates = append(t.Candidates, rung.Candidates...)
	ev := zhidu.TaskEvent{EventKey: t.ID + ":escalated:" + strconv.Itoa(t.Rung), TaskID: t.ID, ProcessID: p.Info.ID,
		Step: t.Spec.Step, Event: zhidu.EventEscalated, Rung: t.Rung, AddCandidates: rung.Candidates, At: workflow.Now(ctx)}
	var eligible int
	err := p.project(ctx, ActivityRecordTaskEvent, ev).Get(ctx, &eligible)
	return eligible, err
}

// validateComplete rejects, without touching history, a completion that
// may not happen.
func (p *process) validateComplete(ctx workflow.Context, req zhidu.CompleteTaskRequest) error {
	t, err := p.openTask(req.TaskID)
	switch {
	case err != nil:
		return err
	case req.Assignee == "":
		return reject(zhidu.CodeConflict, zhidu.ClaimFirst())
	}
	actor := req.Actor.Username
	switch {
	case actor == req.Assignee:
		if req.OnBehalfOf != "" {
			return rejectErr(zhidu.Invalid(zhidu.BehalfOnly(), map[string]zhidu.Message{"on_behalf_of": zhidu.MustBeEmpty()}))
		}
		if why := p.mayHold(t, req.Actor, true); !why.IsZero() {
			return reject(zhidu.CodeForbidden, zhidu.MayNotWork(actor, why))
		}
	case actor == t.Delegate && req.Assignee == t.DelegatedBy:
		if req.OnBehalfOf != req.Assignee {
			return rejectErr(zhidu.Invalid(zhidu.BehalfOwner(), map[string]zhidu.Message{"on_behalf_of": zhidu.MustBe(req.Assignee)}))
		}
		if req.Actor.Clearance < t.Spec.Level {
			return reject(zhidu.CodeForbidden, zhidu.NotCleared(actor, t.Spec.Level))
		}
	case req.OnBehalfOf == req.Assignee && p.substituteWindow(ctx, t, req) != nil:
		// The substitute of the absent assignee (委托代理): the assignee's
		// authority, the substitute's clearance, in a window open now.
		w := p.substituteWindow(ctx, t, req)
		if why := p.mayHold(t, w.Absent, true); !why.IsZero() {
			return reject(zhidu.CodeForbidden, zhidu.MayNotWork(req.Assignee, why))
		}
		if req.Actor.Clearance < t.Spec.Level {
			return reject(zhidu.CodeForbidden, zhidu.NotCleared(actor, t.Spec.Level))
		}
	default:
		return reject(zhidu.CodeForbidden, zhidu.NotAssignee(actor))
	}
	for _, u := range []string{actor, req.Assignee} {
		if why := p.barredFrom(t, u); !why.IsZero() {
			return reject(zhidu.CodeForbidden, why)
		}
	}
	if errs := t.Spec.Form.Validate(req.Outcome, req.Data); errs != nil {
		return rejectErr(zhidu.Invalid(zhidu.FormIncomplete(), errs))
	}
	if check := p.checks[t.Spec.Step]; check != nil {
		if errs := check(req); errs != nil {
			return rejectErr(zhidu.Invalid(zhidu.FormRule(), errs))
		}
	}
	return nil
}

// substituteWindow returns the window, open at the workflow's now, in which
// the request's actor substitutes for its assignee on task t, or nil.
func (p *process) substituteWindow(ctx workflow.Context, t *humanTask, req zhidu.CompleteTaskRequest) *zhidu.Substitution {
	if req.Actor.Username == req.Assignee {
		return nil
	}
	w, ok := req.Actor.SubstituteFor(req.Assignee, workflow.Now(ctx), t.Spec.Department, p.Info.Kind)
	if !ok {
		return nil
	}
	return &w
}

// complete records a completion; the task is done only once the record is
// written (while it is written, "completing" refuses other updates of it).
func (p *process) complete(ctx workflow.Context, req zhidu.CompleteTaskRequest) (zhidu.CompleteTaskResult, error) {
	t := p.find(req.TaskID)
	t.State = taskCompleting
	now := workflow.Now(ctx)
	rec := zhidu.CompletionRecord{TaskID: t.ID, ProcessID: p.Info.ID, Step: t.Spec.Step, Actor: req.Actor.Username,
		OnBehalfOf: req.OnBehalfOf, Address: req.Actor.Address, Outcome: req.Outcome, Data: req.Data, Comment: req.Comment, At: now}
	if err := p.project(ctx, ActivityCompleteTask, rec).Get(ctx, nil); err != nil {
		t.State = taskOpen
		return zhidu.CompleteTaskResult{}, err
	}
	t.result = req
	t.State = taskDone
	return zhidu.CompleteTaskResult{TaskID: t.ID, Outcome: req.Outcome, CompletedAt: now}, nil
}

// validateAssign checks a delegation or a reassignment. Approval authority
// (核决权限) moves only by delegation, and only from the task's assignee; a
// reassignment moves the work to someone the step's authority already
// reaches. The new holder is never barred from the task, and neither is
// whoever reassigns it.
func (p *process) validateAssign(ctx workflow.Context, req zhidu.AssignTaskRequest) error {
	t, err := p.openTask(req.TaskID)
	switch {
	case err != nil:
		return err
	case t.applied(req.Key):
		return nil // sent again: assign answers it as the first time
	case historyFull(ctx):
		return reject(zhidu.CodeConflict, zhidu.HistoryFull())
	case req.To.Username == "":
		return rejectErr(zhidu.Invalid(zhidu.AssignWho(), map[string]zhidu.Message{"to": zhidu.Required()}))
	case req.To.Username == req.Actor.Username:
		return rejectErr(zhidu.Invalid(zhidu.AssignSelf(), map[string]zhidu.Message{"to": zhidu.SomeoneElse()}))
	case req.To.Clearance < t.Spec.Level:
		return reject(zhidu.CodeForbidden, zhidu.NotCleared(req.To.Username, t.Spec.Level))
	}
	if why := p.barredFrom(t, req.To.Username); !why.IsZero() {
		return reject(zhidu.CodeForbidden, why)
	}
	if why := p.barredFrom(t, req.Actor.Username); !why.IsZero() {
		return reject(zhidu.CodeForbidden, zhidu.MayNotAssign(req.Actor.Username, why))
	}
	switch req.Kind {
	case zhidu.AssignDelegate:
		if req.Owner != req.Actor.Username {
			return reject(zhidu.CodeForbidden, zhidu.DelegateNotAssignee())
		}
		if why := p.mayHold(t, req.Actor, true); !why.IsZero() {
			return reject(zhidu.CodeForbidden, zhidu.MayNotWork(req.Actor.Username, why))
		}
	case zhidu.AssignReassign:
		if req.Actor.Username == p.Requester && p.Requester != "" {
			return reject(zhidu.CodeForbidden, zhidu.RequesterMayNotReassign(req.Actor.Username))
		}
		if why := p.mayHold(t, req.To, false); !why.IsZero() {
			return reject(zhidu.CodeForbidden, zhidu.ReassignAuthority(why))
		}
	default:
		return rejectErr(zhidu.Invalid(zhidu.AssignUnknown(), map[string]zhidu.Message{"kind": zhidu.AssignKind()}))
	}
	return nil
}

// assign records a delegation or reassignment, then applies it.
func (p *process) assign(ctx workflow.Context, req zhidu.AssignTaskRequest) (string, error) {
	t := p.find(req.TaskID)
	if t.applied(req.Key) {
		return req.To.Username, nil
	}
	t.State = taskAssigning // refuses other updates of the task while the write runs
	defer func() { t.State = taskOpen }()
	n := t.Assignments + 1
	rec := zhidu.AssignRecord{EventKey: t.ID + ":assign:" + strconv.Itoa(n), TaskID: t.ID, ProcessID: p.Info.ID,
		Step: t.Spec.Step, Kind: req.Kind, By: req.Actor.Username, Address: req.Actor.Address, Owner: req.Owner,
		To: req.To.Username, Note: req.Note, At: workflow.Now(ctx)}
	if err := p.project(ctx, ActivityAssignTask, rec).Get(ctx, nil); err != nil {
		return "", err
	}
	t.Assignments = n
	if req.Key != "" {
		t.AssignKeys = append(t.AssignKeys, req.Key)
		if len(t.AssignKeys) > maxAssignKeys {
			t.AssignKeys = slices.Delete(t.AssignKeys, 0, len(t.AssignKeys)-maxAssignKeys)
		}
	}
	if req.Kind == zhidu.AssignDelegate {
		t.Delegate, t.DelegatedBy = req.To.Username, req.Owner
	} else {
		t.Delegate, t.DelegatedBy = "", ""
		t.Candidates = append(t.Candidates, zhidu.Candidate{User: req.To.Username})
	}
	return req.To.Username, nil
}

// historyBudget is how many history events a process may have before it
// refuses the updates that have no bound (delegations, reassignments,
// level changes). Temporal terminates a workflow at 51,200 events; what a
// process still does after the budget is bounded by its steps (each task
// is created, reminded, escalated and completed a fixed number of times),
// so it ends well below the limit. A process does not continue as new:
// its steps are one Go function, whose place cannot be carried into a new
// run (docs/NOTES.md).
const historyBudget = 40_000

// historyFull reports whether the process has spent its history budget.
// Only validators ask it: they do not run on replay, so the answer never
// has to be the same twice.
func historyFull(ctx workflow.Context) bool {
	return workflow.GetInfo(ctx).GetCurrentHistoryLength() >= historyBudget
}

// maxAssignKeys is how many request keys of its last assignments a task
// remembers: a retry comes soon after the request it repeats.
const maxAssignKeys = 16

// applied reports whether the assignment request named key was applied.
func (t *humanTask) applied(key string) bool {
	return key != "" && slices.Contains(t.AssignKeys, key)
}

// running says why the process takes no more updates, or nil.
func (p *process) running() error {
	switch {
	case p.Cancelled != nil || p.Finished:
		return reject(zhidu.CodeConflict, zhidu.NotRunning())
	case p.ending:
		return reject(zhidu.CodeConflict, zhidu.Ending())
	}
	return nil
}

func (p *process) validateCancel(ctx workflow.Context, req zhidu.CancelProcessRequest) error {
	if err := p.running(); err != nil {
		return err
	}
	if req.Reason == "" {
		return rejectErr(zhidu.Invalid(zhidu.SayWhy(), map[string]zhidu.Message{"reason": zhidu.Required()}))
	}
	return nil
}

// cancel records the cancellation; only once it is written does the
// process stop (a failed write leaves it running, as the projection shows).
func (p *process) cancel(ctx workflow.Context, req zhidu.CancelProcessRequest) (zhidu.ProcessState, error) {
	err := p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCancelled, Result: ResultCancelled, Actor: req.Actor.Username,
		Address: req.Actor.Address, Reason: req.Reason})
	if err != nil {
		return zhidu.ProcessRunning, err
	}
	p.Cancelled = &req
	return zhidu.ProcessCancelled, nil
}

// finish records the end of the process once. The process is finished
// when the record is written; until then no update is accepted, and a
// failed write leaves it running.
func (p *process) finish(ctx workflow.Context, rec zhidu.FinishRecord) error {
	if p.Finished {
		return nil
	}
	p.ending = true
	defer func() { p.ending = false }()
	rec.ProcessID = p.Info.ID
	rec.At = workflow.Now(ctx)
	if err := p.project(ctx, ActivityFinishProcess, rec).Get(ctx, nil); err != nil {
		return err
	}
	p.Finished = true
	return nil
}

// wrapUp waits for running update handlers before the workflow returns.
func (p *process) wrapUp(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func (p *process) validateSetLevel(ctx workflow.Context, req zhidu.SetLevelRequest) error {
	switch {
	case p.running() != nil:
		return p.running()
	case p.levelling:
		return reject(zhidu.CodeConflict, zhidu.LevelChanging())
	case historyFull(ctx):
		return reject(zhidu.CodeConflict, zhidu.HistoryFull())
	case !req.Level.Valid():
		return rejectErr(zhidu.Invalid(zhidu.UnknownLevel(), map[string]zhidu.Message{"level": zhidu.NotALevel()}))
	case req.Level == p.Info.Level:
		return rejectErr(zhidu.Invalid(zhidu.LevelUnchanged(), map[string]zhidu.Message{"level": zhidu.CurrentLevel()}))
	case req.Reason == "":
		return rejectErr(zhidu.Invalid(zhidu.SayWhy(), map[string]zhidu.Message{"reason": zhidu.Required()}))
	case req.Level < p.Info.Level && !req.Actor.IsLeadership():
		return reject(zhidu.CodeForbidden, zhidu.LowerLeadership())
	}
	return nil
}

// setLevel changes the process's level; tasks created from now on inherit it.
func (p *process) setLevel(ctx workflow.Context, req zhidu.SetLevelRequest) (zhidu.Level, error) {
	p.levelling = true
	defer func() { p.levelling = false }()
	from, n := p.Info.Level, p.LevelChanges+1
	rec := zhidu.LevelRecord{EventKey: p.Info.ID + ":level:" + strconv.Itoa(n), ProcessID: p.Info.ID,
		From: from, To: req.Level, Actor: req.Actor.Username, Address: req.Actor.Address, Reason: req.Reason, At: workflow.Now(ctx)}
	if err := p.project(ctx, ActivitySetLevel, rec).Get(ctx, nil); err != nil {
		return from, err
	}
	p.Info.Level, p.LevelChanges = req.Level, n
	for _, t := range p.Tasks {
		if t.Spec.Level < req.Level || t.Spec.Level == from {
			t.Spec.Level = req.Level
		}
	}
	return req.Level, nil
}
