package activities

import (
	"context"

	"github.com/zhidu/zhidu"
)

// LoadSuppliers returns suppliers as they stand now (nil: every one), for
// a purchase's sourcing and recusal.
func (a *Activities) LoadSuppliers(ctx context.Context, ids []string) ([]zhidu.Supplier, error) {
	list, err := a.Store.Suppliers(ctx, ids)
	return list, permanent(err)
}

// ApproveSupplier records a supplier's supply state as a purchase decided
// it: a first-time supplier passed its sample test and trial batch.
func (a *Activities) ApproveSupplier(ctx context.Context, r zhidu.SupplyRecord) error {
	return permanent(a.Store.SetSupplyState(ctx, r.Supplier, r.State, r.Actor, r.At))
}

// ExcludeFromTasks keeps recused users off a purchase's open tasks.
func (a *Activities) ExcludeFromTasks(ctx context.Context, r zhidu.ExclusionRecord) error {
	return permanent(a.Store.ExcludeFromTasks(ctx, r))
}
