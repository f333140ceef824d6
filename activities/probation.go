package activities

import (
	"context"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// SetProbation sets or clears the employee's probation flag.
func (a *Activities) SetProbation(ctx context.Context, f zhidu.ProbationFlag) error {
	return permanent(a.Store.SetProbation(ctx, f))
}

// SeparateEmployee carries out a confirmed separation: the account
// disabled and the customers' handover recorded, in one transaction
// (store.SeparateEmployee); the tasks are handed over by their processes.
func (a *Activities) SeparateEmployee(ctx context.Context, r zhidu.SeparationRecord) error {
	return permanent(a.Store.SeparateEmployee(ctx, r))
}

// Colleagues returns the active users of a department but one: whom a
// separated employee's work may go to.
func (a *Activities) Colleagues(ctx context.Context, r workflows.ColleaguesRequest) ([]string, error) {
	names, err := a.Store.Colleagues(ctx, r.Department, r.Except)
	return names, permanent(err)
}

// HandOverPlan lists, per process, the open tasks a separation hands to
// the colleague, with the colleague's facts.
func (a *Activities) HandOverPlan(ctx context.Context, r zhidu.HandOverPlanRequest) (zhidu.HandOverPlan, error) {
	plan, err := a.Store.HandOverPlan(ctx, r)
	return plan, permanent(err)
}
