package store

import (
	"fmt"
	"strconv"
	"time"

	"github.com/zhidu/zhidu"
)

// Viewer is who is reading, with what the authorisation layer decided
// about them (see authz.ReadScope); every read query turns it into the
// read rule in its WHERE clause, so pages are full and counts exact.
type Viewer struct {
	Username  string
	Clearance zhidu.Level
	Roles     []zhidu.RoleGrant
	Address   string // where the request came from, for the audit trail
	// Designations are the objects (TYPE:ID) the viewer is designated for.
	Designations []string
	// Now is the time read grants are judged at (the API's clock, as
	// authz judges them); zero: the database's clock.
	Now time.Time

	Leadership      bool     // the GM and deputy GMs read everything
	Global          bool     // public and internal processes of every department
	Member          []string // departments whose public to secret processes they may read
	ConfidentialAll bool     // confidential processes of every department
	Confidential    []string // departments whose confidential processes they may read
}

// param adds one argument and returns its placeholder.
func (q *query) param(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// grants renders the viewer's role grants as a row set to match
// (role, department) pairs against.
func (q *query) grants(v Viewer) string {
	roles, depts := make([]string, len(v.Roles)), make([]string, len(v.Roles))
	for i, g := range v.Roles {
		roles[i], depts[i] = string(g.Role), string(g.Department)
	}
	return fmt.Sprintf("(SELECT * FROM unnest(%s::text[], %s::text[]))", q.param(roles), q.param(depts))
}

// inboxKeys are the inbox keys that name the viewer (see migration 003).
func (v Viewer) inboxKeys() []string {
	keys := []string{"u:" + v.Username}
	for _, g := range v.Roles {
		keys = append(keys, "r:"+string(g.Role)+"@"+string(g.Department))
	}
	return keys
}

// readable renders the read rule of authz (see authz/decide.go) for an
// object whose level and department are the SQL expressions level and
// dept, in the process whose ID is pid; taskID, when not empty, is the
// task's ID expression (a designation for the task admits too); barred is
// the process's barred users (rule 0 bars them even from the GM's view);
// readers its confining departments (NULL: not confined), which take the
// place of its department in the level rules (rule 6); members its named
// readers, who read it as participants do (rule 5).
func (q *query) readable(v Viewer, level, dept, pid, taskID, barred, readers, members string) string {
	u := q.param(v.Username)
	notBarred := fmt.Sprintf("NOT (%s = ANY(%s))", u, barred)
	if v.Leadership {
		return notBarred
	}
	designated := q.designated(u, pid, taskID)
	participant := fmt.Sprintf(`(EXISTS (SELECT 1 FROM processes sp WHERE sp.id = %[1]s AND sp.started_by = %[2]s)
        OR EXISTS (SELECT 1 FROM participants pp WHERE pp.process_id = %[1]s AND pp.username = %[2]s)
        OR EXISTS (SELECT 1 FROM process_roles pr WHERE pr.process_id = %[1]s AND (pr.role, pr.department) IN %[3]s)
        OR %[2]s = ANY(%[4]s)
        OR %[5]s)`,
		pid, u, q.grants(v), members, q.granted(v, u, pid))
	// in renders "one of these departments": the object's department, or,
	// for a confined process, one of its readers.
	in := func(depts []string) string {
		p := q.param(depts)
		return fmt.Sprintf("(CASE WHEN %[1]s IS NULL THEN %[2]s = ANY(%[3]s) ELSE %[1]s && %[3]s::text[] END)", readers, dept, p)
	}
	member := "false"
	if len(v.Member) > 0 {
		member = in(v.Member)
	}
	lowLevels := member
	if v.Global { // every department's, unless the process confines its readers
		lowLevels = fmt.Sprintf("(%s IS NULL OR %s)", readers, member)
	}
	confidential := "false"
	if v.ConfidentialAll {
		confidential = "true"
	} else if len(v.Confidential) > 0 {
		confidential = in(v.Confidential)
	}
	return fmt.Sprintf(`(%[8]s AND (%[1]s OR (%[2]s < 4 AND %[2]s <= %[3]s AND (%[4]s
        OR (%[2]s <= 1 AND %[5]s) OR (%[2]s = 2 AND %[6]s) OR (%[2]s = 3 AND %[7]s)))))`,
		designated, level, q.param(int(v.Clearance)), participant, lowLevels, member, confidential, notBarred)
}

// granted is true when the user whose placeholder is u holds an open read
// grant for the process pid: unrevoked, granted and not yet expired by
// its stored expiry (rule 5, Grant.Opens), at the viewer's time.
func (q *query) granted(v Viewer, u, pid string) string {
	at := "now()"
	if !v.Now.IsZero() {
		at = q.param(v.Now) + "::timestamptz"
	}
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM access_grants ag WHERE ag.target = 'process:' || %[1]s AND ag.grantee = %[2]s
        AND ag.revoked_at IS NULL AND ag.granted_at <= %[3]s AND ag.expires_at > %[3]s)`, pid, u, at)
}

// designated is true when the user whose placeholder is u holds an active
// designation for the process pid or the task taskID.
func (q *query) designated(u, pid, taskID string) string {
	objects := "'process:' || " + pid
	if taskID != "" {
		objects += ", 'task:' || " + taskID
	}
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM designations d WHERE d.username = %s AND d.revoked_at IS NULL
        AND d.object IN (%s))`, u, objects)
}

// inboxReadable is the read rule for inbox rows of alias a, whose task ID
// column is idCol. Every inbox row names the viewer — as assignee,
// delegate, candidate or completer — so the viewer takes part in its
// process, and the rule reduces to the level conditions and designations.
func (q *query) inboxReadable(v Viewer, a, idCol string) string {
	if v.Leadership {
		return "true"
	}
	cond := fmt.Sprintf("(%[1]s.level < 4 AND %[1]s.level <= %[2]s)", a, q.param(int(v.Clearance)))
	if len(v.Designations) > 0 {
		cond = fmt.Sprintf("(%s OR 'process:' || %s.process_id = ANY(%[3]s) OR 'task:' || %s = ANY(%[3]s))",
			cond, a, q.param(v.Designations), idCol)
	}
	return cond
}

// readableTask is the read rule for task alias t.
func (q *query) readableTask(v Viewer, t string) string {
	of := func(col string) string {
		return "CAST((SELECT bp." + col + " FROM processes bp WHERE bp.id = " + t + ".process_id) AS text[])"
	}
	return q.readable(v, t+".level", t+".department", t+".process_id", t+".id", of("barred"), of("readers"), of("members"))
}

// readableProcess is the read rule for process alias p.
func (q *query) readableProcess(v Viewer, p string) string {
	return q.readable(v, p+".level", p+".department", p+".id", "", p+".barred", p+".readers", p+".members")
}

// readableCustomer renders the read rule of customer files (authz/decide.go
// decideCustomer) for customers alias c: the GM line reads every file;
// anyone else none top secret nor above their clearance, and of the rest
// those of departments they are a member of (a business role there) and
// those an unrevoked access grant opens to them now.
func (q *query) readableCustomer(v Viewer, c string) string {
	if v.Leadership {
		return "true"
	}
	var member []string
	for _, g := range v.Roles {
		if !g.Role.Administrative() {
			member = append(member, string(g.Department))
		}
	}
	return fmt.Sprintf(`(%[1]s.level < 4 AND %[1]s.level <= %[2]s AND (%[1]s.department = ANY(%[3]s::text[])
        OR EXISTS (SELECT 1 FROM access_grants ag WHERE ag.grantee = %[4]s AND ag.revoked_at IS NULL
            AND ag.granted_at <= now() AND ag.expires_at > now()
            AND ag.target IN ('customer:' || %[1]s.id, 'department:' || %[1]s.department))))`,
		c, q.param(int(v.Clearance)), q.param(member), q.param(v.Username))
}
