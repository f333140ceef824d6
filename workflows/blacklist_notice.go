package workflows

import (
	"errors"
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The blacklist notice (通知各销售部门): when the Marketing Division puts
// a customer on the company blacklist through the API (POST
// /api/v1/customers/{id}/blacklist), every sales department's head is told
// in a task of their own, as a blacklisting decided in a downgrade does.
// Only zhidu starts it, once per blacklist entry.
const (
	KindBlacklistNotice     = "blacklist_notice"
	WorkflowBlacklistNotice = "BlacklistNotice"
)

// BlacklistNoticeConfig is the notice's configuration.
type BlacklistNoticeConfig struct {
	Notice           SLA                `json:"notice"`
	SalesDepartments []zhidu.Department `json:"sales_departments"`
}

// DefaultBlacklistNoticeConfig returns the defaults: the downgrade's.
func DefaultBlacklistNoticeConfig() BlacklistNoticeConfig {
	d := DefaultCustomerDowngradeConfig()
	return BlacklistNoticeConfig{Notice: d.Notice, SalesDepartments: d.SalesDepartments}
}

// BlacklistNoticeInput names the blacklisting.
type BlacklistNoticeInput struct {
	Process  zhidu.ProcessInfo `json:"process"`
	Entry    int64             `json:"entry"`
	Customer zhidu.CustomerRef `json:"customer"`
	Reason   string            `json:"reason"`
	// Parent is the downgrade that decided the blacklisting, if one did.
	Parent string                `json:"parent,omitempty"`
	Config BlacklistNoticeConfig `json:"config"`
}

// BlacklistNoticeResult counts the heads told.
type BlacklistNoticeResult struct {
	Outcome string `json:"outcome"`
	Told    int    `json:"told"`
}

// NewBlacklistNotice is the notice of blacklist entry e of file c. Its ID
// is derived from the file's and the entry's, so that the notice is
// started once.
func NewBlacklistNotice(e zhidu.BlacklistEntry, c zhidu.CustomerRef, config any) BlacklistNoticeInput {
	cfg := configOr(config, DefaultBlacklistNoticeConfig)
	id := ProcessID(KindBlacklistNotice, e.CustomerID, strconv.FormatInt(e.ID, 10))
	return BlacklistNoticeInput{
		Process: zhidu.ProcessInfo{ID: id, Kind: KindBlacklistNotice, Title: c.Name, Level: max(c.Level, zhidu.Internal),
			Department: zhidu.DeptMkt, StartedBy: e.By},
		Entry: e.ID, Customer: c, Reason: e.Reason, Config: cfg,
	}
}

func blacklistNoticeDescriptor() Descriptor {
	return Descriptor{
		Kind: KindBlacklistNotice, Workflow: WorkflowBlacklistNotice, Func: BlacklistNotice, Internal: true,
		Label: text("黑名单通知", "Blacklist notice"),
		Description: text("市场部将客户列入销售客户黑名单后，通知各销售部门经理。",
			"The Marketing Division put a customer on the blacklist: every sales department's head is told."),
		Steps:    []Step{{StepBlacklistNotice, text("黑名单通知", "Blacklist notice")}},
		Owner:    func(zhidu.Actor) zhidu.Department { return zhidu.DeptMkt },
		Defaults: func() any { return DefaultBlacklistNoticeConfig() },
		Record: func(input any) map[string]any {
			in, _ := input.(BlacklistNoticeInput)
			return map[string]any{"entry": in.Entry, "customer": in.Customer.ID}
		},
	}
}

// BlacklistNotice tells every sales department's head of a blacklisting.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func BlacklistNotice(ctx workflow.Context, in BlacklistNoticeInput) (BlacklistNoticeResult, error) {
	p := newProcess(ctx, in.Process)
	if err := p.setup(ctx); err != nil {
		return BlacklistNoticeResult{}, err
	}
	if in.Parent != "" {
		start := zhidu.ChildStart{Process: p.Info, Input: blacklistNoticeDescriptor().Record(in), Parent: in.Parent,
			Actor: in.Process.StartedBy, At: workflow.Now(ctx)}
		if err := p.project(ctx, ActivityRecordChild, start).Get(ctx, nil); err != nil {
			return BlacklistNoticeResult{}, err
		}
	}
	err := noticeAll(ctx, p, in.Config.Notice, in.Config.SalesDepartments,
		map[string]any{"customer": in.Customer.Name, "reason": in.Reason, "decided_by": in.Process.StartedBy})
	if errors.Is(err, errCancelled) {
		return BlacklistNoticeResult{Outcome: ResultCancelled}, p.wrapUp(ctx)
	}
	if err != nil {
		return BlacklistNoticeResult{}, err
	}
	res := BlacklistNoticeResult{Outcome: OutcomeAcknowledged, Told: len(in.Config.SalesDepartments)}
	if err := p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome}); err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}
