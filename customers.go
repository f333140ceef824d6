package zhidu

import (
	"slices"
	"strings"
	"time"
)

// Customer files (客户档案, DOMAIN.md "Customer files"): the company's
// asset, owned by a department. The store keeps them (migration 025);
// who may read and edit one is the read rule of authz.Decide for objects
// of type ObjectCustomer, mirrored in SQL.

// ObjectCustomer is the object type of a customer file: customer:ID.
const ObjectCustomer = "customer"

// Customer classes (客户分类).
const (
	ClassVIP       = "vip"
	ClassPreferred = "preferred" // 优选客户
	ClassQualified = "qualified" // 合格客户
)

// CustomerClasses lists the classes.
func CustomerClasses() []string { return []string{ClassVIP, ClassPreferred, ClassQualified} }

// Contact kinds and outcomes (来人来电).
const (
	ContactVisit     = "visit"
	ContactCall      = "call"
	ContactTestDrive = "test_drive"

	// OutcomeDeal: the contact closed a sale (成交). The monthly
	// statistics count a deal per contact with this outcome.
	OutcomeDeal     = "deal"
	OutcomeFollowUp = "follow_up"
	OutcomeNoDeal   = "no_deal"
)

// ContactKinds lists the kinds of contact.
func ContactKinds() []string { return []string{ContactVisit, ContactCall, ContactTestDrive} }

// ContactOutcomes lists the outcomes of a contact.
func ContactOutcomes() []string { return []string{OutcomeDeal, OutcomeFollowUp, OutcomeNoDeal} }

// Crossing case states and decisions.
const (
	CrossingOpen      = "open"
	CrossingContested = "contested"
	CrossingDecided   = "decided"

	CrossingFirst      = "first"      // the first registrant keeps the credit
	CrossingSecond     = "second"     // the second registrant gets it
	CrossingDepartment = "department" // 归部门: unresolved, the department's
)

// Blacklist decisions.
const (
	BlacklistAdded   = "added"
	BlacklistRemoved = "removed"
)

// Customer is one customer file.
type Customer struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Class      string     `json:"class"`
	Phone      string     `json:"phone"`                // normalised (NormalizePhone)
	CompanyID  *string    `json:"company_id,omitempty"` // normalised (NormalizeCompanyID)
	Contact    string     `json:"contact"`              // contact details: person, address …
	Department Department `json:"department"`           // the owning department
	// Responsible is the employee in charge of the customer (负责人).
	Responsible string `json:"responsible"`
	Level       Level  `json:"level"`
	// RegisteredAt and RegisteredBy are the first registration; Credit is
	// who holds the credit for the customer: the first registrant, unless a
	// crossing case decided otherwise ("": the department's, 归部门).
	RegisteredAt time.Time `json:"registered_at"`
	RegisteredBy string    `json:"registered_by"`
	Credit       string    `json:"credit"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Blacklist is the entry that has the customer on the blacklist, if any.
	Blacklist *BlacklistEntry `json:"blacklist,omitempty"`
}

// CustomerChange is one entry of a file's history (append-only): who
// changed which field when, from what to what. Via says how: edit,
// registered, handover, blacklist.
type CustomerChange struct {
	ID         int64     `json:"id"`
	CustomerID string    `json:"customer_id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Field      string    `json:"field"`
	Before     *string   `json:"before"`
	After      *string   `json:"after"`
	Via        string    `json:"via"`
	Reason     string    `json:"reason,omitempty"`
}

// CrossingCase is a second registration of a customer on file (客户交叉/
// 重卡). The first registrant keeps the customer and the credit; a
// contested case is decided by the department head (the decision is
// final); unresolved, the credit goes to the department.
type CrossingCase struct {
	ID           string     `json:"id"`
	CustomerID   string     `json:"customer_id"`
	Registrant   string     `json:"registrant"` // the second registrant
	Department   Department `json:"department"` // theirs
	At           time.Time  `json:"at"`
	Matched      string     `json:"matched"` // phone or company_id
	Name         string     `json:"name"`    // the name they gave
	Credit       string     `json:"credit"`  // who holds the credit
	State        string     `json:"state"`   // open, contested, decided
	ContestedBy  *string    `json:"contested_by,omitempty"`
	ContestedAt  *time.Time `json:"contested_at,omitempty"`
	Decision     *string    `json:"decision,omitempty"` // first, second, department
	DecidedBy    *string    `json:"decided_by,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	DecisionNote string     `json:"decision_note,omitempty"`
	ProcessID    *string    `json:"process_id,omitempty"`
}

// CustomerContact is a visit, call or test drive (来人来电) and its outcome.
type CustomerContact struct {
	ID         int64      `json:"id"`
	CustomerID string     `json:"customer_id"`
	Kind       string     `json:"kind"`
	Outcome    string     `json:"outcome"`
	Note       string     `json:"note,omitempty"`
	By         string     `json:"by"`
	Department Department `json:"department"` // the file's owner then
	At         time.Time  `json:"at"`
}

// BlacklistEntry is one decision of the Marketing Division about the
// company blacklist (销售客户黑名单): added or removed, by whom, why.
type BlacklistEntry struct {
	ID         int64     `json:"id"`
	CustomerID string    `json:"customer_id"`
	Name       string    `json:"name,omitempty"` // the customer's, in listings
	Decision   string    `json:"decision"`
	Reason     string    `json:"reason"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// NormalizePhone returns a phone number as the files keep it: digits with
// an optional leading +, spaces and dashes removed. A number is 7 to 15
// digits (E.164's longest), an optional + first, spaces and dashes
// between; anything else is not a phone number (ok false). China's
// country code is dropped (+86 138… and 138… are one number).
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return "", false
		}
	}
	if digits < 7 || digits > 15 {
		return "", false
	}
	// The company's own country code (+86, 0086) is dropped, so a number
	// is on file once however it was written — as often as it was written
	// ("+86 0086 …"), so that a normalised number normalises to itself.
	n := b.String()
	for cut := true; cut; {
		cut = false
		for _, cc := range []string{"+86", "0086"} {
			if rest, ok := strings.CutPrefix(n, cc); ok && len(rest) >= 7 {
				n, cut = rest, true
			}
		}
	}
	return n, true
}

// NormalizeCompanyID returns a company ID (统一社会信用代码 or another
// registration number) as the files keep it: upper case, without spaces
// and dashes; 1 to 40 letters and digits (ok false otherwise).
func NormalizeCompanyID(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		switch {
		case (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z'):
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return "", false
		}
	}
	if b.Len() == 0 || b.Len() > 40 {
		return "", false
	}
	return b.String(), true
}

// CustomerMember reports whether the actor is a member of dept for
// customer files: holds a business role (not an administrator's) there.
func CustomerMember(a Actor, dept Department) bool {
	return slices.ContainsFunc(a.Roles, func(g RoleGrant) bool { return g.Department == dept && !g.Role.Administrative() })
}

// CustomerGrantTargets are the grant targets that open a customer file:
// the file itself and its department's files.
func CustomerGrantTargets(id string, dept Department) []string {
	return []string{GrantCustomer + ":" + id, GrantDepartment + ":" + string(dept)}
}

// Marketing reports whether the actor decides for the Marketing Division
// (市场部) about the blacklist: its head or a supervisor there.
func Marketing(a Actor) bool {
	return a.Has(RoleDeptHead, DeptMkt) || a.Has(RoleSupervisor, DeptMkt)
}

// SalesOrMarketing reports whether the actor is an employee of the sales
// department or the Marketing Division (who read the blacklist).
func SalesOrMarketing(a Actor) bool {
	return CustomerMember(a, DeptSales) || CustomerMember(a, DeptMkt)
}
