package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/zhidu/zhidu"
)

// TemporalEngine runs processes on a Temporal cluster.
type TemporalEngine struct {
	Client    client.Client
	TaskQueue string
}

// Start starts a workflow with a stable ID; a second start with the same
// ID returns the running (or finished) one instead of failing.
func (t TemporalEngine) Start(ctx context.Context, workflow, id string, input any) (string, error) {
	run, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                t.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflow, input)
	if err != nil {
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			return started.RunId, nil
		}
		return "", engineErr("start process", err)
	}
	return run.GetRunID(), nil
}

// Update sends an update and waits for its result.
func (t TemporalEngine) Update(ctx context.Context, processID, name string, arg, result any) error {
	h, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   processID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, result)
	}
	return engineErr(name, err)
}

// Settle polls the execution's description until nothing is pending (a
// workflow task is scheduled atomically with whatever wakes the workflow,
// so "none pending" means it waits on a person, a timer or a signal), or
// ctx ends.
func (t TemporalEngine) Settle(ctx context.Context, processID string) error {
	wait := 2 * time.Millisecond
	for {
		d, err := t.Client.DescribeWorkflowExecution(ctx, processID, "")
		if err != nil {
			return engineErr("describe process", err)
		}
		closed := d.WorkflowExecutionInfo.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		if closed || d.PendingWorkflowTask == nil && len(d.PendingActivities) == 0 && len(d.PendingChildren) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

// Signal sends a signal to a running process.
func (t TemporalEngine) Signal(ctx context.Context, processID, name string, arg any) error {
	return engineErr(name, t.Client.SignalWorkflow(ctx, processID, "", name, arg))
}

// Ping checks the cluster answers.
func (t TemporalEngine) Ping(ctx context.Context) error {
	_, err := t.Client.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// engineErr turns Temporal errors into domain errors: a workflow's
// rejection keeps its code, fields and message codes (the details carry
// the field errors, then the whole error); a finished workflow is a conflict;
// an unreachable cluster is unavailable.
func engineErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && statusOf[zhidu.Code(app.Type())] != 0 {
		e := &zhidu.Error{Code: zhidu.Code(app.Type()), Message: app.Message()}
		if app.HasDetails() {
			var fields map[string]string
			var coded *zhidu.Error
			if app.Details(&fields, &coded) == nil && len(fields) > 0 {
				e.Fields = fields
			}
			if coded != nil && coded.Message == e.Message {
				e.MessageCode, e.FieldCodes = coded.MessageCode, coded.FieldCodes
			}
		}
		return e
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return zhidu.Fail(zhidu.CodeConflict, zhidu.NotRunning())
	}
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %v: %w", what, err, zhidu.Errorf(zhidu.CodeUnavailable, "workflow engine unavailable"))
	}
	return fmt.Errorf("%s: %w", what, err)
}
