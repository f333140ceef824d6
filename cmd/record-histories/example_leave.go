//go:build example

package main

import (
	"context"
	"path/filepath"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// The scenarios of the test-only example process (workflows/example_leave.go),
// recorded with -tags example into workflows/testdata/example, which only
// its own replay test reads.
func init() { scenarios = append(scenarios, exampleLeaveScenarios...) }

var exampleLeaveDir = filepath.Join("workflows", "testdata", "example")

// exampleLeaveScenarios drive the example leave: a long leave the head and
// the VP grant, and a short one the head declines.
var exampleLeaveScenarios = []scenario{
	{name: "example-leave-granted", start: exampleLeaveStart(5), outcome: workflows.ResultGranted, dir: exampleLeaveDir,
		drive: func(ctx context.Context, d *driver) error {
			if err := d.refused(ctx, "head", csAgent, workflows.OutcomeGrant, nil, zhidu.CodeForbidden); err != nil {
				return err // the requester never grants their own leave
			}
			if err := d.act(ctx, "head", csHead, workflows.OutcomeGrant, nil); err != nil {
				return err
			}
			return d.act(ctx, "vp", vpOps, workflows.OutcomeGrant, map[string]any{"remark": "同意"})
		}},
	{name: "example-leave-declined", start: exampleLeaveStart(1), outcome: workflows.ResultDeclined, dir: exampleLeaveDir,
		drive: func(ctx context.Context, d *driver) error {
			if err := d.refused(ctx, "head", csHead, workflows.OutcomeDecline, nil, zhidu.CodeInvalid); err != nil {
				return err // a decline needs its remark
			}
			return d.act(ctx, "head", csHead, workflows.OutcomeDecline, map[string]any{"remark": "月底结账，请改期"})
		}},
}

// exampleLeaveStart starts cs.agent's request for days of leave.
func exampleLeaveStart(days int) func(string) (string, any) {
	return func(id string) (string, any) {
		return workflows.WorkflowExampleLeave, workflows.ExampleLeaveInput{
			Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindExampleLeave, Title: "探亲 visiting family",
				Level: zhidu.Internal, Department: zhidu.DeptCS, StartedBy: csAgent.Username},
			Days: days, Reason: "探亲 visiting family", Config: workflows.DefaultExampleLeaveConfig(),
		}
	}
}
