package main

import (
	"context"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

var secadmin = actor("secadmin", zhidu.DeptGMO, zhidu.Internal, zhidu.RoleSecAdmin, zhidu.DeptGMO)

func init() { scenarios = append(scenarios, matrixScenarios...) }

// matrixScenarios drive the GM's decision on an approval matrix version.
var matrixScenarios = []scenario{
	{name: "matrix-change-approved", start: matrixChangeStart, outcome: workflows.ResultApproved,
		drive: func(ctx context.Context, d *driver) error {
			// The proposer never decides their own proposal.
			if err := d.refused(ctx, "gm", secadmin, workflows.OutcomeApprove, nil, zhidu.CodeForbidden); err != nil {
				return err
			}
			return d.act(ctx, "gm", gm, workflows.OutcomeApprove, map[string]any{"opinion": "同意"})
		}},
	{name: "matrix-change-rejected", start: matrixChangeStart, outcome: workflows.ResultRejected,
		drive: func(ctx context.Context, d *driver) error {
			return d.act(ctx, "gm", gm, workflows.OutcomeReject, map[string]any{"opinion": "财务须审核每一笔采购"})
		}},
}

func matrixChangeStart(id string) (string, any) {
	cfg := workflows.DefaultMatrixChangeConfig()
	return workflows.WorkflowMatrixChange, workflows.NewMatrixChange(id, secadmin.Username, 2, 1, "小额临时采购不再经财务审核",
		[]string{"~ rules[3] temporary/*/*/[0, 2000.01): dept_head@requester → staff@fin ⇒ dept_head@requester"}, &cfg)
}

func (stubs) decideMatrix(context.Context, workflows.MatrixDecision) error { return nil }
