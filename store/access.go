package store

import (
	"fmt"
	"strconv"

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

// candidateMatch is true when the viewer is a candidate of task alias a.
func (q *query) candidateMatch(v Viewer, a string) string {
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM task_candidates c WHERE c.task_id = %s.id AND (c.username = %s
        OR (c.role, c.department) IN %s))`, a, q.param(v.Username), q.grants(v))
}

// readable renders the read rule of authz (see authz/decide.go) for an
// object whose level and department are the SQL expressions level and
// dept, in the process whose ID is pid; taskID, when not empty, is the
// task's ID expression (a designation for the task admits too).
func (q *query) readable(v Viewer, level, dept, pid, taskID string) string {
	if v.Leadership {
		return "true"
	}
	u := q.param(v.Username)
	objects := "'process:' || " + pid
	if taskID != "" {
		objects += ", 'task:' || " + taskID
	}
	designated := fmt.Sprintf(`EXISTS (SELECT 1 FROM designations d WHERE d.username = %s AND d.revoked_at IS NULL
        AND d.object IN (%s))`, u, objects)
	participant := fmt.Sprintf(`(EXISTS (SELECT 1 FROM processes sp WHERE sp.id = %[1]s AND sp.started_by = %[2]s)
        OR EXISTS (SELECT 1 FROM participants pp WHERE pp.process_id = %[1]s AND pp.username = %[2]s)
        OR EXISTS (SELECT 1 FROM process_roles pr WHERE pr.process_id = %[1]s AND (pr.role, pr.department) IN %[3]s))`,
		pid, u, q.grants(v))
	member := "false"
	if len(v.Member) > 0 {
		member = dept + " = ANY(" + q.param(v.Member) + ")"
	}
	lowLevels := member
	if v.Global {
		lowLevels = "true"
	}
	confidential := "false"
	if v.ConfidentialAll {
		confidential = "true"
	} else if len(v.Confidential) > 0 {
		confidential = dept + " = ANY(" + q.param(v.Confidential) + ")"
	}
	return fmt.Sprintf(`(%[1]s OR (%[2]s < 4 AND %[2]s <= %[3]s AND (%[4]s
        OR (%[2]s <= 1 AND %[5]s) OR (%[2]s = 2 AND %[6]s) OR (%[2]s = 3 AND %[7]s))))`,
		designated, level, q.param(int(v.Clearance)), participant, lowLevels, member, confidential)
}

// readableTask is the read rule for task alias t.
func (q *query) readableTask(v Viewer, t string) string {
	return q.readable(v, t+".level", t+".department", t+".process_id", t+".id")
}

// readableProcess is the read rule for process alias p.
func (q *query) readableProcess(v Viewer, p string) string {
	return q.readable(v, p+".level", p+".department", p+".id", "")
}
