package workflows

import (
	"fmt"
	"time"

	"github.com/zhidu/zhidu"
)

// leakBench: compliance (bmo.auditor) reports a leak — a reporter of
// another department could not follow it to its end, being barred from
// it —; the deputy GM handles it (one human step).
func leakBench() *BenchScenario {
	return &BenchScenario{
		Starter: "bmo.auditor",
		Start: func(i int) map[string]any {
			return map[string]any{"what": fmt.Sprintf("bench leak %d", i), "found_at": time.Now().UTC().Format(time.RFC3339), "how": "遗失"}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			b, err := benchBody[leakStart](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(LeakConfig)
			if !ok {
				return nil, fmt.Errorf("leak configuration is a %T", config)
			}
			found, err := time.Parse(time.RFC3339, b.FoundAt)
			if err != nil {
				return nil, err
			}
			info.Title, info.Level, info.Readers = "泄密报告", zhidu.Secret, []zhidu.Department{zhidu.DeptBMO}
			return LeakInput{Process: info, What: b.What, FoundAt: found, How: b.How, Config: cfg}, nil
		},
		Steps: []BenchStep{{Step: StepLeakHandling, User: "deputy", Outcome: OutcomeRemedied, Data: map[string]any{"remedies": []any{"recall", "investigate"}}}},
	}
}
