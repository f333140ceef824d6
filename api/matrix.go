package api

import (
	"context"
	"math"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The approval matrix (采购审批矩阵) API. The security administrator
// proposes a version (PUT /admin/approval-matrix); it takes effect only
// when the GM approves it, in a matrix_change process the proposal starts,
// whose task shows the changes. Who reads and who proposes is the role, as
// for the rest of the administration API (admin.go), never policy. GET
// /approval-matrix/route is the dry run anyone who may start a purchase
// asks: which steps a request would take, and by which rule.

// matrixStore keeps the matrix's versions (store/matrix.go).
type matrixStore interface {
	CurrentMatrix(ctx context.Context) (store.MatrixVersion, *store.MatrixVersion, error)
	MatrixVersion(ctx context.Context, version int) (store.MatrixVersion, error)
	ProposeMatrix(ctx context.Context, c store.AdminChange, p store.MatrixProposal) (store.MatrixVersion, error)
	// Project finds a project a requisition names (its route may name
	// the project's first responsible person).
	Project(ctx context.Context, id string) (zhidu.Project, error)
	// RunningWith and Holders answer a start's lookups (workflows.Sources).
	RunningWith(ctx context.Context, kind, field, value string) ([]string, error)
	Holders(ctx context.Context, role zhidu.Role, dept zhidu.Department) ([]string, error)
}

// matrixReaders read the matrix and its proposal: the security
// administrator who proposes, the GM who decides, the security auditor who
// checks what administrators did.
var matrixReaders = []zhidu.Role{zhidu.RoleSecAdmin, zhidu.RoleGM, zhidu.RoleSecAudit}

// MayReadMatrix reports whether GET /admin/approval-matrix answers the
// actor (the web's navigation asks; the route decides by the same roles).
func MayReadMatrix(u zhidu.Actor) bool { return slices.ContainsFunc(matrixReaders, u.HasRole) }

// matrixObject is the administration object of the audit trail's
// refusals; each version is approval-matrix:N (store.MatrixObject).
const matrixObject = "approval-matrix"

// maxMatrixNote bounds a proposal's note.
const maxMatrixNote = 2000

// matrixView is GET /admin/approval-matrix.
type matrixView struct {
	Active   store.MatrixVersion `json:"active"`
	Proposal *proposalView       `json:"proposal"`
}

// proposalView is a proposed version with its changes from the active one.
type proposalView struct {
	store.MatrixVersion
	Changes []matrix.Change `json:"changes"`
	// ChangeLines say the changes one per line, as the GM's task shows them.
	ChangeLines []string `json:"change_lines"`
}

func newProposalView(active, v store.MatrixVersion) *proposalView {
	changes := matrix.Diff(active.Document, v.Document)
	if changes == nil {
		changes = []matrix.Change{}
	}
	return &proposalView{MatrixVersion: v, Changes: changes, ChangeLines: matrix.Lines(changes)}
}

// getMatrix answers the active version and the proposal awaiting the GM,
// if any.
func (s *Server) getMatrix(c *gin.Context) {
	if !s.requireAdmin(c, "admin.approval_matrix.read", matrixObject, matrixReaders...) {
		return
	}
	active, pending, err := s.Store.CurrentMatrix(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	v := matrixView{Active: active}
	if pending != nil {
		v.Proposal = newProposalView(active, *pending)
	}
	c.JSON(http.StatusOK, v)
}

// matrixBody is a proposal: the new version's document and a note for the
// GM.
type matrixBody struct {
	Rules []matrix.Rule `json:"rules"`
	Note  string        `json:"note"`
}

// proposeMatrix stores a new version as proposed (audited
// admin.approval_matrix.propose) and starts the GM's decision on it. An
// invalid document is a 400 naming each offending field and changes
// nothing; while a version awaits the GM, another proposal is a 409 — the
// same proposal again (a retry) answers 200 with it and makes sure its
// process runs.
func (s *Server) proposeMatrix(c *gin.Context) {
	if !s.requireAdmin(c, "admin.approval_matrix.propose", matrixObject, zhidu.RoleSecAdmin) {
		return
	}
	var b matrixBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	doc := matrix.Matrix{Rules: b.Rules}
	errs := doc.Validate()
	if utf8.RuneCountInString(b.Note) > maxMatrixNote {
		if errs == nil {
			errs = map[string]zhidu.Message{}
		}
		errs["note"] = zhidu.MaxChars(maxMatrixNote)
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(matrix.CannotPropose(), errs))
		return
	}
	ctx := c.Request.Context()
	active, pending, err := s.Store.CurrentMatrix(ctx)
	if err != nil {
		fail(c, err)
		return
	}
	u := currentUser(c)
	switch {
	case pending != nil && pending.ProposedBy == u.Username && pending.Note == b.Note && matrix.Equal(pending.Document, doc):
		s.startMatrixChange(c, active, *pending, http.StatusOK)
		return
	case pending != nil:
		fail(c, zhidu.Fail(zhidu.CodeConflict, matrix.Pending(pending.Version)))
		return
	case matrix.Equal(active.Document, doc):
		fail(c, zhidu.Invalid(matrix.CannotPropose(), map[string]zhidu.Message{"rules": matrix.Unchanged()}))
		return
	}
	id := workflows.ProcessID(workflows.KindMatrixChange, u.Username, "")
	v, err := s.Store.ProposeMatrix(ctx, s.change(c), store.MatrixProposal{Document: doc, Note: b.Note, Base: active.Version,
		ProcessID: id, At: s.Now(), Detail: map[string]any{"process": id, "changes": matrix.Lines(matrix.Diff(active.Document, doc))}})
	if err != nil {
		fail(c, err)
		return
	}
	s.startMatrixChange(c, active, v, http.StatusCreated)
}

// startMatrixChange starts the GM's decision on proposed version v (again:
// the start and the process row are idempotent by the process ID) and
// answers with the proposal.
func (s *Server) startMatrixChange(c *gin.Context, active, v store.MatrixVersion, status int) {
	view := newProposalView(active, v)
	kind, _ := workflows.Lookup(workflows.KindMatrixChange)
	in := workflows.NewMatrixChange(v.ProcessID, v.ProposedBy, v.Version, active.Version, v.Note, view.ChangeLines,
		s.Config.Processes[kind.Kind])
	if _, ok := s.startInternalProcess(c, kind, in, in.Process, map[string]any{"version": v.Version}); !ok {
		return
	}
	c.JSON(status, gin.H{"proposal": view})
}

// routeView is GET /approval-matrix/route: the version asked, the rule
// that matched and the steps, the requester's department filled in.
type routeView struct {
	Version int           `json:"version"`
	State   string        `json:"state"`
	Rule    int           `json:"rule"`    // its index in the version's rules; -1: none
	Matched *matrix.Rule  `json:"matched"` // the rule; null: none
	Steps   []matrix.Step `json:"steps"`
	Why     string        `json:"why"`
	WhyCode zhidu.Message `json:"why_code"` // why, as a code
}

// MayAskMatrix reports whether the actor may ask the dry run: whoever may
// start a purchase — for now anyone with a business role — and the
// security administrator, who keeps the matrix.
func MayAskMatrix(u zhidu.Actor) bool {
	return u.HasRole(zhidu.RoleSecAdmin) || hasBusinessRole(u)
}

// routeMatrix answers which steps a purchase request would take, and why:
// a dry run over the active version, or over the version asked for.
func (s *Server) routeMatrix(c *gin.Context) {
	if !MayAskMatrix(currentUser(c).Actor()) {
		s.deny(c, "approval_matrix.route", matrixObject, matrix.RouteDenied())
		return
	}
	p := queryParams(c)
	kind := p.oneOf("kind", matrix.Kinds()...)
	amount := p.amount("amount")
	dept := zhidu.Department(p.oneOf("department", departmentNames()...))
	level := zhidu.Internal
	if l := p.oneOf("level", levelNames()...); l != "" {
		level, _ = zhidu.ParseLevel(l)
	}
	version := p.integer("version", 1, math.MaxInt32)
	for _, name := range []string{"kind", "amount", "department"} {
		if _, bad := p.errs[name]; !bad && c.Query(name) == "" {
			p.errs[name] = zhidu.Required()
		}
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	var v store.MatrixVersion
	var err error
	if version > 0 {
		v, err = s.Store.MatrixVersion(ctx, version)
	} else {
		v, _, err = s.Store.CurrentMatrix(ctx)
	}
	if err != nil {
		fail(c, err)
		return
	}
	steps, rule, why := v.Document.Route(kind, amount, dept, level)
	out := routeView{Version: v.Version, State: v.State, Rule: rule, Steps: steps, Why: why.String(), WhyCode: why}
	if rule < 0 {
		out.Steps = []matrix.Step{}
	} else {
		out.Matched = &v.Document.Rules[rule]
	}
	c.JSON(http.StatusOK, out)
}

// amount reads an amount in CNY: a number, not negative, in yuan and fen.
func (p *params) amount(name string) float64 {
	x := p.number(name)
	if x == nil {
		return 0
	}
	if msg := matrix.CheckAmount(*x); !msg.IsZero() {
		p.errs[name] = msg
		return 0
	}
	return *x
}

func departmentNames() []string {
	var out []string
	for _, d := range zhidu.Departments() {
		out = append(out, string(d))
	}
	return out
}

func levelNames() []string {
	var out []string
	for _, l := range zhidu.Levels() {
		out = append(out, l.String())
	}
	return out
}
