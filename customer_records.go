package zhidu

import (
	"math"
	"time"
)

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

// Order states.
const (
	OrderStateDraft  = "draft"
	OrderStateSigned = "signed" // 订单签定: changes need a signed change task
)

// OrderLine is one line of an order.
type OrderLine struct {
	Item      string  `json:"item"`
	Quantity  float64 `json:"quantity"`
	UnitPrice float64 `json:"unit_price"`
}

// OrderTerms are what a change of a signed order may change: its lines
// and payment terms (the total follows the lines).
type OrderTerms struct {
	Lines        []OrderLine `json:"lines"`
	PaymentTerms string      `json:"payment_terms"`
}

// Total is the sum of the lines, to the cent.
func (t OrderTerms) Total() float64 {
	cents := 0.0
	for _, l := range t.Lines {
		cents += math.Round(l.Quantity * l.UnitPrice * 100)
	}
	return cents / 100
}

// Order is an order of a customer file.
type Order struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	OrderTerms
	Total     float64    `json:"total"`
	State     string     `json:"state"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	SignedBy  *string    `json:"signed_by,omitempty"`
	SignedAt  *time.Time `json:"signed_at,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// OrderChange records a signed order's change as the order-change process
// approved it: the terms before (as the request saw them) and after, who
// asked and who signed.
type OrderChange struct {
	ProcessID string     `json:"process_id"`
	OrderID   string     `json:"order_id"`
	Before    OrderTerms `json:"before"`
	After     OrderTerms `json:"after"`
	Requester string     `json:"requester"`
	Signer    string     `json:"signer"`
	Reason    string     `json:"reason"`
	At        time.Time  `json:"at"`
}
