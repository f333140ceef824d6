package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// longSLA gives every task timers that never fire while the scenario
// runs, so the histories hold the timers a real process starts and
// cancels.
var longSLA = workflows.SLA{Due: 48 * time.Hour, Reminder: 24 * time.Hour, Escalate: []time.Duration{48 * time.Hour, 72 * time.Hour}}

// approvalScenarios drive the two-step approval.
func init() { scenarios = append(scenarios, approvalScenarios...) }

var approvalScenarios = []scenario{
	{name: "approval-approved", start: approvalStart(longSLA), drive: func(ctx context.Context, d *driver) error {
		if err := d.complete(ctx, "dept_head", csHead, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		return d.complete(ctx, "vp", vpOps, workflows.OutcomeApprove, "")
	}},
	{name: "approval-rejected", start: approvalStart(longSLA), drive: func(ctx context.Context, d *driver) error {
		return d.complete(ctx, "dept_head", csHead, workflows.OutcomeReject, "we bought headsets last month")
	}},
	{name: "approval-delegated", start: approvalStart(longSLA), drive: func(ctx context.Context, d *driver) error {
		task, err := d.task(ctx, "dept_head", 0)
		if err != nil {
			return err
		}
		if err := d.update(ctx, workflows.UpdateAssignTask, zhidu.AssignTaskRequest{TaskID: task, Kind: zhidu.AssignDelegate,
			Actor: csHead, Owner: csHead.Username, To: csSuper, Note: "on leave"}); err != nil {
			return err
		}
		if err := d.update(ctx, workflows.UpdateCompleteTask, zhidu.CompleteTaskRequest{TaskID: task, Actor: csSuper,
			Assignee: csHead.Username, OnBehalfOf: csHead.Username, Outcome: workflows.OutcomeApprove}); err != nil {
			return err
		}
		return d.complete(ctx, "vp", vpOps, workflows.OutcomeApprove, "")
	}},
	{name: "approval-cancelled", start: approvalStart(longSLA), drive: func(ctx context.Context, d *driver) error {
		if err := d.complete(ctx, "dept_head", csHead, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		if _, err := d.task(ctx, "vp", 0); err != nil {
			return err
		}
		return d.update(ctx, workflows.UpdateCancelProcess, zhidu.CancelProcessRequest{Actor: csAgent, Reason: "bought elsewhere"})
	}},
	{name: "approval-validation-rejected", start: approvalStart(longSLA), drive: func(ctx context.Context, d *driver) error {
		task, err := d.task(ctx, "dept_head", 0)
		if err != nil {
			return err
		}
		// Rejecting without an opinion is refused and leaves no trace.
		err = d.update(ctx, workflows.UpdateCompleteTask, zhidu.CompleteTaskRequest{TaskID: task, Actor: csHead,
			Assignee: csHead.Username, Outcome: workflows.OutcomeReject})
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.Type() != string(zhidu.CodeInvalid) {
			return fmt.Errorf("reject without opinion: got %v, want an %s rejection", err, zhidu.CodeInvalid)
		}
		if err := d.complete(ctx, "dept_head", csHead, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		return d.complete(ctx, "vp", vpOps, workflows.OutcomeApprove, "")
	}},
	{name: "approval-escalated", start: approvalStart(workflows.SLA{Due: 3 * time.Second, Reminder: time.Second,
		Escalate: []time.Duration{2 * time.Second, time.Hour}}), drive: func(ctx context.Context, d *driver) error {
		// Nobody acts on step 1 until it is reminded and escalated to the
		// VP; step 2 then waits for its own escalation to the deputy GM.
		if _, err := d.task(ctx, "dept_head", 1); err != nil {
			return err
		}
		if err := d.complete(ctx, "dept_head", vpOps, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		if _, err := d.task(ctx, "vp", 1); err != nil {
			return err
		}
		return d.complete(ctx, "vp", deputy, workflows.OutcomeApprove, "")
	}},
	{name: "approval-nobody-eligible", start: approvalStart(longSLA), drive: func(ctx context.Context, d *driver) error {
		// The stub CreateTask finds nobody for this process: each step
		// escalates at once.
		if err := d.complete(ctx, "dept_head", vpOps, workflows.OutcomeApprove, ""); err != nil {
			return err
		}
		return d.complete(ctx, "vp", deputy, workflows.OutcomeApprove, "")
	}},
}

// approvalStart starts cs.agent's request for headsets with sla.
func approvalStart(sla workflows.SLA) func(string) (string, any) {
	return func(id string) (string, any) {
		return workflows.WorkflowApproval, workflows.ApprovalInput{
			Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindApproval, Title: "Headsets for the hotline",
				Level: zhidu.Internal, Department: zhidu.DeptCS, StartedBy: csAgent.Username},
			Details: "12 headsets",
			SLA:     sla,
		}
	}
}

// complete has a candidate complete an approval step's task on their
// own, with the opinion a rejection needs.
func (d *driver) complete(ctx context.Context, stepKey string, a zhidu.Actor, outcome, opinion string) error {
	task, err := d.task(ctx, stepKey, 0)
	if err != nil {
		return err
	}
	req := zhidu.CompleteTaskRequest{TaskID: task, Actor: a, Assignee: a.Username, Outcome: outcome}
	if opinion != "" {
		req.Data = map[string]any{"opinion": opinion}
	}
	return d.update(ctx, workflows.UpdateCompleteTask, req)
}
