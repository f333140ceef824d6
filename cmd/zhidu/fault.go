package main

import (
	"context"
	"log/slog"
	"os"
	"syscall"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
)

// Fault injection for tests (--fault-kill-after ACTIVITY): the worker
// SIGKILLs itself right after the first successful run of that activity
// (or local activity) — the projection write is committed and Temporal
// never hears of it — the fault "a worker killed after a projection
// write and before it reports" (TestCluster). Never
// set it in production.
type killAfter struct {
	interceptor.WorkerInterceptorBase
	activity string
	kill     func()
}

func (k *killAfter) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	i := &killAfterActivity{k: k}
	i.Next = next
	return i
}

type killAfterActivity struct {
	interceptor.ActivityInboundInterceptorBase
	k *killAfter
}

func (i *killAfterActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	out, err := i.Next.ExecuteActivity(ctx, in)
	if err == nil && activity.GetInfo(ctx).ActivityType.Name == i.k.activity {
		slog.Error("fault injection: killing this worker after a successful activity", "activity", i.k.activity)
		i.k.kill()
	}
	return out, err
}

// killSelf is SIGKILL to this process: no deferred function, no graceful
// stop, no answer to Temporal.
func killSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }
