package workflows

import (
	"fmt"

	"github.com/zhidu/zhidu"
)

// secretCopyBench: the GM asks to excerpt a top-secret approval (the
// bench's Source, started once before the run); the deputy GM approves,
// designating vp.ops (one human step, RegisterCopy).
func secretCopyBench() *BenchScenario {
	return &BenchScenario{
		Starter: "gm",
		Source: &BenchSource{Field: "source", User: "gm", Kind: KindApproval,
			Body: map[string]any{"title": "bench top secret", "details": "绝密", "level": "top_secret"}},
		Start: func(i int) map[string]any {
			return map[string]any{"source": "process:bench-source", "mode": zhidu.CopyExcerpt, "content": fmt.Sprintf("摘抄 %d", i),
				"reason": "bench"}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			b, err := benchBody[secretCopyStart](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(SecretCopyConfig)
			if !ok {
				return nil, fmt.Errorf("secret copy configuration is a %T", config)
			}
			info.Title, info.Level = "摘抄 "+b.Source, zhidu.TopSecret
			return SecretCopyInput{Process: info, Source: b.Source, Mode: b.Mode, Content: b.Content, Reason: b.Reason, Config: cfg}, nil
		},
		Steps: []BenchStep{{Step: StepCopyApproval, User: "deputy", Outcome: OutcomeApprove, Data: map[string]any{"readers": []any{"vp.ops"}}}},
	}
}
