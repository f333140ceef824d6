//go:build example

package workflows

import (
	"fmt"

	"github.com/zhidu/zhidu"
)

// exampleLeaveBench: a one-day leave the department head grants.
func exampleLeaveBench() *BenchScenario {
	return &BenchScenario{
		Starter: "sales.rep",
		Start: func(i int) map[string]any {
			return map[string]any{"days": 1, "reason": fmt.Sprintf("bench leave %d", i)}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			b, err := benchBody[exampleLeaveStart](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(ExampleLeaveConfig)
			if !ok {
				return nil, fmt.Errorf("example leave configuration is a %T, want an ExampleLeaveConfig", config)
			}
			return prepareExampleLeave(b, StartContext{Process: &info, Config: &cfg})
		},
		Steps: []BenchStep{{Step: StepLeaveHead, User: "sales.head", Outcome: OutcomeGrant, Data: map[string]any{}}},
	}
}
