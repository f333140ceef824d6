package workflows

import (
	"fmt"
	"time"

	"github.com/zhidu/zhidu"
)

// fileAccessBench: sales.rep asks to read another department's customer
// files for a tenth of a second; the GM approves (one human step; WriteGrant, then
// the timer and RevokeGrant). The targets cycle through the departments
// other than sales, so that a request rarely finds the grant of an earlier
// one still open (which would refuse it: already readable).
func fileAccessBench() *BenchScenario {
	var depts []string
	for _, d := range zhidu.Departments() {
		if d != zhidu.DeptSales && d != zhidu.DeptGMO {
			depts = append(depts, string(d))
		}
	}
	return &BenchScenario{
		Starter: "sales.rep",
		Start: func(i int) map[string]any {
			return map[string]any{"target": "department:" + depts[i%len(depts)], "reason": fmt.Sprintf("bench access %d", i), "duration": "100ms"}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			b, err := benchBody[fileAccessStart](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(FileAccessConfig)
			if !ok {
				return nil, fmt.Errorf("file access configuration is a %T", config)
			}
			d, err := time.ParseDuration(b.Duration)
			if err != nil {
				return nil, err
			}
			info.Title, info.Level = "查阅 "+b.Target, zhidu.Internal
			return FileAccessInput{Process: info, Target: b.Target, Reason: b.Reason, Duration: d, Config: cfg}, nil
		},
		Steps: []BenchStep{{Step: StepAccessApproval, User: "gm", Outcome: OutcomeApprove}},
	}
}
