package main

import (
	"context"
	"fmt"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// complaintScenarios drive the customer complaint.
func init() { scenarios = append(scenarios, complaintScenarios...) }

var complaintScenarios = []scenario{
	{name: "complaint-resolved", start: complaintStart(productComplaint(), func(cfg *workflows.ComplaintConfig) {
		// Short enough that the investigation is reminded and escalated,
		// the follow-up visit comes due and the spot check is drawn while
		// the scenario runs.
		cfg.Investigation = workflows.SLA{Due: 3 * time.Second, Reminder: time.Second,
			Escalate: []time.Duration{2 * time.Second, time.Hour}}
		cfg.FollowUpAfter = 2 * time.Second
		cfg.SpotCheckPercent = 100
	}), outcome: "resolved", drive: func(ctx context.Context, d *driver) error {
		// quality.eng lets the first report run late; the head, added by
		// the escalation, proposes a compensation the VP sends back.
		// The second round needs the GM too (above the threshold).
		if err := d.act(ctx, "triage", csSuper, "valid", map[string]any{"category": "product_quality",
			"responsible_department": "quality", "important": true}); err != nil {
			return err
		}
		if _, err := d.task(ctx, "investigation#1", 1); err != nil {
			return err
		}
		if err := d.refused(ctx, "investigation#1", qualityHead, "submit", findings("compensate", 0), zhidu.CodeInvalid); err != nil {
			return fmt.Errorf("compensation without an amount: %w", err)
		}
		for _, a := range []move{
			{"investigation#1", qualityHead, "submit", findings("compensate", 8000)},
			{"approval#1", vpOps, "send_back", map[string]any{"comments": "批次记录不全 — check the whole week"}},
			{"investigation#2", qualityEng, "submit", findings("compensate", 8000)},
			{"approval#2", vpOps, "approve", nil},
			{"gm_approval#2", gm, "approve", map[string]any{"comments": "同意赔偿"}},
			{"remedy", qualityEng, "done", map[string]any{"actions": "paid the compensation"}},
			{"reply#2", csAgent, "sent", map[string]any{"method": "letter", "reply": "我们已向您赔偿。We have compensated you."}},
			{"follow_up", csAgent, "done", map[string]any{"satisfaction": "satisfied"}},
			{"spot_check", bmoAuditor, "done", map[string]any{"verified": true, "findings": "register and reply match"}},
		} {
			if err := d.act(ctx, a.step, a.by, a.outcome, a.data); err != nil {
				return err
			}
		}
		return nil
	}},
	{name: "complaint-invalid-reopened", start: complaintStart(feesComplaint(), func(cfg *workflows.ComplaintConfig) {
		cfg.FollowUpAfter = time.Second
		cfg.SpotCheckPercent = 0
	}), outcome: "resolved", drive: func(ctx context.Context, d *driver) error {
		// Found invalid; the customer disputes the reply, and the superior
		// re-opens it for the warehouse.
		for _, a := range []move{
			{"triage", csSuper, "invalid", map[string]any{"reason": "the promotion had ended"}},
			{"reply#0", csAgent, "sent", map[string]any{"method": "phone", "reply": "促销已结束。The promotion had ended.",
				"disputed": true}},
			{"receivables", salesRep, "done", map[string]any{"notes": "invoiced at the contract price"}},
			{"superior", csHead, "reopen", map[string]any{"responsible_department": "wh",
				"comments": "the warehouse packed an old price list"}},
			{"investigation#1", whClerk, "submit", map[string]any{"cause": "an old price list in the parcel",
				"responsibility": "warehouse packing", "remedy": "apologise"}},
			{"approval#1", vpOps, "approve", nil},
			{"remedy", whClerk, "done", map[string]any{"actions": "called the customer to apologise"}},
			{"reply#1", csAgent, "sent", map[string]any{"method": "letter", "reply": "我们向您致歉。We apologise."}},
			{"follow_up", csAgent, "done", map[string]any{"satisfaction": "neutral"}},
		} {
			if err := d.act(ctx, a.step, a.by, a.outcome, a.data); err != nil {
				return err
			}
		}
		return nil
	}},
}

// move is one person completing the task of a step.
type move struct {
	step    string
	by      zhidu.Actor
	outcome string
	data    map[string]any
}

func findings(remedy string, amount float64) map[string]any {
	d := map[string]any{"cause": "a faulty cap seal", "responsibility": "bottling line 2", "remedy": remedy}
	if amount != 0 {
		d["compensation_amount"] = amount
	}
	return d
}

func productComplaint() workflows.ComplaintIntake {
	return workflows.ComplaintIntake{Complainant: workflows.Complainant{Name: "李梅 Li Mei", Contact: "13800000000"},
		Channel: "phone", Category: "product_quality", Subject: "Soy sauce 500 ml", Content: "The bottle smelled off",
		Product: "Soy sauce 500 ml", Batch: "B2026-02-17"}
}

func feesComplaint() workflows.ComplaintIntake {
	return workflows.ComplaintIntake{Complainant: workflows.Complainant{Name: "刘洋 Liu Yang", Contact: "liu@example.com"},
		Channel: "letter", Category: "fees", Subject: "Invoice amount",
		Content: "Charged the list price instead of the promotion price"}
}

// complaintStart starts a complaint with the default configuration as
// changed by tune.
func complaintStart(intake workflows.ComplaintIntake, tune func(*workflows.ComplaintConfig)) func(string) (string, any) {
	return func(id string) (string, any) {
		cfg := workflows.DefaultComplaintConfig()
		tune(&cfg)
		return workflows.WorkflowComplaint, workflows.ComplaintInput{
			Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindComplaint, Title: intake.Subject,
				Level: intake.DefaultLevel(), Department: zhidu.DeptCS, StartedBy: csAgent.Username},
			Intake: intake,
			Config: cfg,
		}
	}
}
