package zhidu

import "time"

// The probation process's requests and records (process 4 of DOMAIN.md,
// 试用期): what the API sends a running probation, and what its activities
// write.

// SaleRequest is the argument of the probation's RecordSale update: a
// sale of the employee on probation, deduplicated by its reference.
type SaleRequest struct {
	Reference string  `json:"reference" text:"line"`
	Amount    float64 `json:"amount"`
	Customer  string  `json:"customer" text:"line"`
	Actor     Actor   `json:"actor"` // who records it
}

// SaleResult says whether the sale was recorded now (false: its reference
// was recorded before) and the employee's sales against the target.
type SaleResult struct {
	Recorded bool `json:"recorded"`
	Count    int  `json:"count"`
	Target   int  `json:"target"`
}

// LeaveRequest is the argument of the probation's RequestLeave update.
type LeaveRequest struct {
	From   string `json:"from"` // YYYY-MM-DD
	Days   int    `json:"days"`
	Reason string `json:"reason"`
	Actor  Actor  `json:"actor"`
}

// LeaveResult names the department head's task the leave request became.
type LeaveResult struct {
	TaskID string `json:"task_id"`
}

// MentorChangeRequest is the argument of the probation's ChangeMentor
// update: the department head decides it in a task.
type MentorChangeRequest struct {
	Mentor Actor  `json:"mentor"`
	Reason string `json:"reason"`
	Actor  Actor  `json:"actor"`
}

// MentorChangeResult names the department head's task.
type MentorChangeResult struct {
	TaskID string `json:"task_id"`
}

// ProbationFlag sets or clears a user's probation flag.
type ProbationFlag struct {
	Employee    string    `json:"employee"`
	OnProbation bool      `json:"on_probation"`
	ProcessID   string    `json:"process_id"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"at"`
}

// SeparationRecord ends the employment of an employee who did not meet
// the probation's target (未完成销售任务者自动离职): the account is disabled
// (tokens and sessions stop working at once) and the handover of their
// customer files to Colleague is recorded (applied by the customer files
// once they exist). Their open tasks are handed over by the processes
// they belong to (HandOverRequest), where each step's authority is known.
type SeparationRecord struct {
	EventKey  string    `json:"event_key"`
	Employee  string    `json:"employee"`
	Colleague string    `json:"colleague"`
	ProcessID string    `json:"process_id"`
	Actor     string    `json:"actor"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// HandOverRequest is the HandOver signal every process takes: an employee
// leaves, and the open tasks of the process they hold (Held: claimed, or
// delegated to them) or are named for as a candidate go to Colleague — a
// reassignment where the step's authority (核决权限) reaches the colleague;
// otherwise the employee's claim is released and the task escalates, so
// that authority never moves to someone the step does not name.
type HandOverRequest struct {
	EventKey  string   `json:"event_key"`
	Employee  string   `json:"employee"`
	Colleague Actor    `json:"colleague"`
	By        string   `json:"by"`
	Reason    string   `json:"reason"`
	Held      []string `json:"held,omitempty"`
	// Tasks, when set, are the only tasks handed over, named for the
	// employee by name or by role; with no Colleague they are released
	// (when held) and escalated a rung: an absent user's tasks their
	// substitute may not read (api setSubstitute).
	Tasks []string `json:"tasks,omitempty"`
}

// HandOverPlan is what a separation hands over: the colleague's facts and,
// per process, the open tasks the employee holds or is named for.
type HandOverPlan struct {
	Colleague Actor            `json:"colleague"`
	Processes []HandOverTarget `json:"processes"`
}

// HandOverTarget is one process a hand-over reaches.
type HandOverTarget struct {
	ProcessID string   `json:"process_id"`
	Held      []string `json:"held,omitempty"`
	// Tasks, when set, are the only tasks handed over, named for the
	// employee by name or by role; with no Colleague they are released
	// (when held) and escalated a rung: an absent user's tasks their
	// substitute may not read (api setSubstitute).
	Tasks []string `json:"tasks,omitempty"`
}

// HandOverPlanRequest asks which tasks an employee's separation hands to
// a colleague.
type HandOverPlanRequest struct {
	Employee  string `json:"employee"`
	Colleague string `json:"colleague"`
}
