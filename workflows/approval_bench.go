package workflows

import (
	"fmt"

	"github.com/zhidu/zhidu"
)

// approvalBench: cs.agent asks; the CS department head, then the VP in
// charge approve (two human steps, five activities: two CreateTask, two
// CompleteTask, FinishProcess).
func approvalBench() *BenchScenario {
	return &BenchScenario{
		Starter: "cs.agent",
		Start: func(i int) map[string]any {
			return map[string]any{"title": fmt.Sprintf("bench printer %d", i), "details": "A4, duplex", "level": "internal"}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			b, err := benchBody[struct {
				Title, Details string
				Level          zhidu.Level
			}](body)
			if err != nil {
				return nil, err
			}
			sla, ok := config.(SLA)
			if !ok {
				return nil, fmt.Errorf("approval configuration is a %T, want an SLA", config)
			}
			info.Title, info.Level = b.Title, b.Level
			return ApprovalInput{Process: info, Details: b.Details, SLA: sla}, nil
		},
		Steps: []BenchStep{
			{Step: StepDeptHeadApproval, User: "cs.head", Outcome: OutcomeApprove, Data: map[string]any{"opinion": "同意"}},
			{Step: StepVPApproval, User: "vp.ops", Outcome: OutcomeApprove},
		},
	}
}
