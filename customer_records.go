package zhidu

import "time"

// The records the customer processes (downgrade, contested crossing,
// handover notices) hand to the activities that write the customer files.

// CustomerRef names a customer file to a process: enough to title, level
// and route its tasks. A process never carries more of the file.
type CustomerRef struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Class       string     `json:"class"`
	Department  Department `json:"department"`
	Level       Level      `json:"level"`
	Responsible string     `json:"responsible"`
}

// Ref returns the file's reference.
func (c Customer) Ref() CustomerRef {
	return CustomerRef{ID: c.ID, Name: c.Name, Class: c.Class, Department: c.Department, Level: c.Level, Responsible: c.Responsible}
}

// Customer problems that call for a VIP customer's downgrade.
const (
	ProblemContract    = "contract"     // poor contract performance
	ProblemLatePayment = "late_payment" // 回款不及时
	ProblemCrisis      = "crisis"       // a major crisis
)

// CustomerProblems lists them.
func CustomerProblems() []string { return []string{ProblemContract, ProblemLatePayment, ProblemCrisis} }

// ClassChange records a process's change of a file's class (a downgrade):
// the history says who decided it, in which process, and why. A retry
// finds the class changed and writes nothing.
type ClassChange struct {
	ProcessID  string    `json:"process_id"`
	CustomerID string    `json:"customer_id"`
	To         string    `json:"to"`
	Actor      string    `json:"actor"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

// BlacklistDecision records the Marketing Division's decision, in a
// process, to put a customer on the blacklist; a retry finds it listed.
type BlacklistDecision struct {
	ProcessID  string    `json:"process_id"`
	CustomerID string    `json:"customer_id"`
	Reason     string    `json:"reason"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
}

// CrossingRecord records a step of a contested crossing: the contest
// (Decision empty) or the department head's final decision — first,
// second or department (归部门: the credit belongs to nobody but the
// department).
type CrossingRecord struct {
	CaseID    string    `json:"case_id"`
	ProcessID string    `json:"process_id"`
	Actor     string    `json:"actor"`
	Decision  string    `json:"decision,omitempty"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}
