// Package workflows holds zhidu's durable business processes as Temporal
// workflows, one file per process, and the human-task step they share.
//
// Workflow code is deterministic and imports neither pgx, Gin nor Casbin:
// side effects happen in activities, called here by name.
package workflows

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// TaskQueue is the default task queue of zhidu's workers.
const TaskQueue = "zhidu"

// Update, query and activity names: stable strings, so a Go rename never
// breaks a running history.
const (
	UpdateCompleteTask  = "CompleteTask"
	UpdateAssignTask    = "AssignTask"
	UpdateCancelProcess = "CancelProcess"
	UpdateSetLevel      = "SetLevel"
	QueryState          = "State"
	// SignalHandOver hands a leaving employee's open tasks of a process to
	// a colleague (zhidu.HandOverRequest); every process takes it.
	SignalHandOver = "HandOver"

	ActivityCreateTask      = "CreateTask"
	ActivityCompleteTask    = "CompleteTask"
	ActivityAssignTask      = "AssignTask"
	ActivityRecordTaskEvent = "RecordTaskEvent"
	ActivityFinishProcess   = "FinishProcess"
	ActivitySetLevel        = "SetProcessLevel"
	ActivityRecordComplaint = "RecordComplaint"
	ActivityShareProcess    = "ShareProcess"
	ActivitySetMembers      = "SetProcessMembers"
	ActivityIssueVoucher    = "IssueVoucher"
	ActivityRecordChild     = "RecordChildStart"
	ActivityProcessEvent    = "RecordProcessEvent"
	ActivityRecordRegister  = "RecordRegister"
)

// Process kinds and their registered workflow names.
const (
	KindApproval      = "approval"
	WorkflowApproval  = "Approval"
	KindComplaint     = "complaint"
	WorkflowComplaint = "Complaint"
)

// ProcessID derives a workflow ID for a new process. With an idempotency
// key the ID is stable for that user and key, so a retried start finds the
// same process; without one it is random.
func ProcessID(kind, username, idempotencyKey string) string {
	var b []byte
	if idempotencyKey != "" {
		sum := sha256.Sum256([]byte(kind + "\x00" + username + "\x00" + idempotencyKey))
		b = sum[:10]
	} else {
		b = make([]byte, 10)
		_, _ = rand.Read(b)
	}
	return kind + "-" + hex.EncodeToString(b)
}

// taskID derives a task's ID from its run and step key, so the workflow
// and a retried activity always agree on it.
func taskID(runID, stepKey string) string {
	sum := sha256.Sum256([]byte(runID + "/" + stepKey))
	return "t-" + hex.EncodeToString(sum[:10])
}
