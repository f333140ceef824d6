package api

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// Purchasing's master data: suppliers, the conflicts of interest declared
// with them (回避) and projects. Who may do what is the role, as for the
// approval matrix (matrix.go), never a policy line:
//
//   - every holder of a business role reads suppliers and projects (the
//     three administrators read no business data);
//   - the purchasing department (staff, supervisor, head) adds suppliers
//     and keeps their documents; staff and supervisors add a supplier
//     only unqualified and new: qualifying one and approving its supply
//     are the purchasing head's;
//   - the purchasing head or compliance puts a supplier on the blacklist
//     (with a reason) or takes it off;
//   - everyone declares their own conflicts of interest; compliance
//     records one for someone else. Declared conflicts are shown in full
//     to compliance, the purchasing head and the GM line; anyone else sees
//     their own only (neither the others nor how many there are);
//   - the GM and the deputy GMs add projects.
//
// Refusals are 403, audited (supplier.*, project.create, denied). After
// every change to a supplier the running purchases are told how it now
// stands (tellPurchases).

// purchasingStore keeps purchasing's master data (store/purchasing.go).
type purchasingStore interface {
	Suppliers(ctx context.Context, ids []string) ([]zhidu.Supplier, error)
	Supplier(ctx context.Context, id string) (zhidu.Supplier, error)
	CreateSupplier(ctx context.Context, c store.AdminChange, sup zhidu.Supplier, at time.Time) (zhidu.Supplier, error)
	UpdateSupplier(ctx context.Context, c store.AdminChange, id string, p store.SupplierPatch, at time.Time) (zhidu.Supplier, bool, error)
	DeclareConflict(ctx context.Context, c zhidu.Conflict, address string) (bool, error)
	Projects(ctx context.Context) ([]zhidu.Project, error)
	Project(ctx context.Context, id string) (zhidu.Project, error)
	CreateProject(ctx context.Context, c store.AdminChange, p zhidu.Project) (zhidu.Project, error)
	RunningProcessIDs(ctx context.Context, kind string) ([]string, error)
}

// Limits of the master data's texts.
const (
	maxSupplierName = 200
	maxDocumentName = 200
	maxReason       = 1000
	maxProjectName  = 200
)

var projectIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)

// hasBusinessRole reports whether u holds a role other than the three
// administrators'.
func hasBusinessRole(u zhidu.Actor) bool {
	return slices.ContainsFunc(u.Roles, func(g zhidu.RoleGrant) bool { return !g.Role.Administrative() })
}

// purchasingHead: the head of the purchasing department (采购部经理).
func purchasingHead(u zhidu.Actor) bool { return u.Has(zhidu.RoleDeptHead, zhidu.DeptPur) }

// inPurchasing: the purchasing department's staff, supervisors and head.
func inPurchasing(u zhidu.Actor) bool {
	return slices.ContainsFunc(u.Roles, func(g zhidu.RoleGrant) bool {
		return g.Department == zhidu.DeptPur && slices.Contains([]zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead}, g.Role)
	})
}

// seesConflicts: compliance, the purchasing head and the GM line see every
// declared conflict of interest.
func seesConflicts(u zhidu.Actor) bool {
	return u.HasRole(zhidu.RoleCompliance) || purchasingHead(u) || u.IsLeadership()
}

// visibleConflicts returns the conflicts u may see: all of them, or u's own.
func visibleConflicts(u zhidu.Actor, cs []zhidu.Conflict) []zhidu.Conflict {
	if seesConflicts(u) {
		return cs
	}
	out := []zhidu.Conflict{}
	for _, c := range cs {
		if c.User == u.Username {
			out = append(out, c)
		}
	}
	return out
}

// supplierView is a supplier as u may see it.
func supplierView(u zhidu.Actor, sup zhidu.Supplier) zhidu.Supplier {
	sup.Conflicts = visibleConflicts(u, sup.Conflicts)
	return sup
}

// readsPurchasing answers 403 (audited as action on object) unless the
// caller holds a business role.
func (s *Server) readsPurchasing(c *gin.Context, action, object string) bool {
	if hasBusinessRole(currentUser(c).Actor()) {
		return true
	}
	s.deny(c, action, object, zhidu.PurchasingReadDenied())
	return false
}

// tellPurchases sends the SupplierFacts update — the supplier as it now
// stands, with every conflict of interest — to every running purchase.
// A purchase that cannot be told is logged (its ID and the error, never
// the supplier's content) and does not stop the others: the change is
// made, and a purchase that missed it reads the supplier again when it
// needs it.
func (s *Server) tellPurchases(ctx context.Context, sup zhidu.Supplier) {
	// The client going away does not stop the telling.
	ctx = context.WithoutCancel(ctx)
	var ids []string
	var err error
	for _, d := range workflows.Taking(workflows.UpdateSupplierFacts) {
		var more []string
		if more, err = s.Store.RunningProcessIDs(ctx, d.Kind); err != nil {
			break
		}
		ids = append(ids, more...)
	}
	if err != nil {
		slog.Error("supplier changed: cannot list the running purchases", "supplier", sup.ID, "error", err)
		return
	}
	facts := zhidu.SupplierFacts{Supplier: sup}
	for _, id := range ids {
		uctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := s.Engine.Update(uctx, id, workflows.UpdateSupplierFacts, facts, nil)
		cancel()
		if err != nil {
			slog.Warn("supplier changed: a running purchase was not told", "supplier", sup.ID, "process", id,
				"code", zhidu.ErrorCode(err), "error", err)
		}
	}
}

// listSuppliers answers the suppliers by name, filtered by blacklisted,
// qualified, supply_state and q (a part of the name, any case).
func (s *Server) listSuppliers(c *gin.Context) {
	if !s.readsPurchasing(c, "supplier.read", "suppliers") {
		return
	}
	p := queryParams(c)
	blacklisted, qualified := p.boolean("blacklisted"), p.boolean("qualified")
	state := p.oneOf("supply_state", zhidu.SupplyNew, zhidu.SupplyApproved)
	q := strings.ToLower(p.str("q", maxSupplierName))
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	sups, err := s.Store.Suppliers(c.Request.Context(), nil)
	if err != nil {
		fail(c, err)
		return
	}
	u := currentUser(c).Actor()
	items := []zhidu.Supplier{}
	for _, sup := range sups {
		if blacklisted != nil && sup.Blacklisted != *blacklisted || qualified != nil && sup.Qualified != *qualified ||
			state != "" && sup.SupplyState != state || !strings.Contains(strings.ToLower(sup.Name), q) {
			continue
		}
		items = append(items, supplierView(u, sup))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) getSupplier(c *gin.Context) {
	id := c.Param("id")
	if !s.readsPurchasing(c, "supplier.read", store.SupplierObject(id)) {
		return
	}
	sup, err := s.Store.Supplier(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, supplierView(currentUser(c).Actor(), sup))
}

// supplierBody is a new supplier.
type supplierBody struct {
	Name        string   `json:"name" text:"line"`
	Qualified   bool     `json:"qualified"`
	SupplyState string   `json:"supply_state" text:"line"`
	Documents   []string `json:"documents" text:"line"`
}

// checkSupplyState checks a supply state into errs.
func checkSupplyState(state string, errs map[string]zhidu.Message) {
	if state != zhidu.SupplyNew && state != zhidu.SupplyApproved {
		errs["supply_state"] = zhidu.OneOf([]string{zhidu.SupplyNew, zhidu.SupplyApproved})
	}
}

// checkDocuments checks each document's name into errs.
func checkDocuments(docs []string, errs map[string]zhidu.Message) {
	for i, d := range docs {
		if n := utf8.RuneCountInString(strings.TrimSpace(d)); n == 0 || n > maxDocumentName {
			errs["documents["+strconv.Itoa(i)+"]"] = zhidu.CharRange(1, maxDocumentName)
		}
	}
}

func trimAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// createSupplier adds a supplier (201).
func (s *Server) createSupplier(c *gin.Context) {
	u := currentUser(c).Actor()
	if !inPurchasing(u) {
		s.deny(c, "supplier.create", "suppliers", zhidu.SupplierAddDenied())
		return
	}
	b := supplierBody{SupplyState: zhidu.SupplyNew}
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	b.Name = strings.TrimSpace(b.Name)
	errs := map[string]zhidu.Message{}
	if n := utf8.RuneCountInString(b.Name); n == 0 || n > maxSupplierName {
		errs["name"] = zhidu.CharRange(1, maxSupplierName)
	}
	checkSupplyState(b.SupplyState, errs)
	checkDocuments(b.Documents, errs)
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotAddSupplier(), errs))
		return
	}
	if (b.Qualified || b.SupplyState == zhidu.SupplyApproved) && !purchasingHead(u) {
		s.deny(c, "supplier.create", "suppliers", zhidu.SupplierQualifyDenied())
		return
	}
	sup, err := s.Store.CreateSupplier(c.Request.Context(), s.change(c), zhidu.Supplier{Name: b.Name, Qualified: b.Qualified,
		SupplyState: b.SupplyState, Documents: trimAll(b.Documents)}, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, supplierView(u, sup))
}

// supplierPatchBody is a change to a supplier; a field left out (or null)
// stays as it is.
type supplierPatchBody struct {
	Qualified       *bool     `json:"qualified"`
	SupplyState     *string   `json:"supply_state" text:"line"`
	Documents       *[]string `json:"documents" text:"line"`
	Blacklisted     *bool     `json:"blacklisted"`
	BlacklistReason *string   `json:"blacklist_reason"`
}

// updateSupplier changes a supplier (200, as it now stands) and tells the
// running purchases when anything changed.
func (s *Server) updateSupplier(c *gin.Context) {
	id := c.Param("id")
	object := store.SupplierObject(id)
	u := currentUser(c).Actor()
	compliance := u.HasRole(zhidu.RoleCompliance)
	if !inPurchasing(u) && !compliance {
		s.deny(c, "supplier.update", object, zhidu.SupplierChangeDenied())
		return
	}
	var b supplierPatchBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if b.Qualified == nil && b.SupplyState == nil && b.Documents == nil && b.Blacklisted == nil && b.BlacklistReason == nil {
		fail(c, zhidu.Invalid(zhidu.NothingToChange([]string{"qualified", "supply_state", "documents", "blacklisted"}), nil))
		return
	}
	errs := map[string]zhidu.Message{}
	if b.SupplyState != nil {
		checkSupplyState(*b.SupplyState, errs)
	}
	if b.Documents != nil {
		checkDocuments(*b.Documents, errs)
		*b.Documents = trimAll(*b.Documents)
	}
	if b.BlacklistReason != nil {
		*b.BlacklistReason = strings.TrimSpace(*b.BlacklistReason)
		switch {
		case b.Blacklisted == nil:
			errs["blacklist_reason"] = zhidu.WithBlacklisted()
		case utf8.RuneCountInString(*b.BlacklistReason) > maxReason:
			errs["blacklist_reason"] = zhidu.MaxChars(maxReason)
		}
	}
	if b.Blacklisted != nil && *b.Blacklisted && (b.BlacklistReason == nil || *b.BlacklistReason == "") {
		errs["blacklist_reason"] = zhidu.Required()
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotChangeSupplier(), errs))
		return
	}
	switch {
	case (b.Qualified != nil || b.SupplyState != nil) && !purchasingHead(u):
		s.deny(c, "supplier.update", object, zhidu.SupplierQualifyDenied())
		return
	case b.Documents != nil && !inPurchasing(u):
		s.deny(c, "supplier.update", object, zhidu.SupplierDocumentsDenied())
		return
	case b.Blacklisted != nil && !purchasingHead(u) && !compliance:
		s.deny(c, "supplier.blacklist", object, zhidu.SupplierBlacklistDenied())
		return
	}
	ctx := c.Request.Context()
	sup, changed, err := s.Store.UpdateSupplier(ctx, s.change(c), id, store.SupplierPatch{Qualified: b.Qualified,
		SupplyState: b.SupplyState, Documents: b.Documents, Blacklisted: b.Blacklisted, BlacklistReason: b.BlacklistReason}, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	if changed {
		s.tellPurchases(ctx, sup)
	}
	c.JSON(http.StatusOK, supplierView(u, sup))
}

func (s *Server) listConflicts(c *gin.Context) {
	id := c.Param("id")
	if !s.readsPurchasing(c, "supplier.read", store.SupplierObject(id)) {
		return
	}
	sup, err := s.Store.Supplier(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": visibleConflicts(currentUser(c).Actor(), sup.Conflicts)})
}

// conflictBody declares a conflict of interest: user (the caller when
// empty) has an interest in the supplier, for reason.
type conflictBody struct {
	User   string `json:"user" text:"line"`
	Reason string `json:"reason"`
}

// declareConflict records a conflict of interest: 201 with it, or 200
// with the first declaration when the user declared one with the
// supplier before (the first is kept).
func (s *Server) declareConflict(c *gin.Context) {
	id := c.Param("id")
	object := store.SupplierObject(id)
	if !s.readsPurchasing(c, "supplier.conflict", object) {
		return
	}
	var b conflictBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	b.Reason = strings.TrimSpace(b.Reason)
	if n := utf8.RuneCountInString(b.Reason); n == 0 || n > maxReason {
		fail(c, zhidu.Invalid(zhidu.CannotDeclareConflict(), map[string]zhidu.Message{"reason": zhidu.CharRange(1, maxReason)}))
		return
	}
	ctx := c.Request.Context()
	if _, err := s.Store.Supplier(ctx, id); err != nil {
		fail(c, err)
		return
	}
	me := currentUser(c)
	if b.User == "" {
		b.User = me.Username
	}
	if b.User != me.Username {
		if !me.Actor().HasRole(zhidu.RoleCompliance) {
			s.deny(c, "supplier.conflict", object, zhidu.ConflictOtherDenied())
			return
		}
		if _, err := s.Store.User(ctx, b.User); err != nil {
			if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
				err = zhidu.Invalid(zhidu.CannotDeclareConflict(), map[string]zhidu.Message{"user": zhidu.NotAUser()})
			}
			fail(c, err)
			return
		}
	}
	created, err := s.Store.DeclareConflict(ctx, zhidu.Conflict{User: b.User, Supplier: id, Reason: b.Reason,
		DeclaredBy: me.Username, DeclaredAt: s.Now()}, c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	sup, err := s.Store.Supplier(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.tellPurchases(ctx, sup)
	}
	for _, k := range sup.Conflicts {
		if k.User == b.User {
			c.JSON(status, k)
			return
		}
	}
	fail(c, zhidu.Errorf(zhidu.CodeInternal, "conflict of interest of %s with %s not stored", b.User, id))
}

func (s *Server) listProjects(c *gin.Context) {
	if !s.readsPurchasing(c, "project.read", "projects") {
		return
	}
	ps, err := s.Store.Projects(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	if ps == nil {
		ps = []zhidu.Project{}
	}
	c.JSON(http.StatusOK, gin.H{"items": ps})
}

func (s *Server) getProject(c *gin.Context) {
	id := c.Param("id")
	if !s.readsPurchasing(c, "project.read", store.ProjectObject(id)) {
		return
	}
	p, err := s.Store.Project(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// projectBody is a new project; without an ID the store gives it one.
type projectBody struct {
	ID         string           `json:"id" text:"line"`
	Name       string           `json:"name" text:"line"`
	Department zhidu.Department `json:"department" text:"line"`
	Manager    string           `json:"manager" text:"line"`
	Lead       string           `json:"lead" text:"line"`
}

// createProject adds a project (201): the GM line only.
func (s *Server) createProject(c *gin.Context) {
	if !currentUser(c).Actor().IsLeadership() {
		s.deny(c, "project.create", "projects", zhidu.ProjectAddDenied())
		return
	}
	var b projectBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	b.Name = strings.TrimSpace(b.Name)
	errs := map[string]zhidu.Message{}
	if b.ID != "" && !projectIDPattern.MatchString(b.ID) {
		errs["id"] = zhidu.NotAProjectID()
	}
	if n := utf8.RuneCountInString(b.Name); n == 0 || n > maxProjectName {
		errs["name"] = zhidu.CharRange(1, maxProjectName)
	}
	if !b.Department.Valid() {
		errs["department"] = zhidu.OneOf(departmentNames())
	}
	for field, name := range map[string]string{"manager": b.Manager, "lead": b.Lead} {
		if name == "" {
			errs[field] = zhidu.Required()
			continue
		}
		if _, err := s.Store.User(ctx, name); zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			errs[field] = zhidu.NotAUser()
		} else if err != nil {
			fail(c, err)
			return
		}
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotAddProject(), errs))
		return
	}
	p, err := s.Store.CreateProject(ctx, s.change(c), zhidu.Project{ID: b.ID, Name: b.Name, Department: b.Department,
		Manager: b.Manager, Lead: b.Lead})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}
