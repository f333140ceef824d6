package zhidu

import (
	"slices"
	"strconv"
	"time"
)

// TaskState is the state of a human task in the inbox.
type TaskState string

// Task states.
const (
	TaskOpen      TaskState = "open"
	TaskClaimed   TaskState = "claimed"
	TaskCompleted TaskState = "completed"
	TaskCancelled TaskState = "cancelled"
)

// ProcessState is the state of a process.
type ProcessState string

// Process states.
const (
	ProcessRunning   ProcessState = "running"
	ProcessCompleted ProcessState = "completed"
	ProcessCancelled ProcessState = "cancelled"
	ProcessFailed    ProcessState = "failed"
)

// Text is a label in Chinese and English.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Candidate names who may work a task: one user, or everyone holding a role
// within a department.
type Candidate struct {
	User       string     `json:"user,omitempty"`
	Role       Role       `json:"role,omitempty"`
	Department Department `json:"department,omitempty"`
}

// Matches reports whether the actor is this candidate.
func (c Candidate) Matches(a Actor) bool {
	if c.User != "" {
		return c.User == a.Username
	}
	return a.Has(c.Role, c.Department)
}

// rank orders the roles of a department's line (部门线): staff, supervisor,
// department head, the VP in charge; then the deputy GMs and the GM above
// every line. Roles outside the line (compliance, administrators) rank 0:
// nobody is above them.
func rank(r Role) int {
	switch r {
	case RoleStaff:
		return 1
	case RoleSupervisor:
		return 2
	case RoleDeptHead:
		return 3
	case RoleVP:
		return 4
	case RoleDeputyGM:
		return 5
	case RoleGM:
		return 6
	}
	return 0
}

// Above reports whether the actor stands above this candidate in its
// department's line: a higher role of the line in the same department, or
// the deputy GMs and the GM, who are above every line. Nobody is above a
// named user or a role outside the line.
func (c Candidate) Above(a Actor) bool {
	r := rank(c.Role)
	if c.User != "" || r == 0 {
		return false
	}
	for _, g := range a.Roles {
		rg := rank(g.Role)
		if rg > r && (g.Department == c.Department || rg >= rank(RoleDeputyGM)) {
			return true
		}
	}
	return false
}

func (c Candidate) String() string {
	if c.User != "" {
		return "user:" + c.User
	}
	return string(c.Role) + "@" + string(c.Department)
}

// Priorities run from 1 (low) to 4 (urgent).
const (
	PriorityLow    = 1
	PriorityNormal = 2
	PriorityHigh   = 3
	PriorityUrgent = 4
)

// FieldType is the type of a form field.
type FieldType string

// Field types.
const (
	FieldText    FieldType = "text"
	FieldNumber  FieldType = "number"
	FieldBoolean FieldType = "boolean"
	FieldDate    FieldType = "date" // YYYY-MM-DD
	FieldChoice  FieldType = "choice"
	FieldList    FieldType = "list" // a list of strings
	// FieldRows is a table: a list of rows, each a JSON object whose keys
	// are the field's Columns.
	FieldRows FieldType = "rows"
)

// Field is one named input of a task form.
type Field struct {
	Name     string    `json:"name"`
	Type     FieldType `json:"type"`
	Label    Text      `json:"label"`
	Required bool      `json:"required,omitempty"`
	// RequiredFor makes the field required only for these outcomes.
	RequiredFor []string `json:"required_for,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	MaxLength   int      `json:"max_length,omitempty"`
	// Columns are the cells of a rows field's rows: text, number,
	// boolean, date or choice fields, checked in each row as a form's
	// fields are in its data (a required column is required in every
	// row). A rows column, or a rows field without columns, is a mistake
	// of the form's definition: its value is refused as UnknownFieldType.
	Columns []Field `json:"columns,omitempty"`
	// MinRows and MaxRows bound the rows of a rows field that is given
	// (whether it must be given is Required's to say, and a required
	// field with no rows is missing); MaxRows 0 is DefaultMaxRows.
	MinRows int `json:"min_rows,omitempty"`
	MaxRows int `json:"max_rows,omitempty"`
}

// Form is what a task expects back: its fields and the outcomes allowed.
type Form struct {
	Fields   []Field  `json:"fields"`
	Outcomes []string `json:"outcomes"`
}

// DefaultMaxTextLength bounds text fields that set no MaxLength.
const DefaultMaxTextLength = 4000

// DefaultMaxRows bounds rows fields that set no MaxRows.
const DefaultMaxRows = 100

// Validate checks an outcome and form data against the form and returns
// field errors, or nil when the submission is acceptable. Unknown fields
// are errors too, so nothing unexpected is stored. A rows field's errors
// name the row and the column as JSON paths do: data.quotes[1].unit_price
// (see RowPath).
func (f Form) Validate(outcome string, data map[string]any) map[string]Message {
	errs := map[string]Message{}
	if !slices.Contains(f.Outcomes, outcome) {
		errs["outcome"] = OneOfList(f.Outcomes)
	}
	checkFields(f.Fields, outcome, data, "data.", errs)
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// RowPath names a cell of a rows field in field errors, JSON style with
// 0-based rows: RowPath("data.quotes", 1, "unit_price") is
// data.quotes[1].unit_price; an empty column names the row itself.
func RowPath(field string, row int, column string) string {
	p := field + "[" + strconv.Itoa(row) + "]"
	if column != "" {
		p += "." + column
	}
	return p
}

// checkFields checks an object's values against fields, keying errors
// prefix+name. A value that is absent, null or "" is missing.
func checkFields(fields []Field, outcome string, data map[string]any, prefix string, errs map[string]Message) {
	known := map[string]bool{}
	for _, fd := range fields {
		known[fd.Name] = true
		v, present := data[fd.Name]
		if !present || v == nil || v == "" {
			if fd.Required || slices.Contains(fd.RequiredFor, outcome) {
				errs[prefix+fd.Name] = Required()
			}
			continue
		}
		if fd.Type == FieldRows {
			fd.checkRows(outcome, v, prefix+fd.Name, errs)
			continue
		}
		if msg := fd.check(v); !msg.IsZero() {
			errs[prefix+fd.Name] = msg
		}
	}
	for name := range data {
		if !known[name] {
			errs[prefix+name] = NotInForm()
		}
	}
}

// checkRows checks a rows field's value, row by row, under path.
func (fd Field) checkRows(outcome string, v any, path string, errs map[string]Message) {
	if len(fd.Columns) == 0 || slices.ContainsFunc(fd.Columns, func(c Field) bool { return !c.isCell() }) {
		errs[path] = UnknownFieldType()
		return
	}
	rows, ok := v.([]any)
	if !ok {
		errs[path] = NotList()
		return
	}
	limit := fd.MaxRows
	if limit == 0 {
		limit = DefaultMaxRows
	}
	switch {
	case len(rows) == 0 && (fd.Required || slices.Contains(fd.RequiredFor, outcome)):
		errs[path] = Required()
		return
	case len(rows) > limit:
		errs[path] = RowsMax(limit) // and no row-by-row flood of errors
		return
	case len(rows) < fd.MinRows:
		errs[path] = RowsMin(fd.MinRows)
	}
	for i, r := range rows {
		row, ok := r.(map[string]any)
		if !ok {
			errs[RowPath(path, i, "")] = NotObject()
			continue
		}
		checkFields(fd.Columns, outcome, row, RowPath(path, i, "")+".", errs)
	}
}

// isCell reports whether the field may be a column of a rows field.
func (fd Field) isCell() bool {
	switch fd.Type {
	case FieldText, FieldNumber, FieldBoolean, FieldDate, FieldChoice:
		return true
	}
	return false
}

func (fd Field) check(v any) Message {
	switch fd.Type {
	case FieldText, FieldChoice:
		s, ok := v.(string)
		if !ok {
			return NotString()
		}
		if msg := CheckText(s, true); !msg.IsZero() {
			return msg
		}
		limit := fd.MaxLength
		if limit == 0 {
			limit = DefaultMaxTextLength
		}
		if len([]rune(s)) > limit {
			return MaxChars(limit)
		}
		if fd.Type == FieldChoice && !slices.Contains(fd.Choices, s) {
			return OneOfList(fd.Choices)
		}
	case FieldNumber:
		if _, ok := v.(float64); !ok {
			if _, ok := v.(int); !ok {
				return NotNumber()
			}
		}
	case FieldBoolean:
		if _, ok := v.(bool); !ok {
			return NotBoolean()
		}
	case FieldDate:
		s, ok := v.(string)
		if !ok {
			return NotDate()
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return NotDate()
		}
	case FieldList:
		items, ok := v.([]any)
		if !ok {
			return NotStringList()
		}
		for _, it := range items {
			s, ok := it.(string)
			if !ok {
				return NotStringList()
			}
			if msg := CheckText(s, false); !msg.IsZero() {
				return EachItem(msg)
			}
		}
	default:
		return UnknownFieldType()
	}
	return Message{}
}

// Escalation is one rung of a task's escalation ladder: After the task was
// created, these candidates are added.
type Escalation struct {
	After      time.Duration `json:"after"`
	Candidates []Candidate   `json:"candidates"`
}

// TaskSpec is what a workflow step asks of the human-task step.
type TaskSpec struct {
	StepKey     string        `json:"step_key"` // unique within the run, e.g. "approve-1#2"
	Step        string        `json:"step"`     // the step's name, e.g. "dept_head_approval"
	Title       Text          `json:"title"`
	Department  Department    `json:"department"`
	Candidates  []Candidate   `json:"candidates"`
	Level       Level         `json:"level"`
	Priority    int           `json:"priority"`
	Form        Form          `json:"form"`
	Due         time.Duration `json:"due"`      // 0: no due time
	Reminder    time.Duration `json:"reminder"` // 0: no reminder
	Escalations []Escalation  `json:"escalations,omitempty"`
	// Excluded users may never complete this task (separation of duties),
	// e.g. the requester of an approval.
	Excluded []string `json:"excluded,omitempty"`
	// Approval marks a step that carries approval authority (核决权限):
	// its holder is never the process's requester, nor someone who
	// approved another approval step of the same process.
	Approval bool `json:"approval,omitempty"`
	// Subject marks the task of the person a file is about (the employee
	// of a probation): it keeps its own Level, below the process's, and
	// its candidate is that person by name; its context carries their own
	// status and nothing else of the file.
	Subject bool `json:"subject,omitempty"`
	// Context is what the person working the task needs to see from
	// earlier steps (findings, send-back comments).
	Context map[string]any `json:"context,omitempty"`
	// Lapse, when set, decides the step itself if nobody has by then: the
	// rule book's default (a contested crossing unresolved goes to the
	// department, 归部门).
	Lapse *Lapse `json:"lapse,omitempty"`
}

// SystemActor is who zhidu itself acts as: a lapsed step's completion, a
// timer's escalation.
const SystemActor = "system"

// Lapse is a step's decision by the rules when nobody decided it in time:
// After its creation the task is completed by "system" with Outcome and
// Data, as the timeline shows.
type Lapse struct {
	After   time.Duration  `json:"after"`
	Outcome string         `json:"outcome"`
	Data    map[string]any `json:"data,omitempty"`
	Comment string         `json:"comment,omitempty"`
}

// ProcessInfo describes a process to the activities that project it.
type ProcessInfo struct {
	ID         string     `json:"id"`
	RunID      string     `json:"run_id"`
	Kind       string     `json:"kind"`
	Title      string     `json:"title"`
	Level      Level      `json:"level"`
	Department Department `json:"department"`
	StartedBy  string     `json:"started_by"`
	// Barred are kept off every step of the process and out of its read
	// rule: the employee a misconduct complaint is about.
	Barred []string `json:"barred,omitempty"`
	// Readers, when set, confine who reads the process by department: only
	// members of these departments (the owning one first) whose role
	// permits reading, besides its participants, the GM's office and
	// designated users. A process shares itself with more departments as
	// it goes (ShareRecord: a return slip's copies).
	Readers []Department `json:"readers,omitempty"`
	// Members are named readers: users who read the process whatever
	// their department — when their clearance reaches its level, as every
	// reader's must (need-to-know and clearance, never one without the
	// other). A probation file is read by the mentor. They change as the
	// process goes (MemberRecord); Barred still keeps a user out.
	Members []string `json:"members,omitempty"`
}

// CreateTaskInput is the input of the CreateTask activity.
type CreateTaskInput struct {
	TaskID    string      `json:"task_id"`
	Process   ProcessInfo `json:"process"`
	Spec      TaskSpec    `json:"spec"`
	CreatedAt time.Time   `json:"created_at"`
	DueAt     *time.Time  `json:"due_at,omitempty"`
}

// CreateTaskResult reports how many active users may work the new task; 0
// means nobody can, and the workflow escalates at once.
type CreateTaskResult struct {
	Eligible int `json:"eligible"`
}

// CompleteTaskRequest is the argument of the CompleteTask update. The API
// fills Actor from the authenticated user and Assignee / OnBehalfOf from the
// inbox row it locked; the workflow validator checks them again.
type CompleteTaskRequest struct {
	TaskID     string         `json:"task_id"`
	Actor      Actor          `json:"actor"`
	Assignee   string         `json:"assignee"`
	OnBehalfOf string         `json:"on_behalf_of,omitempty"`
	Outcome    string         `json:"outcome"`
	Data       map[string]any `json:"data,omitempty"`
	Comment    string         `json:"comment,omitempty"`
}

// CompleteTaskResult is the result of the CompleteTask update.
type CompleteTaskResult struct {
	TaskID      string    `json:"task_id"`
	Outcome     string    `json:"outcome"`
	CompletedAt time.Time `json:"completed_at"`
}

// Assignment kinds for the AssignTask update.
const (
	AssignDelegate = "delegate" // the owner stays accountable; the delegate acts on their behalf
	AssignReassign = "reassign" // a manager moves the task to another person
	// AssignRelease gives a task back to its candidates: a hand-over whose
	// colleague the step's authority does not reach releases the
	// employee's claim instead (HandOverRequest).
	AssignRelease = "release"
)

// AssignTaskRequest is the argument of the AssignTask update.
type AssignTaskRequest struct {
	TaskID string `json:"task_id"`
	Kind   string `json:"kind"`
	Actor  Actor  `json:"actor"`
	// Owner is the assignee of record when delegating (from the inbox row).
	Owner string `json:"owner,omitempty"`
	To    Actor  `json:"to"`
	Note  string `json:"note,omitempty"`
	// Key, when set, names the request (from its Idempotency-Key): the
	// workflow applies a key once, and answers the same request sent
	// again (a retry after a lost answer) without a second assignment.
	Key string `json:"key,omitempty"`
}

// CancelProcessRequest is the argument of the CancelProcess update.
type CancelProcessRequest struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason"`
}
