package activities

import (
	"context"

	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// DecideApprovalMatrix records the GM's decision on a proposed version of
// the approval matrix: approved, it becomes the active version; rejected
// (or withdrawn), it is kept as rejected. Audited; a retry decides nothing
// twice.
func (a *Activities) DecideApprovalMatrix(ctx context.Context, d workflows.MatrixDecision) error {
	return permanent(a.Store.DecideMatrix(ctx, store.MatrixDecision{Version: d.Version, ProcessID: d.ProcessID, Approve: d.Approve,
		Actor: d.Actor, OnBehalfOf: d.OnBehalfOf, Address: d.Address, Reason: d.Reason, At: d.At}))
}
