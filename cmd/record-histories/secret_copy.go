package main

import (
	"context"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// secretCopyScenarios: an excerpt of a top-secret approval approved by the
// deputy GM, and one denied.
func init() { scenarios = append(scenarios, secretCopyScenarios...) }

func secretCopyStart(id string) (string, any) {
	return workflows.WorkflowSecretCopy, workflows.SecretCopyInput{
		Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindSecretCopy, Title: "摘抄 process:p-top", Level: zhidu.TopSecret,
			Department: zhidu.DeptSales, StartedBy: salesRep.Username},
		Source: "process:p-top", Mode: zhidu.CopyExcerpt, Content: "第三条", Reason: "起草报告", Config: workflows.DefaultSecretCopyConfig(),
	}
}

var secretCopyScenarios = []scenario{
	{name: "secret-copy-approved", start: secretCopyStart, outcome: workflows.ResultCopied,
		drive: func(ctx context.Context, d *driver) error {
			if err := d.refused(ctx, "leadership", deputy, workflows.OutcomeApprove, nil, zhidu.CodeInvalid); err != nil {
				return err
			}
			return d.act(ctx, "leadership", deputy, workflows.OutcomeApprove, map[string]any{"readers": []any{"sales.rep", "vp.ops"}})
		}},
	{name: "secret-copy-denied", start: secretCopyStart, outcome: workflows.ResultCopyDenied,
		drive: func(ctx context.Context, d *driver) error {
			return d.act(ctx, "leadership", gm, workflows.OutcomeDenyCopy, map[string]any{"remark": "不必复制"})
		}},
}
