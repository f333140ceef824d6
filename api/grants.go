package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// Read grants (查阅审批) beside the file-access request's start and its
// process pages:
//
//   - GET /grants: the caller's own grants; everyone's for whom the
//     policy lets read the audit trail everywhere (compliance, the GM's
//     office); filters grantee, target, active;
//   - GET /grants/{id}: one grant, as the list shows it;
//   - POST /grants/{id}/return: the grantee gives an open grant back;
//   - POST /grants/{id}/revoke {reason}: the GM or a deputy GM takes it
//     back (the workflow's validator decides; a refusal is 403, audited).
//
// A grant the caller may not list is 404, as a missing one. A grant's ID
// is the ID of the file-access process that granted it; its workflow is
// the one sent the return or revocation, found by the update it takes.

// grantStore reads grants (store/grants.go).
type grantStore interface {
	Grants(ctx context.Context, f store.GrantFilter) ([]store.GrantRow, error)
	GrantByID(ctx context.Context, id string, now time.Time) (store.GrantRow, error)
}

// customerObject answers Objects for a customer:ID target: the file's
// level and department, and whether the starter reads it now (the
// customer read rule, open grants included).
func customerObject(ctx context.Context, s *Server, starter zhidu.Actor, id string) (workflows.ObjectInfo, error) {
	c, f, err := s.Store.Customer(ctx, id)
	if err != nil {
		return workflows.ObjectInfo{}, err
	}
	d, err := s.Authz.Decide(starter, f, zhidu.ActRead)
	return workflows.ObjectInfo{Ref: zhidu.GrantCustomer + ":" + id, Level: c.Level, Department: c.Department, Readable: d.Allowed}, err
}

// departmentReadable says whether a user reads a department's customer
// files already (department:D targets): the GM line, the department's
// members (zhidu.CustomerMember), or an open grant of them.
func departmentReadable(ctx context.Context, s *Server, u zhidu.Actor, d zhidu.Department) (bool, error) {
	if u.IsLeadership() || zhidu.CustomerMember(u, d) {
		return true, nil
	}
	active := true
	gs, err := s.Store.Grants(ctx, store.GrantFilter{Grantee: u.Username, Target: zhidu.GrantDepartment + ":" + string(d), Active: &active, Now: s.Now()})
	return len(gs) > 0, err
}

// storeObjects answers a start's object lookups (workflows.Objects) with
// the store and the read rule.
type storeObjects struct{ s *Server }

func (o storeObjects) Object(ctx context.Context, starter zhidu.Actor, ref string) (workflows.ObjectInfo, error) {
	typ, id, _ := strings.Cut(ref, ":")
	notFound := zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound(ref))
	switch typ {
	case zhidu.GrantDepartment:
		d := zhidu.Department(id)
		if !slices.Contains(zhidu.Departments(), d) {
			return workflows.ObjectInfo{}, notFound
		}
		ok, err := departmentReadable(ctx, o.s, starter, d)
		return workflows.ObjectInfo{Ref: ref, Level: zhidu.Internal, Department: d, Readable: ok}, err
	case zhidu.GrantCustomer:
		info, err := customerObject(ctx, o.s, starter, id)
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = notFound
		}
		return info, err
	case zhidu.ObjectProcess, zhidu.ObjectTask:
		f, err := o.s.Store.ObjectFacts(ctx, zhidu.ObjectRef{Type: typ, ID: id})
		if err != nil {
			return workflows.ObjectInfo{}, err
		}
		d, err := o.s.Authz.Decide(starter, f, zhidu.ActRead)
		return workflows.ObjectInfo{Ref: ref, Kind: f.Kind, Level: f.Level, Department: f.Department, Readable: d.Allowed,
			Barred: slices.Contains(f.Barred, starter.Username), Designated: f.Designated}, err
	}
	return workflows.ObjectInfo{}, notFound
}

// seesAllGrants: the roles the policy lets read the audit trail in every
// department (compliance, the GM's office) list everyone's grants.
func (s *Server) seesAllGrants(c *gin.Context) (bool, error) {
	return s.Authz.Can(currentUser(c).Username, "*", authz.ObjAudit, authz.ActRead)
}

func (s *Server) listGrants(c *gin.Context) {
	p := queryParams(c)
	f := store.GrantFilter{Grantee: p.str("grantee", 64), Target: p.str("target", 200), Active: p.boolean("active"), Now: s.Now()}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	all, err := s.seesAllGrants(c)
	if err != nil {
		fail(c, err)
		return
	}
	u := currentUser(c)
	if !all {
		if f.Grantee != "" && f.Grantee != u.Username {
			s.deny(c, "grant.list", "user:"+f.Grantee, zhidu.GrantListDenied())
			return
		}
		f.Grantee = u.Username
	}
	gs, err := s.Store.Grants(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": gs})
}

// grant reads a grant the caller may see (their own, or any for
// compliance and the GM's office); ok is false when an answer was written.
func (s *Server) grant(c *gin.Context) (store.GrantRow, bool) {
	id := c.Param("id")
	g, err := s.Store.GrantByID(c.Request.Context(), id, s.Now())
	if err == nil && g.Grantee != currentUser(c).Username {
		var all bool
		if all, err = s.seesAllGrants(c); err == nil && !all {
			err = zhidu.Fail(zhidu.CodeNotFound, zhidu.NoGrant(id))
		}
	}
	if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
		err = zhidu.Fail(zhidu.CodeNotFound, zhidu.NoGrant(id))
	}
	if err != nil {
		fail(c, err)
		return g, false
	}
	return g, true
}

func (s *Server) getGrant(c *gin.Context) {
	if g, ok := s.grant(c); ok {
		c.JSON(http.StatusOK, g)
	}
}

type grantEndBody struct {
	Reason string `json:"reason"`
}

func (s *Server) returnGrant(c *gin.Context) {
	s.endGrant(c, workflows.UpdateReturnGrant, "grant.return")
}

func (s *Server) revokeGrant(c *gin.Context) {
	s.endGrant(c, workflows.UpdateRevokeGrant, "grant.revoke")
}

// endGrant sends a return or revocation to the grant's workflow and
// answers with the grant as it is then.
func (s *Server) endGrant(c *gin.Context, update, action string) {
	var b grantEndBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if utf8.RuneCountInString(b.Reason) > 2000 {
		fail(c, invalid("reason", zhidu.MaxChars(2000)))
		return
	}
	g, ok := s.grant(c)
	if !ok {
		return
	}
	if g.RevokedAt != nil {
		fail(c, zhidu.Fail(zhidu.CodeConflict, workflows.GrantEnded()))
		return
	}
	ctx := c.Request.Context()
	p, err := s.Store.ProcessInternal(ctx, g.ID)
	if err != nil {
		fail(c, err)
		return
	}
	if !takes(p.Kind, update) {
		fail(c, zhidu.Fail(zhidu.CodeNotFound, zhidu.NoGrant(g.ID)))
		return
	}
	var res zhidu.GrantEndResult
	if err := s.Engine.Update(ctx, g.ID, update, zhidu.GrantEndRequest{Actor: actor(c), Reason: b.Reason}, &res); err != nil {
		s.failOrDeny(c, err, action, g.Target)
		return
	}
	if g, err = s.Store.GrantByID(ctx, g.ID, s.Now()); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}
