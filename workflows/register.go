package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register registers every process workflow of Descriptors under its
// stable name.
func Register(r worker.WorkflowRegistry) {
	for _, d := range Descriptors() {
		r.RegisterWorkflowWithOptions(d.Func, workflow.RegisterOptions{Name: d.Workflow})
	}
}
