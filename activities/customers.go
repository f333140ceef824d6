package activities

import (
	"context"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// ChangeCustomerClass sets a file's class as a downgrade decided.
func (a *Activities) ChangeCustomerClass(ctx context.Context, r zhidu.ClassChange) error {
	return permanent(a.Store.ChangeClass(ctx, r))
}

// BlacklistCustomer puts a customer on the blacklist as the Marketing
// Division decided in a process.
func (a *Activities) BlacklistCustomer(ctx context.Context, r zhidu.BlacklistDecision) (zhidu.BlacklistEntry, error) {
	e, err := a.Store.BlacklistByDecision(ctx, r)
	return e, permanent(err)
}

// ContestCrossing marks a crossing case contested in its process.
func (a *Activities) ContestCrossing(ctx context.Context, r zhidu.CrossingRecord) error {
	_, err := a.Store.ContestCrossing(ctx, store.AdminChange{Actor: r.Actor}, r.CaseID, &r.ProcessID, r.At)
	return permanent(err)
}

// DecideCrossing records the final decision on a contested crossing.
func (a *Activities) DecideCrossing(ctx context.Context, r zhidu.CrossingRecord) error {
	_, err := a.Store.DecideCrossing(ctx, store.AdminChange{Actor: r.Actor}, r.CaseID, r.Decision, r.Note, r.At)
	return permanent(err)
}

// HandedCustomers lists the files a handover moved.
func (a *Activities) HandedCustomers(ctx context.Context, r workflows.HandedCustomersRequest) ([]zhidu.CustomerRef, error) {
	out, err := a.Store.HandedCustomers(ctx, r.Handover)
	return out, permanent(err)
}

// ApplyOrderChange makes a signed order's change the order-change process
// approved.
func (a *Activities) ApplyOrderChange(ctx context.Context, r zhidu.OrderChange) error {
	return permanent(a.Store.ApplyOrderChange(ctx, r))
}

// RecordHandover records and applies a leaving employee's customer
// handover.
func (a *Activities) RecordHandover(ctx context.Context, r zhidu.SeparationRecord) error {
	return permanent(a.Store.RecordHandover(ctx, r))
}
