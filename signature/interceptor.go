package signature

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// ClientInterceptor signs every workflow start and update the client
// sends.
func (s *Signer) ClientInterceptor() interceptor.ClientInterceptor { return &clientInterceptor{s: s} }

type clientInterceptor struct {
	interceptor.ClientInterceptorBase
	s *Signer
}

func (ci *clientInterceptor) InterceptClient(next interceptor.ClientOutboundInterceptor) interceptor.ClientOutboundInterceptor {
	return &clientOutbound{ClientOutboundInterceptorBase: interceptor.ClientOutboundInterceptorBase{Next: next}, s: ci.s}
}

type clientOutbound struct {
	interceptor.ClientOutboundInterceptorBase
	s *Signer
}

func (c *clientOutbound) ExecuteWorkflow(ctx context.Context, in *interceptor.ClientExecuteWorkflowInput) (client.WorkflowRun, error) {
	p, err := c.s.Sign(Message{Kind: KindStart, WorkflowID: in.Options.ID, Name: in.WorkflowType, Args: in.Args})
	if err != nil {
		return nil, err
	}
	interceptor.Header(ctx)[HeaderName] = p
	return c.Next.ExecuteWorkflow(ctx, in)
}

func (c *clientOutbound) UpdateWorkflow(ctx context.Context, in *interceptor.ClientUpdateWorkflowInput) (client.WorkflowUpdateHandle, error) {
	p, err := c.s.Sign(Message{Kind: KindUpdate, WorkflowID: in.WorkflowID, Name: in.UpdateName, UpdateID: in.UpdateID, Args: in.Args})
	if err != nil {
		return nil, err
	}
	interceptor.Header(ctx)[HeaderName] = p
	return c.Next.UpdateWorkflow(ctx, in)
}

// WorkerInterceptor checks the signature of every process start and
// update before the workflow runs or validates it.
func (s *Signer) WorkerInterceptor() interceptor.WorkerInterceptor { return &workerInterceptor{s: s} }

type workerInterceptor struct {
	interceptor.WorkerInterceptorBase
	s *Signer
}

func (wi *workerInterceptor) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &workflowInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, s: wi.s}
}

type workflowInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	s *Signer
}

// ExecuteWorkflow checks the start's signature the first time the
// workflow runs. On replay it does not: the run it replays passed (or
// started before signing existed), and replay must do what it did. A child
// process (a return slip a complaint opens) is started by its parent
// workflow, whose own start was checked: only the server sets a parent,
// never a client, so a child's start needs no signature of its own.
func (w *workflowInbound) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	if info := workflow.GetInfo(ctx); !workflow.IsReplaying(ctx) && info.ParentWorkflowExecution == nil {
		m := Message{Kind: KindStart, WorkflowID: info.WorkflowExecution.ID, Name: info.WorkflowType.Name, Args: in.Args}
		if err := w.s.Verify(interceptor.WorkflowHeader(ctx)[HeaderName], m, info.WorkflowStartTime); err != nil {
			workflow.GetLogger(ctx).Warn("refused a process start with forged actor facts", "error", err)
			return nil, refusal(err)
		}
	}
	return w.Next.ExecuteWorkflow(ctx, in)
}

// ValidateUpdate refuses an update whose actor facts are not signed by
// the API. The SDK runs validation only outside replay.
func (w *workflowInbound) ValidateUpdate(ctx workflow.Context, in *interceptor.UpdateInput) error {
	var updateID string
	if u := workflow.GetCurrentUpdateInfo(ctx); u != nil {
		updateID = u.ID
	}
	m := Message{Kind: KindUpdate, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Name: in.Name, UpdateID: updateID, Args: in.Args}
	if err := w.s.Verify(interceptor.WorkflowHeader(ctx)[HeaderName], m, workflow.Now(ctx)); err != nil {
		return refusal(err)
	}
	return w.Next.ValidateUpdate(ctx, in)
}

// refusal is the error the API maps to 403.
func refusal(err error) error {
	return temporal.NewApplicationErrorWithOptions(err.Error(), string(zhidu.CodeForbidden),
		temporal.ApplicationErrorOptions{NonRetryable: true})
}
