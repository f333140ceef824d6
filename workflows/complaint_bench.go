package workflows

import (
	"fmt"

	"github.com/zhidu/zhidu"
)

// complaintBench: a valid product-quality complaint from intake to archive
// — triage, investigation, VP approval, remedy, reply, follow-up (six human
// steps, twenty-one activities). Bench runs have no follow-up wait and no
// sampled spot checks, so a complaint is done when its people are; against
// a deployment that samples one, the spot check is worked.
func complaintBench() *BenchScenario {
	return &BenchScenario{
		Starter: "cs.agent",
		Start: func(i int) map[string]any {
			return map[string]any{
				"complainant": map[string]any{"name": "李女士", "contact": "138-0000-0000"},
				"channel":     "phone", "category": "product_quality",
				"subject": fmt.Sprintf("酱油有异味 bench %d", i), "content": "新买的酱油有异味 (odd smell)",
				"product": "生抽 500ml", "batch": "B2026-11-03",
			}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			in, err := benchBody[ComplaintIntake](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(ComplaintConfig)
			if !ok {
				return nil, fmt.Errorf("complaint configuration is a %T, want a ComplaintConfig", config)
			}
			info.Title, info.Level = in.Subject, in.DefaultLevel()
			return ComplaintInput{Process: info, Intake: in, Config: cfg}, nil
		},
		Config: func(config any) any {
			c, ok := config.(ComplaintConfig)
			if !ok {
				return config // Input says what is wrong with it
			}
			c.FollowUpAfter, c.SpotCheckPercent = 0, 0
			return c
		},
		Deployment: "start it with ZHIDU_COMPLAINT_FOLLOW_UP_AFTER=0 (and ZHIDU_COMPLAINT_SPOT_CHECK_PERCENT=0 " +
			"to skip spot checks; sampled ones are worked)",
		Steps: []BenchStep{
			{Step: StepTriage, User: "cs.super", Outcome: OutcomeValid, Data: map[string]any{"responsible_department": "quality"}},
			{Step: StepInvestigation, User: "quality.eng", Outcome: OutcomeSubmit,
				Data: map[string]any{"cause": "a faulty seal", "responsibility": "packaging line 2", "remedy": "apologise"}},
			{Step: StepApproval, User: "vp.ops", Outcome: OutcomeApprove, Data: map[string]any{"comments": "同意"}},
			{Step: StepRemedy, User: "quality.eng", Outcome: OutcomeDone, Data: map[string]any{"actions": "apologised in person"}},
			{Step: StepReply, User: "cs.agent", Outcome: OutcomeSent,
				Data: map[string]any{"method": "letter", "reply": "我们已为您更换。We have replaced your product."}},
			{Step: StepFollowUp, User: "cs.agent", Outcome: OutcomeDone, Data: map[string]any{"satisfaction": "satisfied"}},
		},
		Optional: []BenchStep{
			{Step: StepSpotCheck, User: "bmo.auditor", Outcome: OutcomeDone, Data: map[string]any{"verified": true}},
		},
	}
}
