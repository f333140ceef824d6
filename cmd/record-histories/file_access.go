package main

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// fileAccessScenarios: a grant that expires by its timer, one returned
// early and one revoked by the GM, and a declined request.
func init() { scenarios = append(scenarios, fileAccessScenarios...) }

var fileAccessScenarios = []scenario{
	{name: "file-access-expired", start: fileAccessStart(2 * time.Second), outcome: workflows.ResultGrantExpired,
		drive: func(ctx context.Context, d *driver) error {
			if err := d.refused(ctx, "gm", salesRep, workflows.OutcomeApprove, nil, zhidu.CodeForbidden); err != nil {
				return err
			}
			return d.act(ctx, "gm", gm, workflows.OutcomeApprove, nil)
		}},
	{name: "file-access-returned", start: fileAccessStart(time.Hour), outcome: workflows.ResultGrantReturned,
		drive: func(ctx context.Context, d *driver) error {
			if err := d.act(ctx, "gm", gm, workflows.OutcomeApprove, nil); err != nil {
				return err
			}
			if err := d.refusedUpdate(ctx, workflows.UpdateRevokeGrant, zhidu.GrantEndRequest{Actor: salesRep, Reason: "x"}, zhidu.CodeForbidden); err != nil {
				return err
			}
			return granted(ctx, d, workflows.UpdateReturnGrant, zhidu.GrantEndRequest{Actor: salesRep, Reason: "看完了"})
		}},
	{name: "file-access-revoked", start: fileAccessStart(time.Hour), outcome: workflows.ResultGrantRevoked,
		drive: func(ctx context.Context, d *driver) error {
			if err := d.act(ctx, "gm", gm, workflows.OutcomeApprove, nil); err != nil {
				return err
			}
			return granted(ctx, d, workflows.UpdateRevokeGrant, zhidu.GrantEndRequest{Actor: gm, Reason: "不再需要"})
		}},
	{name: "file-access-declined", start: fileAccessStart(time.Hour), outcome: workflows.ResultAccessDeclined,
		drive: func(ctx context.Context, d *driver) error {
			return d.act(ctx, "gm", gm, workflows.OutcomeDenyAccess, map[string]any{"remark": "无必要"})
		}},
}

// fileAccessStart: sales.rep asks to read customer service's customer
// files for d, as the API's start would.
func fileAccessStart(d time.Duration) func(id string) (string, any) {
	return func(id string) (string, any) {
		return workflows.WorkflowFileAccess, workflows.FileAccessInput{
			Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindFileAccess, Title: "查阅 department:cs", Level: zhidu.Internal,
				Department: zhidu.DeptSales, StartedBy: salesRep.Username},
			Target: "department:cs", Reason: "核对投诉", Duration: d, Config: workflows.DefaultFileAccessConfig(),
		}
	}
}

// granted sends a return or revocation once the grant is written (until
// then the workflow refuses it: not granted yet).
func granted(ctx context.Context, d *driver, update string, req zhidu.GrantEndRequest) error {
	for {
		err := d.update(ctx, update, req)
		var appErr *temporal.ApplicationError
		if err == nil || !errors.As(err, &appErr) || appErr.Type() != string(zhidu.CodeConflict) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}
