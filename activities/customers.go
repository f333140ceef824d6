package activities

import (
	"context"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// ChangeCustomerClass sets a file's class as a downgrade decided.
func (a *Activities) ChangeCustomerClass(ctx context.Context, r zhidu.ClassChange) error {
	return permanent(a.Store.ChangeClass(ctx, r))
}

// BlacklistCustomer puts a customer on the blacklist as the Marketing
// Division decided in a process.
func (a *Activities) BlacklistCustomer(ctx context.Context, r zhidu.BlacklistDecision) error {
	return permanent(a.Store.BlacklistByDecision(ctx, r))
}

// ContestCrossing marks a crossing case contested.
func (a *Activities) ContestCrossing(ctx context.Context, r zhidu.CrossingRecord) error {
	return permanent(a.Store.ContestCrossing(ctx, r))
}

// DecideCrossing records the final decision on a contested crossing.
func (a *Activities) DecideCrossing(ctx context.Context, r zhidu.CrossingRecord) error {
	return permanent(a.Store.DecideCrossing(ctx, r))
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
