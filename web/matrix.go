package web

import (
	"maps"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/matrix"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The approval matrix's pages (采购审批矩阵). /admin/approval-matrix shows
// what GET /api/v1/admin/approval-matrix answers — the active version and
// the proposal awaiting the GM with its changes — and gives the security
// administrator an editor whose proposal is PUT
// /api/v1/admin/approval-matrix: the API validates the document
// (matrix.Validate) and stores it, and its field errors
// ("rules[3].steps[0].role") are shown on the rule and in the cell they
// name. /approval-matrix/route is the dry run (GET
// /api/v1/approval-matrix/route). The GM's matrix_change task shows the
// same table of changes (task.go).

const (
	matrixAPI      = "/api/v1/admin/approval-matrix"
	matrixRouteAPI = "/api/v1/approval-matrix/route"
)

// matrixJSON is GET /api/v1/admin/approval-matrix.
type matrixJSON struct {
	Active   store.MatrixVersion `json:"active"`
	Proposal *struct {
		store.MatrixVersion
		Changes []matrix.Change `json:"changes"`
	} `json:"proposal"`
}

// actor is the signed-in user's roles as the API's rules take them.
func (m *me) actor() zhidu.Actor {
	return zhidu.Actor{Username: m.Username, Department: zhidu.Department(m.Department), Roles: m.Roles, Clearance: m.Clearance}
}

// matrixNav is where the navigation's approval matrix entry leads: the
// matrix for those who keep, decide or audit it, else the dry run for
// those who may ask it, else nowhere (""). The API decides regardless.
func (m *me) matrixNav() string {
	switch u := m.actor(); {
	case api.MayReadMatrix(u):
		return "/admin/approval-matrix"
	case api.MayAskMatrix(u):
		return "/approval-matrix/route"
	}
	return ""
}

// matrixTabs are the matrix pages' tabs this user is offered.
type matrixTabs struct {
	Active          string // "versions" or "route"
	Versions, Route bool
}

func (c *rc) matrixTabs(active string) matrixTabs {
	u := c.me.actor()
	return matrixTabs{Active: active, Versions: api.MayReadMatrix(u), Route: api.MayAskMatrix(u)}
}

// stepView is an approver step as shown and as the editor takes it back:
// who (a role, or the project's first responsible person) @ where.
type stepView struct{ Who, Where string }

func (s stepView) String() string {
	if s.Where == "" {
		return s.Who
	}
	return s.Who + "@" + s.Where
}

func stepOf(lang string, s matrix.Step) stepView {
	if s.ProjectLead {
		return stepView{Who: translate(lang, "matrix.project_lead")}
	}
	where := label(lang, "dept", s.Department)
	if s.Department == matrix.Requester {
		where = translate(lang, "matrix.requester")
	}
	return stepView{Who: label(lang, "role", string(s.Role)), Where: where}
}

func stepsOf(lang string, steps []matrix.Step) []stepView {
	out := make([]stepView, len(steps))
	for i, s := range steps {
		out[i] = stepOf(lang, s)
	}
	return out
}

// ruleView is a rule as the pages show it, labelled.
type ruleView struct {
	Index                         int
	Kind, Department, Level, Band string
	Steps                         []stepView
}

func ruleOf(lang string, i int, r matrix.Rule) ruleView {
	v := ruleView{Index: i, Kind: label(lang, "matrix.kind", r.Kind), Department: translate(lang, "matrix.any_department"),
		Level: translate(lang, "matrix.any_level"), Band: bandText(lang, r.MinAmount, r.MaxAmount), Steps: stepsOf(lang, r.Steps)}
	if r.Department != matrix.Any {
		v.Department = label(lang, "dept", r.Department)
	}
	if r.Level != matrix.Any {
		v.Level = translate(lang, "matrix.level_up", label(lang, "level", r.Level))
	}
	return v
}

func rulesOf(lang string, m matrix.Matrix) []ruleView {
	out := make([]ruleView, len(m.Rules))
	for i, r := range m.Rules {
		out[i] = ruleOf(lang, i, r)
	}
	return out
}

// bandText says an amount band: from min (inclusive) to below max.
func bandText(lang string, min float64, max *float64) string {
	switch {
	case max == nil && min == 0:
		return translate(lang, "matrix.band.any")
	case max == nil:
		return translate(lang, "matrix.band.from", money(min))
	case min == 0:
		return translate(lang, "matrix.band.below", money(*max))
	}
	return translate(lang, "matrix.band.range", money(min), money(*max))
}

// money says an amount in CNY with thousands separators: ¥2,000.01,
// ¥50,000.
func money(x float64) string {
	whole, frac, _ := strings.Cut(strconv.FormatFloat(x, 'f', 2, 64), ".")
	var b strings.Builder
	b.WriteString("¥")
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "00" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// changeView is one difference between the active version and a
// proposal: the rule as proposed (as it was, for a removed one) and, for
// changed steps, the steps before.
type changeView struct {
	ruleView
	Op     string // matrix.OpAdded, …
	From   string // where a moved or changed rule was, when elsewhere
	Before []stepView
}

func changesOf(lang string, cs []matrix.Change) []changeView {
	out := make([]changeView, len(cs))
	for i, c := range cs {
		r := c.After
		if c.Op == matrix.OpRemoved {
			r = c.Before
		}
		v := changeView{ruleView: ruleOf(lang, c.Rule, *r), Op: c.Op}
		if c.From != nil && *c.From != c.Rule {
			v.From = translate(lang, "matrix.was", *c.From)
		}
		if c.Op == matrix.OpChanged {
			v.Before = stepsOf(lang, c.Before.Steps)
		}
		out[i] = v
	}
	return out
}

// pendingChanges are a matrix_change task's changes as a table, while the
// version it decides awaits the GM and the user may read the matrix (a
// decided task keeps the lines its context recorded).
func (c *rc) pendingChanges(context map[string]any) ([]changeView, bool) {
	version, _ := context["matrix_version"].(float64)
	if !api.MayReadMatrix(c.me.actor()) {
		return nil, false
	}
	var m matrixJSON
	if res := c.get(matrixAPI, nil, &m); !res.ok() || m.Proposal == nil || float64(m.Proposal.Version) != version {
		return nil, false
	}
	return changesOf(c.lang, m.Proposal.Changes), true
}

// withoutChanges is a matrix_change task's context without the changes
// the page shows as a table.
func withoutChanges(context map[string]any) map[string]any {
	out := maps.Clone(context)
	delete(out, "changes")
	return out
}

// The editor: one row per rule, its steps a line of text
// ("部门经理@申请人所在部门 → 职员@财务部") read back by parseSteps.

// editRow is one rule as the editor shows it and as it was posted.
type editRow struct {
	Kind, Department, Level, Min, Max, Steps string
	// Errors are the messages about the row by cell (kind, department,
	// level, min_amount, max_amount, steps) and "rule", the rule itself.
	Errors map[string][]string
	typed  []string // the steps as typed, one per step
}

func (r *editRow) fail(cell, msg string) {
	if r.Errors == nil {
		r.Errors = map[string][]string{}
	}
	r.Errors[cell] = append(r.Errors[cell], msg)
}

// blank: a row added and left empty, which a proposal leaves out.
func (r editRow) blank() bool {
	return r.Kind == "" && r.Min == "" && r.Max == "" && r.Steps == ""
}

func newRow() editRow { return editRow{Department: matrix.Any, Level: matrix.Any} }

// editorView is the editor: its rows, the proposal's note, and the
// messages that name no rule.
type editorView struct {
	Rows      []editRow
	Note      string
	NoteError string
	Errors    []string
}

// editorOf fills the editor with a version's rules.
func editorOf(lang string, m matrix.Matrix) *editorView {
	ed := &editorView{}
	for _, r := range m.Rules {
		row := editRow{Kind: r.Kind, Department: r.Department, Level: r.Level, Min: amountText(r.MinAmount)}
		if r.MaxAmount != nil {
			row.Max = amountText(*r.MaxAmount)
		}
		parts := make([]string, len(r.Steps))
		for i, s := range r.Steps {
			parts[i] = stepOf(lang, s).String()
		}
		row.Steps = strings.Join(parts, " → ")
		ed.Rows = append(ed.Rows, row)
	}
	return ed
}

func amountText(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// maxRows bounds the rows read from a posted editor: one more than a
// document may have, so the API says so.
const maxRows = matrix.MaxRules + 1

// postedEditor reads the editor from the posted form.
func postedEditor(c *rc) *editorView {
	f := c.r.PostForm
	n, _ := strconv.Atoi(f.Get("rows"))
	n = max(0, min(n, maxRows))
	ed := &editorView{Note: f.Get("note")}
	for i := range n {
		p := "r." + strconv.Itoa(i) + "."
		ed.Rows = append(ed.Rows, editRow{Kind: f.Get(p + "kind"), Department: f.Get(p + "department"), Level: f.Get(p + "level"),
			Min: strings.TrimSpace(f.Get(p + "min")), Max: strings.TrimSpace(f.Get(p + "max")), Steps: strings.TrimSpace(f.Get(p + "steps"))})
	}
	return ed
}

// edit applies one of the editor's row buttons — add, insert.N,
// remove.N, up.N, down.N — and reports whether op was one.
func (ed *editorView) edit(op string) bool {
	name, arg, _ := strings.Cut(op, ".")
	if name == "add" {
		if len(ed.Rows) < maxRows {
			ed.Rows = append(ed.Rows, newRow())
		}
		return true
	}
	i, err := strconv.Atoi(arg)
	if err != nil || i < 0 || i >= len(ed.Rows) {
		return false
	}
	switch name {
	case "insert":
		if len(ed.Rows) < maxRows {
			ed.Rows = slices.Insert(ed.Rows, i+1, newRow())
		}
	case "remove":
		ed.Rows = slices.Delete(ed.Rows, i, i+1)
	case "up":
		if i > 0 {
			ed.Rows[i-1], ed.Rows[i] = ed.Rows[i], ed.Rows[i-1]
		}
	case "down":
		if i+1 < len(ed.Rows) {
			ed.Rows[i], ed.Rows[i+1] = ed.Rows[i+1], ed.Rows[i]
		}
	default:
		return false
	}
	return true
}

// document is the matrix the editor's rows say, blank rows left out (so
// rule N is row N of the editor shown again); ok is false when an amount
// is no number, marked on its row: the web cannot send it.
func (ed *editorView) document(lang string) (rules []matrix.Rule, ok bool) {
	ed.Rows = slices.DeleteFunc(ed.Rows, editRow.blank)
	ok = true
	rules = []matrix.Rule{}
	for i := range ed.Rows {
		row := &ed.Rows[i]
		r := matrix.Rule{Kind: row.Kind, Department: row.Department, Level: row.Level}
		var fine bool
		if r.MinAmount, fine = readAmount(row.Min); !fine {
			row.fail("min_amount", translateMessage(lang, zhidu.NotNumber()))
			ok = false
		}
		if row.Max != "" {
			x, fine := readAmount(row.Max)
			if !fine {
				row.fail("max_amount", translateMessage(lang, zhidu.NotNumber()))
				ok = false
			}
			r.MaxAmount = &x
		}
		r.Steps, row.typed = parseSteps(row.Steps)
		rules = append(rules, r)
	}
	return rules, ok
}

// readAmount reads an amount as typed ("2,000.01", "¥2000"); empty is 0.
func readAmount(s string) (float64, bool) {
	s = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", " ", "").Replace(s)
	if s == "" {
		return 0, true
	}
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil && !math.IsNaN(x) && !math.IsInf(x, 0)
}

// stepSeparators split a rule's steps as typed: arrows, commas,
// semicolons, line breaks.
var stepSeparators = regexp.MustCompile(`→|->|=>|>|,|，|;|；|、|\n`)

// parseSteps reads a rule's steps as the editor shows them: "who@where"
// one after the other, roles and departments by their code or their label
// in either language. A part that is neither goes to the API as typed, so
// the matrix's own validation says what is wrong with it.
func parseSteps(text string) (steps []matrix.Step, typed []string) {
	words := stepWords()
	for _, part := range stepSeparators.Split(text, -1) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		typed = append(typed, part)
		if _, ok := words.lead[strings.ToLower(part)]; ok {
			steps = append(steps, matrix.Step{ProjectLead: true})
			continue
		}
		who, where, _ := strings.Cut(strings.ReplaceAll(part, "＠", "@"), "@")
		steps = append(steps, matrix.Step{Role: zhidu.Role(word(words.roles, who)), Department: word(words.depts, where)})
	}
	return steps, typed
}

// word is the code a label or code stands for, else the text as typed.
func word(words map[string]string, s string) string {
	s = strings.TrimSpace(s)
	if code, ok := words[strings.ToLower(s)]; ok {
		return code
	}
	return s
}

// notation is the words of the steps' notation, lower-cased: each role's,
// each department's and the requester's code and labels; the project
// lead's. Built once the catalogue is complete (after init).
type notation struct{ roles, depts, lead map[string]string }

var stepWords = sync.OnceValue(func() notation {
	n := notation{roles: map[string]string{}, depts: map[string]string{}, lead: map[string]string{}}
	add := func(m map[string]string, code, key string) {
		m[code] = code
		for lang := range catalog {
			m[strings.ToLower(translate(lang, key))] = code
		}
	}
	for _, r := range zhidu.Roles() {
		add(n.roles, string(r), "role."+string(r))
	}
	for _, d := range zhidu.Departments() {
		add(n.depts, string(d), "dept."+string(d))
	}
	add(n.depts, matrix.Requester, "matrix.requester")
	add(n.lead, "project_lead", "matrix.project_lead")
	return n
})

// ruleField reads a field error's path: rules[3], rules[3].kind,
// rules[3].steps[1].role.
var ruleField = regexp.MustCompile(`^rules\[(\d+)\](?:\.([a-z_]+)(?:\[(\d+)\](?:\.[a-z_]+)?)?)?$`)

// editorCells are the cells of a row a field error may name.
var editorCells = []string{"kind", "department", "level", "min_amount", "max_amount", "steps"}

// fail puts the API's field errors where they belong: on the rule and in
// the cell they name (a step's in the steps cell, saying which step), the
// note's under the note, the rest above the rules.
func (ed *editorView) fail(lang string, fields map[string]zhidu.Message) {
	paths := slices.Sorted(maps.Keys(fields))
	for _, path := range paths {
		msg := translateMessage(lang, fields[path])
		m := ruleField.FindStringSubmatch(path)
		var row *editRow
		if m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(ed.Rows) {
				row = &ed.Rows[i]
			}
		}
		switch {
		case path == "note":
			ed.NoteError = msg
		case path == "rules":
			ed.Errors = append(ed.Errors, msg)
		case row == nil:
			ed.Errors = append(ed.Errors, path+": "+msg)
		case m[3] != "":
			j, _ := strconv.Atoi(m[3])
			typed := ""
			if j < len(row.typed) {
				typed = row.typed[j]
			}
			row.fail("steps", translate(lang, "matrix.step_error", j+1, typed, msg))
		case slices.Contains(editorCells, m[2]):
			row.fail(m[2], msg)
		default:
			row.fail("rule", msg)
		}
	}
}

// matrixView is the matrix page.
type matrixView struct {
	Tabs   matrixTabs
	Active versionView
	// Proposal awaits the GM's decision; Pending says so to the security
	// administrator, who proposes again once it is decided.
	Proposal *proposalView
	Pending  string
	Editor   *editorView // nil: not for this user
	// The editor's vocabularies.
	Kinds, Departments, Levels, Roles []string
}

type versionView struct {
	store.MatrixVersion
	Rules []ruleView
}

type proposalView struct {
	versionView
	Base    int // the version it changes; 0: none recorded
	Changes []changeView
}

func (s *server) matrixPage(c *rc) { c.renderMatrix(http.StatusOK, nil, "") }

// renderMatrix renders the matrix page as the API shows it to the user
// now; ed is the editor as posted (nil: filled with the active version).
func (c *rc) renderMatrix(status int, ed *editorView, errMsg string) {
	var m matrixJSON
	if res := c.get(matrixAPI, nil, &m); !res.ok() {
		if res.Status == http.StatusForbidden {
			c.fail(http.StatusForbidden, c.T("matrix.read_denied"))
			return
		}
		c.apiFail(res)
		return
	}
	v := matrixView{Tabs: c.matrixTabs("versions"), Active: versionView{MatrixVersion: m.Active, Rules: rulesOf(c.lang, m.Active.Document)},
		Kinds: matrix.Kinds(), Departments: departmentCodes(), Levels: levelCodes()}
	for _, r := range matrix.ApproverRoles() {
		v.Roles = append(v.Roles, string(r))
	}
	if pr := m.Proposal; pr != nil {
		v.Proposal = &proposalView{versionView: versionView{MatrixVersion: pr.MatrixVersion, Rules: rulesOf(c.lang, pr.Document)},
			Changes: changesOf(c.lang, pr.Changes)}
		if pr.BaseVersion != nil {
			v.Proposal.Base = *pr.BaseVersion
		}
	}
	if c.me.actor().HasRole(zhidu.RoleSecAdmin) {
		if v.Proposal != nil {
			v.Pending = translateMessage(c.lang, matrix.Pending(v.Proposal.Version))
		}
		switch {
		case ed != nil: // what was posted stays, whatever happened meanwhile
			v.Editor = ed
		case v.Proposal == nil:
			v.Editor = editorOf(c.lang, m.Active.Document)
		}
	}
	p := pageFor(c, "matrix", c.T("matrix.title"))
	p.Error = errMsg
	p.Data = v
	c.render(status, "matrix", p)
}

// matrixEdit is the editor's form: a row button changes the rows and
// shows them again (nothing is stored); propose sends the document to PUT
// /api/v1/admin/approval-matrix.
func (s *server) matrixEdit(c *rc) {
	ed := postedEditor(c)
	op := c.r.PostFormValue("op")
	if op != "propose" {
		if !ed.edit(op) {
			c.fail(http.StatusBadRequest, c.T("matrix.bad_op"))
			return
		}
		c.renderMatrix(http.StatusOK, ed, "")
		return
	}
	rules, ok := ed.document(c.lang)
	if !ok {
		c.renderMatrix(http.StatusBadRequest, ed, c.T("error.fields"))
		return
	}
	res := c.call(http.MethodPut, matrixAPI, nil, map[string]any{"rules": rules, "note": strings.TrimSpace(ed.Note)})
	switch {
	case res.ok():
		http.Redirect(c.w, c.r, "/admin/approval-matrix?ok=matrix_proposed", http.StatusSeeOther)
	case res.Status == http.StatusForbidden:
		c.fail(http.StatusForbidden, c.T("matrix.propose_denied"))
	case res.Status == http.StatusBadRequest || res.Status == http.StatusConflict || res.Status == http.StatusRequestEntityTooLarge:
		ed.fail(c.lang, res.fields())
		c.renderMatrix(res.Status, ed, c.errMessage(res))
	default:
		c.apiFail(res)
	}
}

func departmentCodes() []string {
	out := []string{}
	for _, d := range zhidu.Departments() {
		out = append(out, string(d))
	}
	return out
}

func levelCodes() []string {
	out := []string{}
	for _, l := range zhidu.Levels() {
		out = append(out, l.String())
	}
	return out
}

// The dry run.

// routeJSON is GET /api/v1/approval-matrix/route.
type routeJSON struct {
	Version int           `json:"version"`
	State   string        `json:"state"`
	Rule    int           `json:"rule"`
	Matched *matrix.Rule  `json:"matched"`
	Steps   []matrix.Step `json:"steps"`
	WhyCode zhidu.Message `json:"why_code"`
}

// routeView is the dry-run page.
type routeView struct {
	Tabs                       matrixTabs
	Values, Errors             map[string]string
	Kinds, Departments, Levels []string
	Result                     *routeResult
}

type routeResult struct {
	Version int
	State   string
	Steps   []stepView
	Matched []ruleView // the rule that matched; none when no rule did
	Why     string
}

// routeQuestion are the parameters that ask the dry run; version only
// chooses the version asked (a link to try a proposal sets it alone).
var routeQuestion = []string{"kind", "amount", "department", "level"}

// matrixRoute answers which steps a purchase request would take. Without
// a question it still asks the API, whose 403 says whether the form is for
// this user (its 400 only lists what is missing).
func (s *server) matrixRoute(c *rc) {
	v := routeView{Tabs: c.matrixTabs("route"), Values: map[string]string{}, Errors: map[string]string{},
		Kinds: matrix.Kinds(), Departments: departmentCodes(), Levels: levelCodes()}
	query := c.r.URL.Query()
	asked := slices.ContainsFunc(routeQuestion, query.Has)
	q := url.Values{}
	for _, name := range append(slices.Clone(routeQuestion), "version") {
		if val := strings.TrimSpace(query.Get(name)); val != "" {
			v.Values[name] = val
			if name == "amount" {
				val = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "").Replace(val)
			}
			q[name] = []string{val}
		}
	}
	if !asked {
		q = nil
		v.Values["department"], v.Values["level"] = c.me.Department, zhidu.Internal.String()
	}
	p := pageFor(c, "matrix", c.T("matrix.route.title"))
	status := http.StatusOK
	var r routeJSON
	switch res := c.get(matrixRouteAPI, q, &r); {
	case res.ok():
		out := &routeResult{Version: r.Version, State: r.State, Steps: stepsOf(c.lang, r.Steps), Why: translateMessage(c.lang, r.WhyCode)}
		if r.Matched != nil {
			out.Matched = []ruleView{ruleOf(c.lang, r.Rule, *r.Matched)}
		}
		v.Result = out
	case !asked && res.Status == http.StatusBadRequest:
	case res.Status == http.StatusBadRequest:
		for k, m := range res.fields() {
			v.Errors[k] = translateMessage(c.lang, m)
		}
		status, p.Error = res.Status, c.errMessage(res)
	case res.Status == http.StatusNotFound && v.Values["version"] != "":
		v.Errors["version"] = c.T("matrix.route.no_version")
		status, p.Error = res.Status, c.T("error.fields")
	default:
		c.apiFail(res)
		return
	}
	p.Data = v
	c.render(status, "matrix_route", p)
}

func init() {
	kindTasks[workflows.KindMatrixChange] = func(c *rc, v *taskView, t taskJSON, _ processJSON) (map[string]any, choiceNames) {
		if changes, ok := c.pendingChanges(t.Context); ok {
			v.MatrixChanges = changes
			return withoutChanges(t.Context), nil
		}
		return t.Context, nil
	}
}
