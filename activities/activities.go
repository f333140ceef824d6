// Package activities holds every side effect of zhidu's workflows: each
// activity writes the projection, the timeline and the audit trail in one
// PostgreSQL transaction, and is idempotent under retries.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/metrics"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// Activities are the workflows' side effects; the fields are their
// dependencies.
type Activities struct {
	Store *store.Store
}

// Register registers every activity under the name the workflows use.
func (a *Activities) Register(r worker.ActivityRegistry) {
	for name, fn := range map[string]any{
		workflows.ActivityCreateTask:        a.CreateTask,
		workflows.ActivityCompleteTask:      a.CompleteTask,
		workflows.ActivityAssignTask:        a.AssignTask,
		workflows.ActivityRecordTaskEvent:   a.RecordTaskEvent,
		workflows.ActivityFinishProcess:     a.FinishProcess,
		workflows.ActivitySetLevel:          a.SetProcessLevel,
		workflows.ActivityRecordComplaint:   a.RecordComplaint,
		workflows.ActivityShareProcess:      a.ShareProcess,
		workflows.ActivitySetMembers:        a.SetProcessMembers,
		workflows.ActivityIssueVoucher:      a.IssueVoucher,
		workflows.ActivityRecordChild:       a.RecordChildStart,
		workflows.ActivityProcessEvent:      a.RecordProcessEvent,
		workflows.ActivityRecordRegister:    a.RecordRegister,
		workflows.ActivityDecideMatrix:      a.DecideApprovalMatrix,
		workflows.ActivityLoadSuppliers:     a.LoadSuppliers,
		workflows.ActivityApproveSupplier:   a.ApproveSupplier,
		workflows.ActivityExcludeUsers:      a.ExcludeFromTasks,
		workflows.ActivitySetProbation:      a.SetProbation,
		workflows.ActivitySeparate:          a.SeparateEmployee,
		workflows.ActivityColleagues:        a.Colleagues,
		workflows.ActivityHandOverPlan:      a.HandOverPlan,
		workflows.ActivityChangeClass:       a.ChangeCustomerClass,
		workflows.ActivityBlacklistCustomer: a.BlacklistCustomer,
		workflows.ActivityContestCrossing:   a.ContestCrossing,
		workflows.ActivityDecideCrossing:    a.DecideCrossing,
		workflows.ActivityHandedCustomers:   a.HandedCustomers,
		workflows.ActivityApplyOrderChange:  a.ApplyOrderChange,
		workflows.ActivityRecordHandover:    a.RecordHandover,
		workflows.ActivityWriteGrant:        a.WriteGrant,
		workflows.ActivityRevokeGrant:       a.RevokeGrant,
		workflows.ActivityRegisterCopy:      a.RegisterCopy,
	} {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

// permanent marks errors no retry can fix (bad input) as non-retryable.
func permanent(err error) error {
	var e *zhidu.Error
	if errors.As(err, &e) && (e.Code == zhidu.CodeInvalid || e.Code == zhidu.CodeConflict || e.Code == zhidu.CodeNotFound) {
		return temporal.NewNonRetryableApplicationError(e.Message, string(e.Code), err)
	}
	return err
}

// CreateTask puts a human task in the inbox (once per run and step) and
// reports how many people may work it.
func (a *Activities) CreateTask(ctx context.Context, in zhidu.CreateTaskInput) (zhidu.CreateTaskResult, error) {
	n, err := a.Store.CreateTask(ctx, in)
	if err != nil {
		return zhidu.CreateTaskResult{}, permanent(err)
	}
	if activity.GetInfo(ctx).Attempt == 1 {
		metrics.TasksCreated.WithLabelValues(in.Process.Kind).Inc()
	}
	return zhidu.CreateTaskResult{Eligible: n}, nil
}

// CompleteTask records a task's completion.
func (a *Activities) CompleteTask(ctx context.Context, r zhidu.CompletionRecord) error {
	if err := a.Store.CompleteTask(ctx, r); err != nil {
		return permanent(err)
	}
	if activity.GetInfo(ctx).Attempt == 1 {
		metrics.TasksCompleted.WithLabelValues(kindOf(r.ProcessID)).Inc()
	}
	return nil
}

// AssignTask records a delegation or reassignment.
func (a *Activities) AssignTask(ctx context.Context, r zhidu.AssignRecord) error {
	return permanent(a.Store.AssignTask(ctx, r))
}

// RecordTaskEvent records a reminder or an escalation and returns how many
// people may now work the task.
func (a *Activities) RecordTaskEvent(ctx context.Context, e zhidu.TaskEvent) (int, error) {
	n, err := a.Store.RecordTaskEvent(ctx, e)
	return n, permanent(err)
}

// FinishProcess records the end of a process.
func (a *Activities) FinishProcess(ctx context.Context, r zhidu.FinishRecord) error {
	return permanent(a.Store.FinishProcess(ctx, r))
}

// kindOf returns the kind prefix of a process ID ("approval-…").
func kindOf(processID string) string {
	for i := range len(processID) {
		if processID[i] == '-' {
			return processID[:i]
		}
	}
	return processID
}

// SetProcessLevel records a change of a process's level.
func (a *Activities) SetProcessLevel(ctx context.Context, r zhidu.LevelRecord) error {
	return permanent(a.Store.SetProcessLevel(ctx, r))
}

// ShareProcess gives more departments a process's copies.
func (a *Activities) ShareProcess(ctx context.Context, r zhidu.ShareRecord) error {
	return permanent(a.Store.ShareProcess(ctx, r))
}

// SetProcessMembers changes a process's named readers (a probation's
// mentor).
func (a *Activities) SetProcessMembers(ctx context.Context, r zhidu.MemberRecord) error {
	return permanent(a.Store.SetProcessMembers(ctx, r))
}

// IssueVoucher returns the voucher number of a reconciliation, issuing
// it the first time.
func (a *Activities) IssueVoucher(ctx context.Context, r zhidu.VoucherRequest) (string, error) {
	n, err := a.Store.IssueVoucher(ctx, r)
	return n, permanent(err)
}

// RecordChildStart records a process its parent started.
func (a *Activities) RecordChildStart(ctx context.Context, r zhidu.ChildStart) error {
	return permanent(a.Store.RecordChildStart(ctx, r))
}

// RecordProcessEvent appends an entry to a process's timeline.
func (a *Activities) RecordProcessEvent(ctx context.Context, e zhidu.ProcessEvent) error {
	return permanent(a.Store.RecordProcessEvent(ctx, e))
}

// RecordComplaint records a complaint step's decisions in the register.
func (a *Activities) RecordComplaint(ctx context.Context, r zhidu.ComplaintRecord) error {
	return a.RecordRegister(ctx, workflows.ComplaintEntry(r))
}

// RecordRegister adds a step's record to its process's register entry,
// once its fields fit the kind's register: a value of a field a column
// shows must be of the column's type.
func (a *Activities) RecordRegister(ctx context.Context, r zhidu.RegisterRecord) error {
	if err := checkEntry(r); err != nil {
		return permanent(err)
	}
	return permanent(a.Store.RecordRegister(ctx, r))
}

// checkEntry checks a register record against its kind's register.
func checkEntry(r zhidu.RegisterRecord) error {
	d, ok := workflows.Lookup(r.Kind)
	if !ok || d.Register == nil {
		return zhidu.Errorf(zhidu.CodeInvalid, "process kind %q keeps no register", r.Kind)
	}
	errs := map[string]zhidu.Message{}
	for _, c := range d.Register.Columns {
		for _, src := range c.From {
			v, ok := r.Fields[src.Field]
			if src.Field == "" || !ok || v == nil {
				continue
			}
			if !fits(c.Type, v) {
				errs[src.Field] = zhidu.Plain(fmt.Sprintf("must be a %s value for register column %s, not %v", c.Type, c.Name, v))
			}
		}
	}
	if len(errs) > 0 {
		return zhidu.Invalid(zhidu.Plain("register entry of "+r.ProcessID), errs)
	}
	return nil
}

// fits reports whether a JSON value (as an activity's argument decodes)
// is one of the type's values.
func fits(t zhidu.ColumnType, v any) bool {
	switch v := v.(type) {
	case string:
		if t == zhidu.ColumnTime {
			_, err := time.Parse(time.RFC3339Nano, v)
			return err == nil
		}
		return t == zhidu.ColumnText
	case bool:
		return t == zhidu.ColumnBool
	case float64, json.Number, int, int64:
		return t == zhidu.ColumnNumber
	case time.Time:
		return t == zhidu.ColumnTime
	}
	return false
}

// WriteGrant writes an approved file-access request's read grant, with
// its timeline and audit entries.
func (a *Activities) WriteGrant(ctx context.Context, r zhidu.GrantRecord) error {
	return permanent(a.Store.WriteGrant(ctx, r))
}

// RevokeGrant takes a read grant back (expired, returned, revoked,
// cancelled), with its timeline and audit entries.
func (a *Activities) RevokeGrant(ctx context.Context, r zhidu.GrantRevocation) error {
	return permanent(a.Store.RevokeGrant(ctx, r))
}

// RegisterCopy registers an approved top-secret copy, linked to its
// source, and designates its readers; it returns the readers who are no
// active user (left out).
func (a *Activities) RegisterCopy(ctx context.Context, r zhidu.CopyRecord) ([]string, error) {
	skipped, err := a.Store.RegisterCopy(ctx, r)
	return skipped, permanent(err)
}
