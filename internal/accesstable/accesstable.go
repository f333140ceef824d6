// Package accesstable is the access table the authorisation tests share:
// objects at every level in three departments, and — written out by hand
// from DOMAIN.md, not computed by the code under test — who may read,
// write, complete and cancel each one. The authz tests check the enforcer
// against it; the e2e tests check the HTTP API and the list endpoints.
package accesstable

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/store"
)

// Object is one fixture object.
type Object struct {
	Ref        zhidu.ObjectRef
	ProcessID  string
	Department zhidu.Department
	Level      zhidu.Level
}

// Starter starts every fixture process: a participant of all of them.
const Starter = "newhire"

// candidate is the one user each department's fixture tasks are offered to.
var candidate = map[zhidu.Department]string{
	zhidu.DeptCS:      "cs.super",    // secret clearance
	zhidu.DeptFin:     "fin.clerk",   // secret clearance
	zhidu.DeptQuality: "quality.eng", // internal clearance
}

// Departments are the fixture departments.
func Departments() []zhidu.Department {
	return []zhidu.Department{zhidu.DeptCS, zhidu.DeptFin, zhidu.DeptQuality}
}

// Designated: the GM designates hr.head for the customer-service
// top-secret process.
const Designated = "hr.head"

// Excluded is a task whose only candidate is excluded from it (separation
// of duties): nobody may complete it.
var Excluded = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-fx-sod"}, ProcessID: "fx-sod", Department: zhidu.DeptCS, Level: zhidu.Internal}

// BarredProcess and BarredTask belong to a process that bars cs.head and
// the GM (as a misconduct complaint bars the employee it names): nobody it
// bars may read or do anything with it, not even the GM.
var (
	BarredProcess = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "fx-barred"}, ProcessID: "fx-barred", Department: zhidu.DeptCS, Level: zhidu.Internal}
	BarredTask    = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-fx-barred"}, ProcessID: "fx-barred", Department: zhidu.DeptCS, Level: zhidu.Internal}
	barred        = []string{"cs.head", "gm"}
)

// ConfinedProcess confines its readers to cs, and SharedProcess, confined
// to cs as well, shares itself with fin (as an approved return slip gives
// its copies to the warehouse, finance and sales); both internal, in cs,
// with a task each offered to cs.super. Nobody outside their departments
// reads them by the level rule: not compliance, whose role reads internal
// processes everywhere else.
var (
	ConfinedProcess = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "fx-confined"}, ProcessID: "fx-confined", Department: zhidu.DeptCS, Level: zhidu.Internal}
	ConfinedTask    = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-fx-confined"}, ProcessID: "fx-confined", Department: zhidu.DeptCS, Level: zhidu.Internal}
	SharedProcess   = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "fx-shared"}, ProcessID: "fx-shared", Department: zhidu.DeptCS, Level: zhidu.Internal}
	SharedTask      = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-fx-shared"}, ProcessID: "fx-shared", Department: zhidu.DeptCS, Level: zhidu.Internal}
)

// MembersProcess names readers (as a probation file names the mentor): secret,
// owned by hr and confined to it, naming sales.head (cleared secret) and
// sales.rep (cleared internal), with a task offered to hr.trainer. The
// named reader who is cleared reads it; the one who is not, and the rest
// of sales, do not.
var (
	MembersProcess = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "fx-members"}, ProcessID: "fx-members", Department: zhidu.DeptHR, Level: zhidu.Secret}
	MembersTask    = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-fx-members"}, ProcessID: "fx-members", Department: zhidu.DeptHR, Level: zhidu.Secret}
	members        = []string{"sales.head", "sales.rep"}
)

// Grant fixtures: three secret fin processes, each with a task offered
// to fin.clerk, and read grants (查阅审批) for them to pur.head (cleared
// secret) — one not begun yet (before), one open now (during), one past
// its stored expiry but never taken back (after: its workflow was down).
// During also holds a revoked grant to sales.head and an open one to
// quality.eng, who is cleared internal only: neither opens it. Grants
// are relative to the wall clock when Load runs, as the read rule judges
// them by the clock.
var (
	GrantBefore     = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "fx-grant-before"}, ProcessID: "fx-grant-before", Department: zhidu.DeptFin, Level: zhidu.Secret}
	GrantBeforeTask = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-fx-grant-before"}, ProcessID: "fx-grant-before", Department: zhidu.DeptFin, Level: zhidu.Secret}
	GrantDuring     = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "fx-grant-during"}, ProcessID: "fx-grant-during", Department: zhidu.DeptFin, Level: zhidu.Secret}
	GrantDuringTask = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-fx-grant-during"}, ProcessID: "fx-grant-during", Department: zhidu.DeptFin, Level: zhidu.Secret}
	GrantAfter      = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "fx-grant-after"}, ProcessID: "fx-grant-after", Department: zhidu.DeptFin, Level: zhidu.Secret}
	GrantAfterTask  = Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-fx-grant-after"}, ProcessID: "fx-grant-after", Department: zhidu.DeptFin, Level: zhidu.Secret}
)

// Grantee holds the fixture grants.
const Grantee = "pur.head"

func processID(d zhidu.Department, l zhidu.Level) string { return fmt.Sprintf("fx-%s-%s", d, l) }

// Objects lists every fixture object: a process and its task per
// department and level, and the separation-of-duties task.
func Objects() []Object {
	var out []Object
	for _, d := range Departments() {
		for _, l := range zhidu.Levels() {
			pid := processID(d, l)
			out = append(out,
				Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: pid}, ProcessID: pid, Department: d, Level: l},
				Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-" + pid}, ProcessID: pid, Department: d, Level: l})
		}
	}
	return append(out, Excluded, BarredProcess, BarredTask, ConfinedProcess, ConfinedTask, SharedProcess, SharedTask,
		MembersProcess, MembersTask, GrantBefore, GrantBeforeTask, GrantDuring, GrantDuringTask, GrantAfter, GrantAfterTask)
}

// Load writes the fixtures into a store that holds the demo organisation:
// the processes and tasks of Objects and the customer files of
// CustomerObjects with their grants.
func Load(ctx context.Context, st *store.Store) error {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	var readers []zhidu.Department // of the next put
	var names []string             // named readers of the next put
	put := func(o Object, cands []zhidu.Candidate, excluded []string, barred ...string) error {
		_, err := st.CreateTask(ctx, zhidu.CreateTaskInput{TaskID: "t-" + o.ProcessID, CreatedAt: at,
			Process: zhidu.ProcessInfo{ID: o.ProcessID, RunID: "run-" + o.ProcessID, Kind: "approval", Title: o.ProcessID,
				Level: o.Level, Department: o.Department, StartedBy: Starter, Barred: barred, Readers: readers, Members: names},
			Spec: zhidu.TaskSpec{StepKey: "step", Step: "dept_head_approval", Title: zhidu.Text{Zh: o.ProcessID, En: o.ProcessID},
				Department: o.Department, Candidates: cands, Level: o.Level, Priority: zhidu.PriorityNormal,
				Excluded: excluded, Form: zhidu.Form{Outcomes: []string{"approve"}}}})
		return err
	}
	for _, o := range Objects() {
		if o.Ref.Type != zhidu.ObjectProcess || o == BarredProcess || o == ConfinedProcess || o == SharedProcess || o == MembersProcess {
			continue
		}
		if err := put(o, []zhidu.Candidate{{User: candidate[o.Department]}}, nil); err != nil {
			return err
		}
	}
	now := time.Now()
	for _, g := range []struct {
		id, process, grantee string
		from, to             time.Duration
		revoked              bool
	}{
		{"fx-access-before", GrantBefore.ProcessID, Grantee, time.Hour, 2 * time.Hour, false},
		{"fx-access-during", GrantDuring.ProcessID, Grantee, -time.Hour, time.Hour, false},
		{"fx-access-after", GrantAfter.ProcessID, Grantee, -2 * time.Hour, -time.Hour, false},
		{"fx-access-revoked", GrantDuring.ProcessID, "sales.head", -time.Hour, time.Hour, true},
		{"fx-access-uncleared", GrantDuring.ProcessID, "quality.eng", -time.Hour, time.Hour, false},
	} {
		var revokedAt *time.Time
		if g.revoked {
			revokedAt = &now
		}
		if _, err := st.Pool.Exec(ctx, `INSERT INTO access_grants (id, grantee, target, reason, granted_at, expires_at, approved_by, revoked_at, revoked_by)
            VALUES ($1, $2, $3, 'fixture', $4, $5, 'gm', $6, CASE WHEN $6::timestamptz IS NULL THEN NULL ELSE 'gm' END)`,
			g.id, g.grantee, "process:"+g.process, now.Add(g.from), now.Add(g.to), revokedAt); err != nil {
			return err
		}
	}
	if err := put(Excluded, []zhidu.Candidate{{User: "cs.super"}}, []string{"cs.super"}); err != nil {
		return err
	}
	if err := put(BarredProcess, []zhidu.Candidate{{User: "cs.super"}}, barred, barred...); err != nil {
		return err
	}
	readers = []zhidu.Department{zhidu.DeptCS}
	for _, o := range []Object{ConfinedProcess, SharedProcess} {
		if err := put(o, []zhidu.Candidate{{User: "cs.super"}}, nil); err != nil {
			return err
		}
	}
	if err := st.ShareProcess(ctx, zhidu.ShareRecord{EventKey: "fx-shared:share", ProcessID: SharedProcess.ProcessID,
		Departments: []zhidu.Department{zhidu.DeptFin}, Actor: "cs.head", Reason: "fixture", At: at}); err != nil {
		return err
	}
	readers, names = []zhidu.Department{zhidu.DeptHR}, members
	if err := put(MembersProcess, []zhidu.Candidate{{User: "hr.trainer"}}, nil); err != nil {
		return err
	}
	if _, err := st.Designate(ctx, store.Designation{Username: Designated, Object: "process:" + processID(zhidu.DeptCS, zhidu.TopSecret),
		GrantedBy: "gm", GrantedAt: at, Reason: "fixture"}, ""); err != nil {
		return err
	}
	return loadCustomers(ctx, st, at)
}

// Users are the demo usernames.
func Users() []string {
	var out []string
	for _, u := range demo.Users() {
		out = append(out, u.Username)
	}
	return out
}

// readers lists, by hand, who may read the fixture processes (and their
// tasks) of each department and level:
//   - the GM and the deputy GM, always;
//   - newhire started them all (internal clearance);
//   - the department's candidate user takes part (cs.super and fin.clerk
//     are cleared for secret, quality.eng for internal);
//   - public and internal: supervisors, heads and the VP in charge of the
//     department, and compliance (bmo.auditor) everywhere;
//   - secret: members of the department whose role permits reading, and
//     the VP in charge; compliance is not a member;
//   - confidential: the department head and the VP, if cleared;
//   - top secret: GM, deputy GM and the designated hr.head (cs only).
//
// The three administrators (sysadmin, secadmin, secaudit) read, write,
// complete and cancel nothing: they are in no list.
var readers = map[zhidu.Department]map[zhidu.Level][]string{
	zhidu.DeptCS: {
		zhidu.Public:       {"gm", "deputy", "newhire", "cs.super", "cs.head", "vp.ops", "bmo.auditor"},
		zhidu.Internal:     {"gm", "deputy", "newhire", "cs.super", "cs.head", "vp.ops", "bmo.auditor"},
		zhidu.Secret:       {"gm", "deputy", "cs.super", "cs.head", "vp.ops"},
		zhidu.Confidential: {"gm", "deputy", "vp.ops"},
		zhidu.TopSecret:    {"gm", "deputy", "hr.head"},
	},
	zhidu.DeptFin: {
		zhidu.Public:       {"gm", "deputy", "newhire", "fin.clerk", "fin.head", "vp.admin", "bmo.auditor"},
		zhidu.Internal:     {"gm", "deputy", "newhire", "fin.clerk", "fin.head", "vp.admin", "bmo.auditor"},
		zhidu.Secret:       {"gm", "deputy", "fin.clerk", "fin.head", "vp.admin"},
		zhidu.Confidential: {"gm", "deputy", "fin.head", "vp.admin"},
		zhidu.TopSecret:    {"gm", "deputy"},
	},
	zhidu.DeptQuality: {
		zhidu.Public:       {"gm", "deputy", "newhire", "quality.eng", "quality.head", "vp.ops", "bmo.auditor"},
		zhidu.Internal:     {"gm", "deputy", "newhire", "quality.eng", "quality.head", "vp.ops", "bmo.auditor"},
		zhidu.Secret:       {"gm", "deputy", "quality.head", "vp.ops"},
		zhidu.Confidential: {"gm", "deputy", "vp.ops"},
		zhidu.TopSecret:    {"gm", "deputy"},
	},
}

// writers may write (e.g. raise the level of) and cancel: readers who
// started the process, head its department, are its VP, or are the GM or
// deputy GM. Supervisors, compliance and designated users may not.
var writers = map[zhidu.Department]map[zhidu.Level][]string{
	zhidu.DeptCS: {
		zhidu.Public:       {"gm", "deputy", "newhire", "cs.head", "vp.ops"},
		zhidu.Internal:     {"gm", "deputy", "newhire", "cs.head", "vp.ops"},
		zhidu.Secret:       {"gm", "deputy", "cs.head", "vp.ops"},
		zhidu.Confidential: {"gm", "deputy", "vp.ops"},
		zhidu.TopSecret:    {"gm", "deputy"},
	},
	zhidu.DeptFin: {
		zhidu.Public:       {"gm", "deputy", "newhire", "fin.head", "vp.admin"},
		zhidu.Internal:     {"gm", "deputy", "newhire", "fin.head", "vp.admin"},
		zhidu.Secret:       {"gm", "deputy", "fin.head", "vp.admin"},
		zhidu.Confidential: {"gm", "deputy", "fin.head", "vp.admin"},
		zhidu.TopSecret:    {"gm", "deputy"},
	},
	zhidu.DeptQuality: {
		zhidu.Public:       {"gm", "deputy", "newhire", "quality.head", "vp.ops"},
		zhidu.Internal:     {"gm", "deputy", "newhire", "quality.head", "vp.ops"},
		zhidu.Secret:       {"gm", "deputy", "quality.head", "vp.ops"},
		zhidu.Confidential: {"gm", "deputy", "vp.ops"},
		zhidu.TopSecret:    {"gm", "deputy"},
	},
}

// completers may complete a fixture task: its candidate, when they may
// read it. Nobody completes a process, nor the separation-of-duties task.
var completers = map[zhidu.Department]map[zhidu.Level][]string{
	zhidu.DeptCS:      {zhidu.Public: {"cs.super"}, zhidu.Internal: {"cs.super"}, zhidu.Secret: {"cs.super"}},
	zhidu.DeptFin:     {zhidu.Public: {"fin.clerk"}, zhidu.Internal: {"fin.clerk"}, zhidu.Secret: {"fin.clerk"}},
	zhidu.DeptQuality: {zhidu.Public: {"quality.eng"}, zhidu.Internal: {"quality.eng"}},
}

// confined lists who may read ConfinedProcess and SharedProcess and their
// tasks: the internal cs fixture's readers without compliance (bmo.auditor
// is no member of cs); SharedProcess adds the members of fin whose role
// permits reading (fin.head and vp.admin; fin.clerk's staff role does not).
// Writers, cancellers and completers are as for the internal cs fixture.
var confined = map[string][]string{
	"fx-confined": {"gm", "deputy", "newhire", "cs.super", "cs.head", "vp.ops"},
	"fx-shared":   {"gm", "deputy", "newhire", "cs.super", "cs.head", "vp.ops", "fin.head", "vp.admin"},
}

// named lists, by action, who may act on MembersProcess and its task:
// read — the GM's office, hr's head and supervisor (hr.trainer, the
// task's candidate, besides), the VP in charge of hr, and sales.head, the
// one named reader cleared for secret (not sales.rep, cleared internal,
// nor newhire, who started it, nor vp.ops, in charge of sales); write and
// cancel — the head of hr, its VP and the GM's office (naming gives no
// other action); complete — the task's candidate.
var named = map[string][]string{
	zhidu.ActRead:     {"gm", "deputy", "hr.head", "hr.trainer", "vp.admin", "sales.head"},
	zhidu.ActWrite:    {"gm", "deputy", "hr.head", "vp.admin"},
	zhidu.ActCancel:   {"gm", "deputy", "hr.head", "vp.admin"},
	zhidu.ActComplete: {"hr.trainer"},
}

// Expected is the decision the table holds for user, object and action.
func Expected(user string, o Object, action string) bool {
	if o.ProcessID == GrantDuring.ProcessID && user == Grantee {
		return action == zhidu.ActRead // a grant opens reading, nothing else
	}
	if o.ProcessID == MembersProcess.ProcessID {
		if action == zhidu.ActComplete && o.Ref.Type != zhidu.ObjectTask {
			return false
		}
		return slices.Contains(named[action], user)
	}
	if rs, ok := confined[o.ProcessID]; ok && (action == zhidu.ActRead || !slices.Contains(rs, user)) {
		return slices.Contains(rs, user)
	}
	if o.ProcessID == BarredProcess.ProcessID {
		if slices.Contains(barred, user) {
			return false
		} // otherwise as the plain fixture of its department and level
	}
	if o == Excluded {
		switch action {
		case zhidu.ActComplete:
			return false
		case zhidu.ActRead:
			return slices.Contains(readers[o.Department][o.Level], user)
		default:
			return slices.Contains(writers[o.Department][o.Level], user)
		}
	}
	switch action {
	case zhidu.ActRead:
		return slices.Contains(readers[o.Department][o.Level], user)
	case zhidu.ActWrite, zhidu.ActCancel:
		return slices.Contains(writers[o.Department][o.Level], user)
	case zhidu.ActComplete:
		return o.Ref.Type == zhidu.ObjectTask && slices.Contains(completers[o.Department][o.Level], user)
	}
	return false
}

// Case is one row of the table.
type Case struct {
	User   string
	Object Object
	Action string
	Want   bool
}

// Cases lists every row: each demo user × object × action.
func Cases() []Case {
	var out []Case
	for _, u := range Users() {
		for _, o := range Objects() {
			for _, a := range zhidu.Actions() {
				out = append(out, Case{User: u, Object: o, Action: a, Want: Expected(u, o, a)})
			}
		}
	}
	return out
}

// Customer files (客户档案): one file per level owned by sales and one per
// level owned by mkt, and the access grants (migration 024) that open some
// of them: cs.agent (internal) holds a grant for sales's files, fin.clerk
// (secret) one for mkt's, rnd.eng (internal) one for the internal sales
// file alone; wh.clerk's grant for sales's files has expired and
// pur.buyer's for mkt's is revoked, so they open nothing.
func customerID(d zhidu.Department, l zhidu.Level) string { return fmt.Sprintf("cus-fx-%s-%s", d, l) }

// CustomerDepartments are the departments owning fixture customer files.
func CustomerDepartments() []zhidu.Department {
	return []zhidu.Department{zhidu.DeptSales, zhidu.DeptMkt}
}

// CustomerObjects lists the fixture customer files.
func CustomerObjects() []Object {
	var out []Object
	for _, d := range CustomerDepartments() {
		for _, l := range zhidu.Levels() {
			out = append(out, Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectCustomer, ID: customerID(d, l)}, Department: d, Level: l})
		}
	}
	return out
}

// customerRegistrant registers each department's fixture files.
var customerRegistrant = map[zhidu.Department]string{zhidu.DeptSales: "sales.rep", zhidu.DeptMkt: "mkt.head"}

// loadCustomers writes the fixture files and grants.
func loadCustomers(ctx context.Context, st *store.Store, at time.Time) error {
	for i, o := range CustomerObjects() {
		_, err := st.RegisterCustomer(ctx, store.AdminChange{Actor: customerRegistrant[o.Department]}, zhidu.Customer{ID: o.Ref.ID,
			Name: "客户 " + o.Ref.ID, Class: zhidu.ClassQualified, Phone: fmt.Sprintf("1380000%04d", i), Department: o.Department,
			Level: o.Level}, at)
		if err != nil {
			return err
		}
	}
	far := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, g := range []struct {
		id, grantee, target string
		expires             time.Time
		revoked             bool
	}{
		{"fx-grant-cs", "cs.agent", "department:sales", far, false},
		{"fx-grant-fin", "fin.clerk", "department:mkt", far, false},
		{"fx-grant-rnd", "rnd.eng", "customer:" + customerID(zhidu.DeptSales, zhidu.Internal), far, false},
		{"fx-grant-expired", "wh.clerk", "department:sales", at.Add(time.Hour), false},
		{"fx-grant-revoked", "pur.buyer", "department:mkt", far, true},
	} {
		var revokedAt *time.Time
		if g.revoked {
			revokedAt = &at
		}
		if _, err := st.Pool.Exec(ctx, `INSERT INTO access_grants (id, grantee, target, reason, granted_at, expires_at, approved_by, revoked_at, revoked_by)
            VALUES ($1, $2, $3, 'fixture', $4, $5, 'gm', $6, CASE WHEN $6::timestamptz IS NULL THEN NULL ELSE 'gm' END)`,
			g.id, g.grantee, g.target, at, g.expires, revokedAt); err != nil {
			return err
		}
	}
	return nil
}

// customerReaders lists, by hand, who may read the fixture customer files:
//   - the GM and the deputy GM, always;
//   - the owning department's members cleared for the level: for sales
//     sales.head and sales.mentor (secret), sales.rep and newhire
//     (internal), and vp.ops, who holds the VP role in sales
//     (confidential); for mkt mkt.head (secret);
//   - the grantees of unexpired, unrevoked grants, cleared for the level:
//     cs.agent (sales, up to internal), fin.clerk (mkt, up to secret),
//     rnd.eng (the internal sales file);
//   - top secret: the GM and the deputy GM only.
//
// Nobody else, whatever their role (compliance, other heads, the VP
// of other departments, the administrators).
var customerReaders = map[zhidu.Department]map[zhidu.Level][]string{
	zhidu.DeptSales: {
		zhidu.Public:       {"gm", "deputy", "vp.ops", "sales.head", "sales.mentor", "sales.rep", "newhire", "cs.agent"},
		zhidu.Internal:     {"gm", "deputy", "vp.ops", "sales.head", "sales.mentor", "sales.rep", "newhire", "cs.agent", "rnd.eng"},
		zhidu.Secret:       {"gm", "deputy", "vp.ops", "sales.head", "sales.mentor"},
		zhidu.Confidential: {"gm", "deputy", "vp.ops"},
		zhidu.TopSecret:    {"gm", "deputy"},
	},
	zhidu.DeptMkt: {
		zhidu.Public:       {"gm", "deputy", "mkt.head", "fin.clerk"},
		zhidu.Internal:     {"gm", "deputy", "mkt.head", "fin.clerk"},
		zhidu.Secret:       {"gm", "deputy", "mkt.head", "fin.clerk"},
		zhidu.Confidential: {"gm", "deputy"},
		zhidu.TopSecret:    {"gm", "deputy"},
	},
}

// customerGrantees read by a grant only: they may not edit.
var customerGrantees = []string{"cs.agent", "fin.clerk", "rnd.eng"}

// ExpectedCustomer is the decision the table holds for user, customer file
// and action: readers read it, readers other than grantees write it, and
// nobody completes or cancels a file.
func ExpectedCustomer(user string, o Object, action string) bool {
	read := slices.Contains(customerReaders[o.Department][o.Level], user)
	switch action {
	case zhidu.ActRead:
		return read
	case zhidu.ActWrite:
		return read && !slices.Contains(customerGrantees, user)
	}
	return false
}

// CustomerCases lists every row for customer files: each demo user × file
// × action.
func CustomerCases() []Case {
	var out []Case
	for _, u := range Users() {
		for _, o := range CustomerObjects() {
			for _, a := range zhidu.Actions() {
				out = append(out, Case{User: u, Object: o, Action: a, Want: ExpectedCustomer(u, o, a)})
			}
		}
	}
	return out
}
