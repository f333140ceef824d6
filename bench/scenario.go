package bench

import (
	"fmt"
	"strings"

	"github.com/zhidu/zhidu/workflows"
)

// Step is one human task of a scenario: who works it and what they submit.
type Step struct {
	Step    string         `json:"step"`
	User    string         `json:"user"`
	Outcome string         `json:"outcome"`
	Data    map[string]any `json:"data,omitempty"`
}

// Scenario is one process kind's happy path as the demo organisation
// works it: who starts it with what, then each human step in order.
type Scenario struct {
	Kind    string
	Starter string
	// Start returns the start request body of the i-th process.
	Start func(i int) map[string]any
	Steps []Step
	// Optional steps may follow Steps, depending on the deployment's
	// configuration (a sampled spot check); they are worked if they appear.
	Optional []Step
}

// Kinds are the scenarios zhidu bench knows, by process kind.
var Kinds = []string{workflows.KindApproval, workflows.KindComplaint}

// ScenarioFor returns the scenario of a process kind.
func ScenarioFor(kind string) (Scenario, error) {
	switch kind {
	case workflows.KindApproval:
		return ApprovalScenario(), nil
	case workflows.KindComplaint:
		return ComplaintScenario(), nil
	}
	return Scenario{}, fmt.Errorf("no scenario for kind %q (want %s)", kind, strings.Join(Kinds, ", "))
}

// ApprovalScenario: cs.agent asks; the CS department head, then the VP in
// charge approve (two human steps, five activities: two CreateTask, two
// CompleteTask, FinishProcess).
func ApprovalScenario() Scenario {
	return Scenario{
		Kind: workflows.KindApproval, Starter: "cs.agent",
		Start: func(i int) map[string]any {
			return map[string]any{"title": fmt.Sprintf("bench printer %d", i), "details": "A4, duplex", "level": "internal"}
		},
		Steps: []Step{
			{Step: "dept_head_approval", User: "cs.head", Outcome: workflows.OutcomeApprove, Data: map[string]any{"opinion": "同意"}},
			{Step: "vp_approval", User: "vp.ops", Outcome: workflows.OutcomeApprove},
		},
	}
}

// ComplaintScenario: a valid product-quality complaint from intake to
// archive — triage, investigation, VP approval, remedy, reply, follow-up
// (six human steps, twenty-one activities). It assumes no follow-up wait; a
// spot check is worked if the deployment samples one.
func ComplaintScenario() Scenario {
	return Scenario{
		Kind: workflows.KindComplaint, Starter: "cs.agent",
		Start: func(i int) map[string]any {
			return map[string]any{
				"complainant": map[string]any{"name": "李女士", "contact": "138-0000-0000"},
				"channel":     "phone", "category": "product_quality",
				"subject": fmt.Sprintf("酱油有异味 bench %d", i), "content": "新买的酱油有异味 (odd smell)",
				"product": "生抽 500ml", "batch": "B2026-11-03",
			}
		},
		Steps: []Step{
			{Step: workflows.StepTriage, User: "cs.super", Outcome: "valid", Data: map[string]any{"responsible_department": "quality"}},
			{Step: workflows.StepInvestigation, User: "quality.eng", Outcome: "submit",
				Data: map[string]any{"cause": "a faulty seal", "responsibility": "packaging line 2", "remedy": "replace"}},
			{Step: workflows.StepApproval, User: "vp.ops", Outcome: "approve", Data: map[string]any{"comments": "同意"}},
			{Step: workflows.StepRemedy, User: "quality.eng", Outcome: "done", Data: map[string]any{"actions": "replaced two bottles"}},
			{Step: workflows.StepReply, User: "cs.agent", Outcome: "sent",
				Data: map[string]any{"method": "letter", "reply": "我们已为您更换。We have replaced your product."}},
			{Step: workflows.StepFollowUp, User: "cs.agent", Outcome: "done", Data: map[string]any{"satisfaction": "satisfied"}},
		},
		Optional: []Step{
			{Step: workflows.StepSpotCheck, User: "bmo.auditor", Outcome: "done", Data: map[string]any{"verified": true}},
		},
	}
}

// users returns every user the scenario acts as.
func (s Scenario) users() []string {
	out := []string{s.Starter}
	for _, st := range append(append([]Step(nil), s.Steps...), s.Optional...) {
		out = append(out, st.User)
	}
	return out
}
