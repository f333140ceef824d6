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

// The leak report (泄密报告, DOMAIN.md "Secrecy levels"): whoever finds or
// causes a leak reports it to headquarters leadership at once. Any
// employee files it (POST /api/v1/leaks, or /processes/leak); it is one
// urgent task offered to the GM and the deputy GMs at once (highest
// priority, a short SLA, a reminder and an escalation), showing the leaked
// object's level and designations when the report names one; the handler
// records the remedies chosen.
//
// Who reads it: the GM's office and compliance (营管办) only. The report
// is secret, owned by the GM's office and confined to compliance's
// department (Readers: bmo), and it bars its reporter — unless the
// reporter is of the GM's office or compliance — so that not even they
// read it back once filed (the start answers with its ID only).

// The leak report's kind, workflow, step, outcome and result.
const (
	KindLeak     = "leak"
	WorkflowLeak = "LeakReport"

	StepLeakHandling = "leak_handling"

	OutcomeRemedied = "remedied"
	ResultRemedied  = "leak_remedied"
)

// LeakRemedies are the remedies a handler chooses from.
var LeakRemedies = []string{"recall", "contain", "notify_affected", "change_credentials", "revoke_access", "investigate",
	"discipline", "report_authorities", "other"}

// LeakConfig is the leak report's configuration.
type LeakConfig struct {
	// Handling is the handling step's SLA: due soon, a reminder, and an
	// escalation (the GM added again: an escalation event each handler
	// is told of).
	Handling SLA `json:"handling"`
}

// DefaultLeakConfig: handled within 2 hours, a reminder after 30
// minutes, escalated after an hour.
func DefaultLeakConfig() LeakConfig {
	return LeakConfig{Handling: SLA{Due: 2 * time.Hour, Reminder: 30 * time.Minute, Escalate: []time.Duration{time.Hour}}}
}

// LeakInput starts a leak report.
type LeakInput struct {
	Process zhidu.ProcessInfo `json:"process"`
	What    string            `json:"what"`
	Object  string            `json:"object,omitempty"`
	// Found describes the object as the handlers see it: its level,
	// department and designations (nil: none named, or none found).
	Found   *ObjectInfo `json:"found,omitempty"`
	FoundAt time.Time   `json:"found_at"`
	How     string      `json:"how"`
	Config  LeakConfig  `json:"config"`
}

// LeakResult is who handled the report and the remedies chosen.
type LeakResult struct {
	Outcome   string   `json:"outcome"`
	HandledBy string   `json:"handled_by,omitempty"`
	Remedies  []string `json:"remedies,omitempty"`
}

func leakDescriptor() Descriptor {
	return Descriptor{
		Kind: KindLeak, Workflow: WorkflowLeak, Func: LeakReport,
		Label: text("泄密报告", "Leak report"),
		Description: text("发现或发生泄密情况，应立即向总公司领导报告：总经理、副总经理同时收到紧急任务，记录所采取的补救措施。仅总经理办公室和营管办可查阅。",
			"Report a leak at once: the GM and the deputy GMs get an urgent task together and record the remedies. Only the GM's office and compliance read it."),
		Submit: text("立即报告", "Report now"),
		Steps:  []Step{{StepLeakHandling, text("泄密处置", "Leak handling")}},
		StartForm: zhidu.Form{Fields: []zhidu.Field{
			{Name: "what", Type: zhidu.FieldText, Label: text("泄露内容", "What leaked"), Required: true, MaxLength: 4000},
			{Name: "object", Type: zhidu.FieldText, Label: text("涉及对象（如 process:编号，已知时填写）", "The object, when known (process:ID)"), MaxLength: 200},
			{Name: "found_at", Type: zhidu.FieldText, Label: text("发现时间", "Found at"), Required: true, MaxLength: 40},
			{Name: "how", Type: zhidu.FieldText, Label: text("泄露经过", "How"), Required: true, MaxLength: 4000},
		}},
		Starters: []Starter{{Roles: everyone, Department: AnyDepartment}},
		Owner:    func(zhidu.Actor) zhidu.Department { return zhidu.DeptGMO },
		Defaults: func() any { return DefaultLeakConfig() },
		Alias:    "leaks",
		Body:     func() any { return new(leakStart) },
		Prepare: func(ctx context.Context, b any, s StartContext) (any, error) {
			return prepareLeak(ctx, *b.(*leakStart), s)
		},
		Record: func(input any) map[string]any {
			in, _ := input.(LeakInput)
			return map[string]any{"what": in.What, "object": in.Object, "found_at": in.FoundAt, "how": in.How}
		},
		Bench: leakBench(),
		Labels: map[string]zhidu.Text{
			"outcome." + OutcomeRemedied: text("已处置", "Remedied"),
			"outcome." + ResultRemedied:  text("泄密已处置", "Leak remedied"),
			"field.remedies":             text("补救措施", "Remedies"),
			"value.recall":               text("收回", "Recall"), "value.contain": text("控制扩散", "Contain"),
			"value.notify_affected": text("通知相关方", "Notify those affected"), "value.change_credentials": text("更换口令密钥", "Change credentials"),
			"value.revoke_access": text("收回权限", "Revoke access"), "value.investigate": text("调查", "Investigate"),
			"value.report_authorities": text("上报主管部门", "Report to the authorities"),
			"value.other":              text("其他", "Other"),
		},
	}
}

// leakStart is the start body.
type leakStart struct {
	What    string `json:"what"`
	Object  string `json:"object" text:"line"`
	FoundAt string `json:"found_at" text:"line"`
	How     string `json:"how"`
}

// prepareLeak checks a report: what and how, when it was found (RFC 3339,
// not in the future), and the object's form when one is named. The
// object is looked up whoever reports (the reporter need not read it): a
// missing one is recorded as named, with nothing found, so that the answer
// says nothing of what exists.
func prepareLeak(ctx context.Context, b leakStart, s StartContext) (any, error) {
	errs := map[string]zhidu.Message{}
	checkText(errs, "what", b.What, true, true, 4000)
	checkText(errs, "how", b.How, true, true, 4000)
	found, err := time.Parse(time.RFC3339, strings.TrimSpace(b.FoundAt))
	switch {
	case strings.TrimSpace(b.FoundAt) == "":
		errs["found_at"] = zhidu.Required()
	case err != nil:
		errs["found_at"] = zhidu.Say(msgFoundAtFormat)
	case found.After(s.Now.Add(5 * time.Minute)):
		errs["found_at"] = zhidu.Say(msgFoundAtFuture)
	}
	var info *ObjectInfo
	if b.Object != "" {
		if _, err := zhidu.ParseObjectRef(b.Object); err != nil {
			errs["object"] = zhidu.Said(err)
		} else if s.Objects != nil {
			o, err := s.Objects.Object(ctx, s.Starter, b.Object)
			switch {
			case err == nil:
				o.Ref, o.Readable = b.Object, false
				info = &o
			case zhidu.ErrorCode(err) != zhidu.CodeNotFound:
				return nil, err
			}
		}
	}
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.Say(msgCannotReportLeak), errs)
	}
	p := s.Process
	p.Title, p.Level, p.Readers = "泄密报告", zhidu.Secret, []zhidu.Department{zhidu.DeptBMO}
	if !s.Starter.IsLeadership() && !s.Starter.HasRole(zhidu.RoleCompliance) {
		p.Barred = []string{s.Starter.Username}
	}
	return LeakInput{Process: *p, What: b.What, Object: b.Object, Found: info, FoundAt: found.UTC(), How: b.How,
		Config: *s.Config.(*LeakConfig)}, nil
}

var leakForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "remedies", Type: zhidu.FieldList, Label: text("补救措施", "Remedies"), Required: true, Choices: LeakRemedies},
		{Name: "notes", Type: zhidu.FieldText, Label: text("处置说明", "Notes"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeRemedied},
}

type leakHandling struct {
	Remedies []string `json:"remedies"`
	Notes    string   `json:"notes"`
}

// checkLeakHandling: at least one remedy, each of LeakRemedies, once.
func checkLeakHandling(_ string, d leakHandling) map[string]zhidu.Message {
	for i, r := range d.Remedies {
		if !slices.Contains(LeakRemedies, r) || slices.Index(d.Remedies, r) != i {
			return map[string]zhidu.Message{"remedies": zhidu.OneOf(LeakRemedies)}
		}
	}
	if len(d.Remedies) == 0 {
		return map[string]zhidu.Message{"remedies": zhidu.Required()}
	}
	return nil
}

// LeakReport is the leak report: one urgent task for the GM and the
// deputy GMs at once; whoever handles it records the remedies, and the
// report closes.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func LeakReport(ctx workflow.Context, in LeakInput) (LeakResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{StepLeakHandling: rule(checkLeakHandling)}
	if err := p.setup(ctx); err != nil {
		return LeakResult{}, err
	}
	spec := p.task("leadership", StepLeakHandling, text("泄密处置", "Leak handling"), zhidu.DeptGMO, in.Config.Handling, leakForm,
		leadership[:2:2], leadership[1:])
	spec.Priority = zhidu.PriorityUrgent
	spec.Context = map[string]any{"what": in.What, "how": in.How, "found_at": in.FoundAt, "reported_by": p.Info.StartedBy}
	if in.Object != "" {
		spec.Context["object"] = in.Object
	}
	if f := in.Found; f != nil {
		spec.Context["object_level"] = f.Level.String()
		spec.Context["object_department"] = string(f.Department)
		spec.Context["object_designated"] = f.Designated
	}
	done, d, err := askFor[leakHandling](ctx, p, spec)
	if errors.Is(err, errCancelled) {
		return LeakResult{Outcome: ResultCancelled}, nil
	}
	if err != nil {
		return LeakResult{}, err
	}
	res := LeakResult{Outcome: ResultRemedied, HandledBy: done.Actor.Username, Remedies: d.Remedies}
	if err := p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome}); err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

// The leak report's own messages.
const (
	msgCannotReportLeak = "leak.cannot_report"
	msgFoundAtFormat    = "leak.found_at_format"
	msgFoundAtFuture    = "leak.found_at_future"
)

var _ = zhidu.DefineMessages(map[string]zhidu.Text{
	msgCannotReportLeak: {En: "cannot file the leak report", Zh: "无法提交泄密报告"},
	msgFoundAtFormat:    {En: "must be a time such as 2026-12-01T09:30:00+08:00", Zh: "须为时间，如 2026-12-01T09:30:00+08:00"},
	msgFoundAtFuture:    {En: "must not be in the future", Zh: "不得晚于当前时间"},
})
