package main

import (
	"context"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// leakScenarios: a leak report handled by the deputy GM.
func init() { scenarios = append(scenarios, leakScenarios...) }

var leakScenarios = []scenario{
	{name: "leak-remedied", outcome: workflows.ResultRemedied,
		start: func(id string) (string, any) {
			return workflows.WorkflowLeak, workflows.LeakInput{
				Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindLeak, Title: "泄密报告", Level: zhidu.Secret, Department: zhidu.DeptGMO,
					StartedBy: salesRep.Username, Readers: []zhidu.Department{zhidu.DeptBMO}, Barred: []string{salesRep.Username}},
				What: "客户名单", FoundAt: time.Now().UTC(), How: "遗落在会议室", Config: workflows.DefaultLeakConfig(),
			}
		},
		drive: func(ctx context.Context, d *driver) error {
			if err := d.refused(ctx, "leadership", deputy, workflows.OutcomeRemedied, map[string]any{"remedies": []any{"pray"}}, zhidu.CodeInvalid); err != nil {
				return err
			}
			return d.act(ctx, "leadership", deputy, workflows.OutcomeRemedied, map[string]any{"remedies": []any{"recall", "investigate"}})
		}},
}
