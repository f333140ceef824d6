package zhidu

import "time"

// The records below are what the workflows hand to the activities that
// write the projection. Each carries an EventKey unique within the
// process, so a retried activity writes nothing twice.

// CompletionRecord records a completed task.
type CompletionRecord struct {
	TaskID     string         `json:"task_id"`
	ProcessID  string         `json:"process_id"`
	Step       string         `json:"step"`
	Actor      string         `json:"actor"`
	OnBehalfOf string         `json:"on_behalf_of,omitempty"`
	Address    string         `json:"address,omitempty"`
	Outcome    string         `json:"outcome"`
	Data       map[string]any `json:"data,omitempty"`
	Comment    string         `json:"comment,omitempty"`
	At         time.Time      `json:"at"`
}

// AssignRecord records a delegation or a reassignment.
type AssignRecord struct {
	EventKey  string    `json:"event_key"`
	TaskID    string    `json:"task_id"`
	ProcessID string    `json:"process_id"`
	Step      string    `json:"step"`
	Kind      string    `json:"kind"` // AssignDelegate, AssignReassign or AssignRelease
	By        string    `json:"by"`
	Address   string    `json:"address,omitempty"`
	Owner     string    `json:"owner,omitempty"`
	To        string    `json:"to"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// Task events recorded by the SLA timers.
const (
	EventReminded  = "reminded"
	EventEscalated = "escalated"
)

// TaskEvent records a reminder or an escalation; an escalation adds
// candidates and sets the escalation rung.
type TaskEvent struct {
	EventKey      string      `json:"event_key"`
	TaskID        string      `json:"task_id"`
	ProcessID     string      `json:"process_id"`
	Step          string      `json:"step"`
	Event         string      `json:"event"`
	Rung          int         `json:"rung,omitempty"`
	AddCandidates []Candidate `json:"add_candidates,omitempty"`
	At            time.Time   `json:"at"`
}

// FinishRecord records the end of a process.
type FinishRecord struct {
	ProcessID string       `json:"process_id"`
	State     ProcessState `json:"state"`
	Result    string       `json:"result,omitempty"`
	Actor     string       `json:"actor,omitempty"`
	Address   string       `json:"address,omitempty"`
	Reason    string       `json:"reason,omitempty"`
	At        time.Time    `json:"at"`
}

// SetLevelRequest is the argument of the SetLevel update: raise the
// process's level (anyone who may write it), or lower it (解密: the GM or
// a deputy GM only).
type SetLevelRequest struct {
	Actor  Actor  `json:"actor"`
	Level  Level  `json:"level"`
	Reason string `json:"reason"`
}

// LevelRecord records a change of a process's level; tasks follow: none
// stays below the process, and those that inherited the old level take the
// new one.
type LevelRecord struct {
	EventKey  string    `json:"event_key"`
	ProcessID string    `json:"process_id"`
	From      Level     `json:"from"`
	To        Level     `json:"to"`
	Actor     string    `json:"actor"`
	Address   string    `json:"address,omitempty"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// ShareRecord records that a process confining its readers
// (ProcessInfo.Readers) is shared with more departments: a return slip's
// copies 2–4 go to the warehouse, finance and sales once it is approved.
type ShareRecord struct {
	EventKey    string       `json:"event_key"` // unique among all timeline entries: starts with the process ID
	ProcessID   string       `json:"process_id"`
	Departments []Department `json:"departments"`
	Actor       string       `json:"actor"`
	Reason      string       `json:"reason"`
	At          time.Time    `json:"at"`
}

// MemberRecord records a change of a process's named readers
// (ProcessInfo.Members): Add join them, then Remove leave (a user in both
// leaves). A probation names the new mentor and drops the old one.
type MemberRecord struct {
	EventKey  string    `json:"event_key"` // unique among all timeline entries: starts with the process ID
	ProcessID string    `json:"process_id"`
	Add       []string  `json:"add,omitempty"`
	Remove    []string  `json:"remove,omitempty"`
	Actor     string    `json:"actor"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// ChildStart records a process that another process started (a return
// slip a complaint opens): the child's row, its stored input and audit
// entry, and a child_started entry in the parent's timeline. The child
// records it itself, first thing, so it is recorded whatever the parent
// does next.
type ChildStart struct {
	Process ProcessInfo    `json:"process"`
	Input   map[string]any `json:"input"`
	Parent  string         `json:"parent"`
	Actor   string         `json:"actor"` // who, in the parent, caused the start
	At      time.Time      `json:"at"`
}

// ProcessEvent is a timeline entry of a process that is no task's: a
// child process finished …
type ProcessEvent struct {
	EventKey  string         `json:"event_key"` // starts with the process ID
	ProcessID string         `json:"process_id"`
	Actor     string         `json:"actor"`
	Action    string         `json:"action"`
	Detail    map[string]any `json:"detail,omitempty"`
	// Audit, when set, is the action of an audit entry written with the
	// timeline entry (a decision the trail must show: a contract override).
	Audit string    `json:"audit,omitempty"`
	At    time.Time `json:"at"`
}

// VoucherRequest asks finance's numbering for a voucher (传票) for a
// process: one per process and key, so a retry gets the same number.
type VoucherRequest struct {
	// Series is the number's prefix and counter: SeriesVoucher (传票,
	// the default) or SeriesOrder (采购订单).
	Series    string    `json:"series,omitempty"`
	ProcessID string    `json:"process_id"`
	Key       string    `json:"key"` // starts with the process ID; the voucher's timeline entry has it as its key
	Year      int       `json:"year"`
	Actor     string    `json:"actor"` // who reconciled: the voucher is issued in their name
	At        time.Time `json:"at"`
}

// ComplaintRecord records what a step of a complaint decided, for the
// complaint register. Empty fields leave the register as it is.
type ComplaintRecord struct {
	ProcessID             string     `json:"process_id"`
	Stage                 string     `json:"stage,omitempty"`
	Category              string     `json:"category,omitempty"`
	Valid                 *bool      `json:"valid,omitempty"`
	InvalidReason         string     `json:"invalid_reason,omitempty"`
	ResponsibleDepartment string     `json:"responsible_department,omitempty"`
	Joint                 *bool      `json:"joint,omitempty"`
	JointDeadline         string     `json:"joint_deadline,omitempty"` // YYYY-MM-DD
	Important             *bool      `json:"important,omitempty"`
	Cause                 string     `json:"cause,omitempty"`
	Responsibility        string     `json:"responsibility,omitempty"`
	Remedy                string     `json:"remedy,omitempty"`
	Compensation          *float64   `json:"compensation,omitempty"`
	ApprovedBy            []string   `json:"approved_by,omitempty"`
	ReplyMethod           string     `json:"reply_method,omitempty"`
	ReplyText             string     `json:"reply_text,omitempty"`
	RepliedAt             *time.Time `json:"replied_at,omitempty"`
	CustomerFeedback      string     `json:"customer_feedback,omitempty"`
	Disputed              *bool      `json:"disputed,omitempty"`
	Satisfaction          string     `json:"satisfaction,omitempty"`
	ClosedAt              *time.Time `json:"closed_at,omitempty"`
	RetainUntil           *time.Time `json:"retain_until,omitempty"`
	SpotChecked           *bool      `json:"spot_checked,omitempty"`
	SpotCheckFindings     string     `json:"spot_check_findings,omitempty"`
	At                    time.Time  `json:"at"`
}

// RegisterRecord records what a step adds to its process's register entry
// (the RecordRegister activity; see Register). Fields are merged into the
// entry: a field given replaces the one recorded (null removes it), the
// others stay, so re-applying a record changes nothing. The retention is
// the entry's own: nothing is deleted while the entry is open (no
// ClosedAt), kept for good (KeepForGood: RetainUntil stays unset), or
// before RetainUntil.
type RegisterRecord struct {
	ProcessID string `json:"process_id"`
	// Process, when set, lets the entry be written before the API has
	// recorded the start (a replica stopped between starting the
	// workflow and recording it): the process row is made from it first.
	Process     *ProcessInfo   `json:"process,omitempty"`
	Kind        string         `json:"kind"`
	Fields      map[string]any `json:"fields,omitempty"`
	ClosedAt    *time.Time     `json:"closed_at,omitempty"`
	RetainUntil *time.Time     `json:"retain_until,omitempty"`
	KeepForGood *bool          `json:"keep_for_good,omitempty"`
	At          time.Time      `json:"at"`
}

// Number series of VoucherRequest: PZ-2026-000001, PO-2026-000001.
const (
	SeriesVoucher = "PZ"
	SeriesOrder   = "PO"
)

// SupplyRecord records a supplier's supply state as a process decided it
// (a first-time supplier passed its sample test and trial batch).
type SupplyRecord struct {
	Supplier  string    `json:"supplier"`
	State     string    `json:"state"` // SupplyNew or SupplyApproved
	ProcessID string    `json:"process_id"`
	Actor     string    `json:"actor"`
	At        time.Time `json:"at"`
}

// ExclusionRecord keeps users off open tasks of a process from now on
// (a declared conflict of interest: 回避): they are added to the tasks'
// exclusions, a claim they hold is released, and the timeline says why.
type ExclusionRecord struct {
	EventKey  string    `json:"event_key"`
	ProcessID string    `json:"process_id"`
	TaskIDs   []string  `json:"task_ids"`
	Users     []string  `json:"users"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}
