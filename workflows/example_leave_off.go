//go:build !example

package workflows

// exampleProcesses is empty unless built with -tags example: the example
// process of docs/ADDING_A_PROCESS.md (example_leave.go) is for tests only.
func exampleProcesses() []Descriptor { return nil }
