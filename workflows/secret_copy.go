package workflows

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The top-secret copy or excerpt (绝密级资料…确需摘抄或复制者须经总公司
// 副/总经理批准): a reader of a top-secret object asks to copy or excerpt
// it, giving the text excerpted (or a description of the copy) and why;
// the GM or a deputy GM approves and, in the same step, designates the
// copy's readers (the source's designations do not carry over).
//
// The copy is the approved request itself: a process of its own
// (process:ID) at the source's level (top secret), whose input holds the
// text or description, linked to its source both ways (object_copies:
// GET /processes/{id} shows copy_of on the copy and copies on the
// source, and each timeline says so), recording who made it, who
// approved it and why. Being top secret, it is read by the GM's office
// and the readers designated for it only — until approval that is the
// GM's office alone, the requester included.

// The secret copy's kind, workflow, step, outcomes, results and activity.
const (
	KindSecretCopy     = "secret-copy"
	WorkflowSecretCopy = "SecretCopy"

	StepCopyApproval = "copy_approval"

	OutcomeDenyCopy = "deny_copy"

	ResultCopied     = "copied"
	ResultCopyDenied = "copy_denied"

	ActivityRegisterCopy = "RegisterCopy"
)

// SecretCopyConfig is the secret copy's configuration.
type SecretCopyConfig struct {
	Approval SLA `json:"approval"`
}

// DefaultSecretCopyConfig: decided within a day, a reminder after 8
// hours.
func DefaultSecretCopyConfig() SecretCopyConfig {
	return SecretCopyConfig{Approval: SLA{Due: 24 * time.Hour, Reminder: 8 * time.Hour}}
}

// SecretCopyInput starts a secret copy request.
type SecretCopyInput struct {
	Process zhidu.ProcessInfo `json:"process"`
	Source  string            `json:"source"`
	Mode    string            `json:"mode"`
	Content string            `json:"content"`
	Reason  string            `json:"reason"`
	Config  SecretCopyConfig  `json:"config"`
}

// SecretCopyResult is how the request ended, who decided, the readers
// designated and those who are no user (left out).
type SecretCopyResult struct {
	Outcome   string   `json:"outcome"`
	DecidedBy string   `json:"decided_by,omitempty"`
	Readers   []string `json:"readers,omitempty"`
	Skipped   []string `json:"skipped,omitempty"`
}

func secretCopyDescriptor() Descriptor {
	return Descriptor{
		Kind: KindSecretCopy, Workflow: WorkflowSecretCopy, Func: SecretCopy,
		Label: text("绝密资料摘抄复制", "Top-secret copy"),
		Description: text("摘抄或复制绝密级资料须经总经理或副总经理批准；批准后副本登记为同一密级的新对象，由批准人指定知悉人。",
			"Copying or excerpting top-secret material needs the GM's or a deputy GM's approval; the copy is then its own object at the same level, read by those the approver designates."),
		Submit: text("提交申请", "Ask to copy"),
		Steps:  []Step{{StepCopyApproval, text("总经理审批摘抄复制", "Approval of the copy")}},
		StartForm: zhidu.Form{Fields: []zhidu.Field{
			{Name: "source", Type: zhidu.FieldText, Label: text("绝密资料（process:编号或 task:编号）", "The top-secret source (process:ID or task:ID)"), Required: true, MaxLength: 200},
			{Name: "mode", Type: zhidu.FieldChoice, Label: text("方式", "Copy or excerpt"), Required: true, Choices: []string{zhidu.CopyWhole, zhidu.CopyExcerpt}},
			{Name: "content", Type: zhidu.FieldText, Label: text("摘抄内容或复制说明", "The excerpt, or a description of the copy"), Required: true, MaxLength: 10000},
			{Name: "reason", Type: zhidu.FieldText, Label: text("事由", "Why"), Required: true, MaxLength: 2000},
		}},
		Starters: []Starter{{Roles: everyone, Department: AnyDepartment}},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultSecretCopyConfig() },
		Body:     func() any { return new(secretCopyStart) },
		Prepare: func(ctx context.Context, b any, s StartContext) (any, error) {
			return prepareSecretCopy(ctx, *b.(*secretCopyStart), s)
		},
		Record: func(input any) map[string]any {
			in, _ := input.(SecretCopyInput)
			return map[string]any{"source": in.Source, "mode": in.Mode, "content": in.Content, "reason": in.Reason}
		},
		Bench: secretCopyBench(),
		Labels: map[string]zhidu.Text{
			"outcome." + OutcomeDenyCopy:  text("不予批准", "Deny"),
			"outcome." + ResultCopied:     text("已登记副本", "Copied"),
			"outcome." + ResultCopyDenied: text("未获批准", "Denied"),
			"field.readers":               text("指定知悉人", "Readers"),
			"value." + zhidu.CopyWhole:    text("复制", "Copy"),
			"value." + zhidu.CopyExcerpt:  text("摘抄", "Excerpt"),
		},
	}
}

type secretCopyStart struct {
	Source  string `json:"source" text:"line"`
	Mode    string `json:"mode" text:"line"`
	Content string `json:"content"`
	Reason  string `json:"reason"`
}

// prepareSecretCopy checks a request: a source the requester may read
// (404 otherwise, as for a missing one) that is top secret (400
// otherwise), copy or excerpt, the text and the reason.
func prepareSecretCopy(ctx context.Context, b secretCopyStart, s StartContext) (any, error) {
	errs := map[string]zhidu.Message{}
	checkText(errs, "content", b.Content, true, true, 10000)
	checkText(errs, "reason", b.Reason, true, true, 2000)
	if b.Mode != zhidu.CopyWhole && b.Mode != zhidu.CopyExcerpt {
		errs["mode"] = zhidu.OneOf([]string{zhidu.CopyWhole, zhidu.CopyExcerpt})
	}
	ref, err := zhidu.ParseObjectRef(b.Source)
	if err != nil {
		errs["source"] = zhidu.Said(err)
	}
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.Say(msgCannotCopy), errs)
	}
	if s.Objects == nil {
		return nil, errors.New("secret copy: no object lookup")
	}
	o, err := s.Objects.Object(ctx, s.Starter, ref.String())
	switch {
	case zhidu.ErrorCode(err) == zhidu.CodeNotFound || err == nil && !o.Readable:
		return nil, zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound(ref.String()))
	case err != nil:
		return nil, err
	case o.Level != zhidu.TopSecret:
		return nil, zhidu.Invalid(zhidu.Say(msgCannotCopy), map[string]zhidu.Message{"source": zhidu.Say(msgNotTopSecret)})
	}
	info := s.Process
	info.Title, info.Level = map[string]string{zhidu.CopyWhole: "复制 ", zhidu.CopyExcerpt: "摘抄 "}[b.Mode]+ref.String(), o.Level
	return SecretCopyInput{Process: *info, Source: ref.String(), Mode: b.Mode, Content: b.Content, Reason: b.Reason,
		Config: *s.Config.(*SecretCopyConfig)}, nil
}

// copyForm: approve, naming the copy's readers, or deny with a remark.
var copyForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "readers", Type: zhidu.FieldList, Label: text("指定知悉人（用户名）", "Readers of the copy (usernames)"), RequiredFor: []string{OutcomeApprove}},
		{Name: "remark", Type: zhidu.FieldText, Label: text("批示", "Remark"), RequiredFor: []string{OutcomeDenyCopy}, MaxLength: 500},
	},
	Outcomes: []string{OutcomeApprove, OutcomeDenyCopy},
}

type copyDecision struct {
	Readers []string `json:"readers"`
	Remark  string   `json:"remark"`
}

// checkCopyDecision: readers are usernames, each once, at most 50.
func checkCopyDecision(outcome string, d copyDecision) map[string]zhidu.Message {
	if outcome != OutcomeApprove {
		return lineText("remark", d.Remark)
	}
	if len(d.Readers) == 0 || len(d.Readers) > 50 {
		return map[string]zhidu.Message{"readers": zhidu.Say(msgReaders)}
	}
	for i, r := range d.Readers {
		if r == "" || utf8.RuneCountInString(r) > 64 || strings.ContainsAny(r, " \t,") || indexOf(d.Readers, r) != i {
			return map[string]zhidu.Message{"readers": zhidu.Say(msgReaders)}
		}
	}
	return nil
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// SecretCopy is the top-secret copy request: the GM or a deputy GM (not
// the requester) approves, designating the copy's readers, or denies; on
// approval RegisterCopy links the copy to its source and designates its
// readers.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func SecretCopy(ctx workflow.Context, in SecretCopyInput) (SecretCopyResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{StepCopyApproval: rule(checkCopyDecision)}
	if err := p.setup(ctx); err != nil {
		return SecretCopyResult{}, err
	}
	spec := p.task("leadership", StepCopyApproval, text("总经理审批摘抄复制", "Approval of the copy"), zhidu.DeptGMO, in.Config.Approval,
		copyForm, leadership[:2:2])
	spec.Approval = true
	spec.Excluded = []string{p.Info.StartedBy}
	spec.Context = map[string]any{"source": in.Source, "mode": in.Mode, "reason": in.Reason, "requester": p.Info.StartedBy}
	done, d, err := askFor[copyDecision](ctx, p, spec)
	if errors.Is(err, errCancelled) {
		return SecretCopyResult{Outcome: ResultCancelled}, nil
	}
	if err != nil {
		return SecretCopyResult{}, err
	}
	res := SecretCopyResult{Outcome: ResultCopyDenied, DecidedBy: done.Actor.Username}
	if done.Outcome == OutcomeApprove {
		rec := zhidu.CopyRecord{ID: p.Info.ID, Source: in.Source, Mode: in.Mode, Level: p.Info.Level, Reason: in.Reason,
			MadeBy: p.Info.StartedBy, ApprovedBy: done.Actor.Username, Readers: d.Readers, At: workflow.Now(ctx)}
		var skipped []string
		if err := workflow.ExecuteActivity(activityCtx(ctx), ActivityRegisterCopy, rec).Get(ctx, &skipped); err != nil {
			return res, err
		}
		res.Outcome, res.Skipped = ResultCopied, skipped
		for _, r := range d.Readers {
			if indexOf(skipped, r) < 0 {
				res.Readers = append(res.Readers, r)
			}
		}
	}
	if err := p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome}); err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

// The secret copy's own messages.
const (
	msgCannotCopy   = "secret_copy.cannot_ask"
	msgNotTopSecret = "secret_copy.not_top_secret"
	msgReaders      = "secret_copy.readers"
)

var _ = zhidu.DefineMessages(map[string]zhidu.Text{
	msgCannotCopy:   {En: "cannot ask to copy", Zh: "无法提交摘抄复制申请"},
	msgNotTopSecret: {En: "only top-secret material needs this approval", Zh: "只有绝密级资料需要此审批"},
	msgReaders:      {En: "must name 1 to 50 users, each once", Zh: "须指定 1 至 50 名用户，不得重复"},
})
