package workflows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The file-access request (查阅审批, process 5 of DOMAIN.md): a user asks
// to read a target they cannot read — another department's customer
// files (department:D), one customer file (customer:ID) or one process
// (process:ID) — for a while and why; the GM (or a deputy GM when
// configured) approves; an activity writes the time-boxed grant
// (access_grants), which every read rule honours until its stored expiry;
// a durable timer takes it back when it expires, even if every server was
// down then; the grantee may return it early and the GM line revoke it.

// The file-access request's kind, workflow, step, updates and activities.
const (
	KindFileAccess     = "file-access"
	WorkflowFileAccess = "FileAccess"

	StepAccessApproval = "access_approval" // the GM (or a deputy GM) decides

	UpdateReturnGrant = "ReturnGrant" // the grantee gives it back
	UpdateRevokeGrant = "RevokeGrant" // the GM line takes it back

	ActivityWriteGrant  = "WriteGrant"
	ActivityRevokeGrant = "RevokeGrant"

	OutcomeDenyAccess = "deny_access"
)

// How a file-access request ends (its result), if not ResultCancelled:
// declined, or granted and then expired, returned or revoked.
const (
	ResultAccessDeclined = "access_declined"
	ResultGrantExpired   = "grant_expired"
	ResultGrantReturned  = "grant_returned"
	ResultGrantRevoked   = "grant_revoked"
)

// FileAccessConfig is the file-access request's configuration.
type FileAccessConfig struct {
	// MaxDuration is the longest grant one request asks for.
	MaxDuration time.Duration `json:"max_duration"`
	// Approvers are who decide: "gm", or "gm,deputy_gm" for a deputy GM
	// too.
	Approvers string `json:"approvers"`
	// Approval is the approval step's SLA.
	Approval SLA `json:"approval"`
}

// DefaultFileAccessConfig: grants of up to 30 days, decided by the GM
// within a day (a reminder after 8 hours).
func DefaultFileAccessConfig() FileAccessConfig {
	return FileAccessConfig{MaxDuration: 30 * 24 * time.Hour, Approvers: "gm",
		Approval: SLA{Due: 24 * time.Hour, Reminder: 8 * time.Hour}}
}

// approvers are the candidates of the approval step: the GM, and the
// deputy GMs when configured.
func (c FileAccessConfig) approvers() []zhidu.Candidate {
	out := []zhidu.Candidate{role(zhidu.RoleGM, zhidu.DeptGMO)}
	for _, r := range strings.Split(c.Approvers, ",") {
		if zhidu.Role(strings.TrimSpace(r)) == zhidu.RoleDeputyGM {
			out = append([]zhidu.Candidate{role(zhidu.RoleDeputyGM, zhidu.DeptGMO)}, out...)
		}
	}
	return out
}

// FileAccessInput starts a file-access request: the requester is the
// process's starter.
type FileAccessInput struct {
	Process  zhidu.ProcessInfo `json:"process"`
	Target   string            `json:"target"`
	Reason   string            `json:"reason"`
	Duration time.Duration     `json:"duration"`
	Config   FileAccessConfig  `json:"config"`
}

// FileAccessResult is how a request ended, who decided, and the grant's
// times when one was written.
type FileAccessResult struct {
	Outcome   string     `json:"outcome"`
	DecidedBy string     `json:"decided_by,omitempty"`
	GrantedAt *time.Time `json:"granted_at,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	RevokedBy string     `json:"revoked_by,omitempty"`
	EndReason string     `json:"end_reason,omitempty"`
}

func fileAccessDescriptor() Descriptor {
	return Descriptor{
		Kind: KindFileAccess, Workflow: WorkflowFileAccess, Func: FileAccess,
		Label: text("查阅审批", "File access"),
		Description: text("申请查阅本人无权查看的资料（其他部门的客户档案、某一客户档案或某一流程）：经总经理批准后在期限内可以查阅，到期自动收回。",
			"Ask to read what you may not: another department's customer files, one customer file or one process. Once the GM approves, you may read it until the grant expires; it is then taken back."),
		Submit: text("提交查阅申请", "Ask for access"),
		Steps:  []Step{{StepAccessApproval, text("总经理审批查阅", "GM's approval of access")}},
		StartForm: zhidu.Form{Fields: []zhidu.Field{
			{Name: "target", Type: zhidu.FieldText, Label: text("查阅对象（department:部门、customer:编号或 process:编号）", "What to read (department:D, customer:ID or process:ID)"),
				Required: true, MaxLength: 200},
			{Name: "reason", Type: zhidu.FieldText, Label: text("查阅事由", "Why"), Required: true, MaxLength: 2000},
			{Name: "duration", Type: zhidu.FieldText, Label: text("期限（如 72h）", "For how long (e.g. 72h)"), Required: true, MaxLength: 32},
		}},
		// Everyone but the GM's office, who read everything already.
		Starters: []Starter{{Roles: []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP, zhidu.RoleCompliance},
			Department: AnyDepartment}},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultFileAccessConfig() },
		Settings: []Setting{
			{Flag: "file-access-max-duration", Env: "ZHIDU_FILE_ACCESS_MAX_DURATION", Field: "MaxDuration",
				Usage: "file access: the longest grant one request asks for"},
			{Flag: "file-access-approvers", Env: "ZHIDU_FILE_ACCESS_APPROVERS", Field: "Approvers",
				Usage: "file access: who approves: gm, or gm,deputy_gm for a deputy GM too"},
		},
		Body: func() any { return new(fileAccessStart) },
		Prepare: func(ctx context.Context, b any, s StartContext) (any, error) {
			return prepareFileAccess(ctx, *b.(*fileAccessStart), s)
		},
		Record: func(input any) map[string]any {
			in, _ := input.(FileAccessInput)
			return map[string]any{"target": in.Target, "reason": in.Reason, "duration": in.Duration.String(), "grantee": in.Process.StartedBy}
		},
		Takes: []string{UpdateReturnGrant, UpdateRevokeGrant},
		Bench: fileAccessBench(),
		Labels: map[string]zhidu.Text{
			"outcome." + OutcomeDenyAccess:    text("不予批准", "Decline"),
			"outcome." + ResultAccessDeclined: text("未获批准", "Declined"),
			"outcome." + ResultGrantExpired:   text("授权到期收回", "Grant expired"),
			"outcome." + ResultGrantReturned:  text("授权已提前交还", "Grant returned"),
			"outcome." + ResultGrantRevoked:   text("授权已被收回", "Grant revoked"),
		},
	}
}

// fileAccessStart is the start body.
type fileAccessStart struct {
	Target   string `json:"target" text:"line"`
	Reason   string `json:"reason"`
	Duration string `json:"duration" text:"line"`
}

// prepareFileAccess checks a request: a target that exists and that the
// requester cannot read yet (Objects), a reason, and a duration above
// zero and within the configured maximum. The request is at least as
// secret as its target (internal at least): its tasks name the target.
//
// What a refusal says about a target the requester cannot read: a process
// or customer ID that does not exist, one above the requester's clearance
// and a top-secret one (which only a designation opens, never a grant)
// all answer the same 400 (file_access.unknown_target), so the answer
// tells nothing of a level — so does one that bars the requester (a
// misconduct complaint about them), which no grant could open; a target within the requester's clearance
// that they cannot read is the normal case, and is accepted. IDs are
// random, so an accepted request tells only what the requester knew: the
// ID. A target they can read already answers 409
// (file_access.already_readable).
func prepareFileAccess(ctx context.Context, b fileAccessStart, s StartContext) (any, error) {
	cfg := *s.Config.(*FileAccessConfig)
	errs := map[string]zhidu.Message{}
	checkText(errs, "reason", b.Reason, true, true, 2000)
	d, msg := grantDuration(b.Duration, cfg.MaxDuration)
	if !msg.IsZero() {
		errs["duration"] = msg
	}
	typ, id, _ := strings.Cut(b.Target, ":")
	if id == "" || !slices.Contains([]string{zhidu.GrantDepartment, zhidu.GrantCustomer, zhidu.GrantProcess}, typ) {
		errs["target"] = zhidu.Say(msgBadTarget)
	}
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.Say(msgCannotAskAccess), errs)
	}
	level := zhidu.Internal
	if s.Objects == nil {
		return nil, errors.New("file access: no object lookup")
	}
	o, err := s.Objects.Object(ctx, s.Starter, b.Target)
	switch {
	case zhidu.ErrorCode(err) == zhidu.CodeNotFound || err == nil && (o.Level == zhidu.TopSecret || o.Level > s.Starter.Clearance || o.Barred):
		return nil, zhidu.Invalid(zhidu.Say(msgCannotAskAccess), map[string]zhidu.Message{"target": zhidu.Say(msgUnknownTarget)})
	case err != nil:
		return nil, err
	case o.Readable:
		return nil, zhidu.Fail(zhidu.CodeConflict, zhidu.Say(msgAlreadyReadable, "target", b.Target))
	}
	level = max(level, o.Level)
	info := s.Process
	info.Title, info.Level = "查阅 "+b.Target, level
	return FileAccessInput{Process: *info, Target: b.Target, Reason: b.Reason, Duration: d, Config: cfg}, nil
}

// grantDuration reads a requested grant's duration, a Go duration ("8h",
// "90m", "1h30m"), and says what is wrong with it: missing, not a
// duration, or not above zero and within max.
func grantDuration(s string, max time.Duration) (time.Duration, zhidu.Message) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	switch {
	case s == "":
		return 0, zhidu.Required()
	case err != nil:
		return 0, zhidu.Say(msgBadDuration)
	case d <= 0 || d > max:
		return 0, zhidu.Say(msgDurationRange, "max", max.String())
	}
	return d, zhidu.Message{}
}

// accessForm is what the approval step asks: approve, or decline with a
// remark.
var accessForm = zhidu.Form{
	Fields: []zhidu.Field{{Name: "remark", Type: zhidu.FieldText, Label: text("批示", "Remark"),
		RequiredFor: []string{OutcomeDenyAccess}, MaxLength: 500}},
	Outcomes: []string{OutcomeApprove, OutcomeDenyAccess},
}

type accessDecision struct {
	Remark string `json:"remark"`
}

func checkAccessDecision(_ string, d accessDecision) map[string]zhidu.Message {
	return lineText("remark", d.Remark)
}

// fileAccess is a request's run.
type fileAccess struct {
	p  *process
	in FileAccessInput
	// Grant is the grant once written; Ended how it ended, once that is
	// written.
	Grant  *zhidu.GrantRecord     `json:"grant,omitempty"`
	Ended  *zhidu.GrantRevocation `json:"ended,omitempty"`
	ending bool
}

// FileAccess is the file-access request: the GM (or a deputy GM, when
// configured) approves or declines; the requester never decides. On
// approval WriteGrant writes the grant from now for the asked duration;
// the workflow then waits for its expiry, the grantee's return
// (ReturnGrant) or the GM line's revocation (RevokeGrant), and takes the
// grant back with RevokeGrant. A cancelled process takes its grant back
// too.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess, ReturnGrant,
// RevokeGrant. Query: State.
func FileAccess(ctx workflow.Context, in FileAccessInput) (FileAccessResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{StepAccessApproval: rule(checkAccessDecision)}
	r := &fileAccess{p: p, in: in}
	if err := p.setup(ctx); err != nil {
		return FileAccessResult{}, err
	}
	for name, h := range map[string]func(workflow.Context, zhidu.GrantEndRequest) (zhidu.GrantEndResult, error){
		UpdateReturnGrant: r.returnGrant, UpdateRevokeGrant: r.revokeGrant} {
		validate := r.validateReturn
		if name == UpdateRevokeGrant {
			validate = r.validateRevoke
		}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, h, workflow.UpdateHandlerOptions{Validator: validate}); err != nil {
			return FileAccessResult{}, err
		}
	}
	res, err := r.run(ctx)
	if errors.Is(err, errCancelled) {
		res, err = FileAccessResult{Outcome: ResultCancelled}, nil
	}
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

func (r *fileAccess) run(ctx workflow.Context) (FileAccessResult, error) {
	p, in := r.p, r.in
	spec := p.task("gm", StepAccessApproval, text("总经理审批查阅", "GM's approval of access"), zhidu.DeptGMO, in.Config.Approval,
		accessForm, in.Config.approvers())
	spec.Approval = true
	spec.Excluded = []string{p.Info.StartedBy}
	spec.Context = map[string]any{"target": in.Target, "reason": in.Reason, "duration": in.Duration.String(), "grantee": p.Info.StartedBy}
	done, _, err := askFor[accessDecision](ctx, p, spec)
	if err != nil {
		return FileAccessResult{}, err
	}
	res := FileAccessResult{DecidedBy: done.Actor.Username}
	if done.Outcome == OutcomeDenyAccess {
		res.Outcome = ResultAccessDeclined
		return res, p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome})
	}
	now := workflow.Now(ctx)
	g := zhidu.GrantRecord{Grant: zhidu.Grant{ID: p.Info.ID, Grantee: p.Info.StartedBy, Target: in.Target, GrantedAt: now,
		ExpiresAt: now.Add(in.Duration), ApprovedBy: done.Actor.Username}, Reason: in.Reason}
	if err := workflow.ExecuteActivity(activityCtx(ctx), ActivityWriteGrant, g).Get(ctx, nil); err != nil {
		return res, err
	}
	r.Grant = &g
	res.GrantedAt, res.ExpiresAt = &g.GrantedAt, &g.ExpiresAt
	// The durable timer: the grant's expiry, unless it is returned,
	// revoked or its process cancelled first.
	ended, err := workflow.AwaitWithTimeout(ctx, g.ExpiresAt.Sub(now), func() bool { return r.Ended != nil || p.Cancelled != nil })
	if err != nil {
		return res, err
	}
	expired := !ended
	if r.Ended == nil {
		end := zhidu.GrantRevocation{ID: g.ID, By: "system", Ending: zhidu.GrantExpired, At: workflow.Now(ctx)}
		if !expired {
			c := p.Cancelled
			end = zhidu.GrantRevocation{ID: g.ID, By: c.Actor.Username, Ending: zhidu.GrantCancelled, Reason: c.Reason, At: workflow.Now(ctx)}
		}
		if err := workflow.Await(ctx, func() bool { return !r.ending }); err != nil {
			return res, err
		}
		if r.Ended == nil {
			r.ending = true // no return or revocation meanwhile
			err := workflow.ExecuteActivity(activityCtx(ctx), ActivityRevokeGrant, end).Get(ctx, nil)
			r.ending = false
			if err != nil {
				return res, err
			}
			r.Ended = &end
		}
	}
	res.RevokedAt, res.RevokedBy, res.EndReason = &r.Ended.At, r.Ended.By, r.Ended.Reason
	res.Outcome = map[string]string{zhidu.GrantExpired: ResultGrantExpired, zhidu.GrantReturned: ResultGrantReturned,
		zhidu.GrantRevoked: ResultGrantRevoked, zhidu.GrantCancelled: ResultCancelled}[r.Ended.Ending]
	if p.Cancelled != nil {
		return res, nil
	}
	return res, p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome})
}

// open says why the grant cannot be taken back now, or nil: not granted
// (yet), ended, being ended, or past its expiry (the timer takes it back).
func (r *fileAccess) open(ctx workflow.Context) error {
	switch {
	case r.Grant == nil:
		return reject(zhidu.CodeConflict, zhidu.Say(msgNotGranted))
	case r.Ended != nil || r.ending || r.p.Cancelled != nil || !workflow.Now(ctx).Before(r.Grant.ExpiresAt):
		return reject(zhidu.CodeConflict, zhidu.Say(msgGrantEnded))
	}
	return nil
}

// validateReturn: only the grantee returns an open grant.
func (r *fileAccess) validateReturn(ctx workflow.Context, req zhidu.GrantEndRequest) error {
	if req.Actor.Username != r.p.Info.StartedBy {
		return reject(zhidu.CodeForbidden, zhidu.Say(msgOnlyGranteeReturns))
	}
	if !zhidu.CheckText(req.Reason, true).IsZero() {
		return rejectErr(zhidu.Invalid(zhidu.Say(msgCannotEndGrant), map[string]zhidu.Message{"reason": zhidu.CheckText(req.Reason, true)}))
	}
	return r.open(ctx)
}

// validateRevoke: only the GM or a deputy GM revokes an open grant, and
// says why.
func (r *fileAccess) validateRevoke(ctx workflow.Context, req zhidu.GrantEndRequest) error {
	if !req.Actor.IsLeadership() {
		return reject(zhidu.CodeForbidden, zhidu.Say(msgOnlyLeadershipRevokes))
	}
	switch {
	case strings.TrimSpace(req.Reason) == "":
		return rejectErr(zhidu.Invalid(zhidu.SayWhy(), map[string]zhidu.Message{"reason": zhidu.Required()}))
	case !zhidu.CheckText(req.Reason, true).IsZero():
		return rejectErr(zhidu.Invalid(zhidu.Say(msgCannotEndGrant), map[string]zhidu.Message{"reason": zhidu.CheckText(req.Reason, true)}))
	}
	return r.open(ctx)
}

func (r *fileAccess) returnGrant(ctx workflow.Context, req zhidu.GrantEndRequest) (zhidu.GrantEndResult, error) {
	return r.end(ctx, req, zhidu.GrantReturned)
}

func (r *fileAccess) revokeGrant(ctx workflow.Context, req zhidu.GrantEndRequest) (zhidu.GrantEndResult, error) {
	return r.end(ctx, req, zhidu.GrantRevoked)
}

// end takes the grant back; the grant ends only once that is written.
func (r *fileAccess) end(ctx workflow.Context, req zhidu.GrantEndRequest, ending string) (zhidu.GrantEndResult, error) {
	r.ending = true
	defer func() { r.ending = false }()
	end := zhidu.GrantRevocation{ID: r.Grant.ID, By: req.Actor.Username, Ending: ending, Reason: req.Reason, At: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(activityCtx(ctx), ActivityRevokeGrant, end).Get(ctx, nil); err != nil {
		return zhidu.GrantEndResult{}, err
	}
	r.Ended = &end
	return zhidu.GrantEndResult{ID: end.ID, Ending: ending, RevokedAt: end.At}, nil
}
