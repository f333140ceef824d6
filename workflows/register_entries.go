package workflows

import (
	"github.com/zhidu/zhidu"
	"go.temporal.io/sdk/workflow"
)

// recordEntry adds to the process's register entry (its descriptor's
// Register) with the generic RecordRegister activity: the fields a step
// decided, and, when the process closes, its retention.
func (p *process) recordEntry(ctx workflow.Context, r zhidu.RegisterRecord) error {
	r.ProcessID, r.Kind, r.At = p.Info.ID, p.Info.Kind, workflow.Now(ctx)
	info := p.Info
	r.Process = &info
	return p.project(ctx, ActivityRecordRegister, r).Get(ctx, nil)
}

// stateChoices are the process states, as a register's state filter
// offers them.
func stateChoices() []string {
	return []string{string(zhidu.ProcessRunning), string(zhidu.ProcessCompleted), string(zhidu.ProcessCancelled), string(zhidu.ProcessFailed)}
}

// The sources a register column is read from.
func fromFact(f zhidu.Fact) []zhidu.Source { return []zhidu.Source{{Fact: f}} }
func fromInput(path string) []zhidu.Source { return []zhidu.Source{{Input: path}} }
func fromField(name string) []zhidu.Source { return []zhidu.Source{{Field: name}} }
func fromFieldOrInput(name string) []zhidu.Source {
	return []zhidu.Source{{Field: name}, {Input: name}}
}
