package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// guard answers 403 (audited) unless some role of the caller permits act
// on obj in every department.
func (s *Server) guard(c *gin.Context, obj, act string) bool {
	u := currentUser(c)
	ok, err := s.Authz.Can(u.Username, "*", obj, act)
	if err != nil {
		fail(c, err)
		return false
	}
	if !ok {
		s.deny(c, obj+"."+act, obj, zhidu.RolesDoNotPermit(act, obj))
	}
	return ok
}

// subject loads the object a compliance question is about. Only the GM's
// office may ask about objects above their own clearance; to anyone else
// such objects do not exist.
func (s *Server) subject(c *gin.Context, object string) (zhidu.ObjectFacts, bool) {
	ref, err := zhidu.ParseObjectRef(object)
	if err != nil {
		fail(c, invalid("object", zhidu.Said(err)))
		return zhidu.ObjectFacts{}, false
	}
	f, err := s.Store.ObjectFacts(c.Request.Context(), ref)
	u := currentUser(c)
	if err == nil && f.Level > u.Clearance && !u.Actor().IsLeadership() {
		err = notFound(ref)
	}
	if err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = notFound(ref)
		}
		fail(c, err)
		return f, false
	}
	return f, true
}

// userParam loads the user a compliance question names in ?user=.
func (s *Server) userParam(c *gin.Context) (store.User, bool) {
	if c.Query("user") == "" {
		fail(c, invalid("user", zhidu.Required()))
		return store.User{}, false
	}
	u, err := s.Store.User(c.Request.Context(), c.Query("user"))
	if err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = invalid("user", zhidu.NotAUser())
		}
		fail(c, err)
		return store.User{}, false
	}
	return u, true
}

func actionParam(c *gin.Context) (string, bool) {
	a := c.Query("action")
	for _, known := range zhidu.Actions() {
		if a == known {
			return a, true
		}
	}
	fail(c, invalid("action", zhidu.OneOf(zhidu.Actions())))
	return "", false
}

// explain answers whether a user may take an action on an object, and why.
func (s *Server) explain(c *gin.Context) {
	if !s.guard(c, authz.ObjAudit, authz.ActRead) {
		return
	}
	action, ok := actionParam(c)
	if !ok {
		return
	}
	u, ok := s.userParam(c)
	if !ok {
		return
	}
	f, ok := s.subject(c, c.Query("object"))
	if !ok {
		return
	}
	var err error
	var d zhidu.Decision
	d.Because(zhidu.ReasonDisabled())
	if !u.Disabled {
		if d, err = s.Authz.Decide(u.Actor(), f, action); err != nil {
			fail(c, err)
			return
		}
	}
	grants := []zhidu.Grant{} // the user's unrevoked read grants for the object: who approved them, when they expire
	for _, g := range f.Grants {
		if g.Grantee == u.Username {
			grants = append(grants, g)
		}
	}
	c.JSON(http.StatusOK, gin.H{"user": u.Username, "action": action, "object": f.Ref.String(),
		"level": f.Level, "department": f.Department, "allowed": d.Allowed, "reasons": d.Reasons, "reason_codes": d.ReasonCodes,
		"grants": grants})
}

// whoCan lists every active user who may take an action on an object.
func (s *Server) whoCan(c *gin.Context) {
	if !s.guard(c, authz.ObjAudit, authz.ActRead) {
		return
	}
	action, ok := actionParam(c)
	if !ok {
		return
	}
	f, ok := s.subject(c, c.Query("object"))
	if !ok {
		return
	}
	users, err := s.Store.Users(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	actors := make([]zhidu.Actor, 0, len(users))
	for _, u := range users {
		if !u.Disabled {
			actors = append(actors, u.Actor())
		}
	}
	who, err := s.Authz.WhoCan(actors, f, action)
	if err != nil {
		fail(c, err)
		return
	}
	grants := f.Grants // the unrevoked read grants for the object (a grantee's reason names theirs)
	if grants == nil {
		grants = []zhidu.Grant{}
	}
	c.JSON(http.StatusOK, gin.H{"action": action, "object": f.Ref.String(), "level": f.Level, "department": f.Department, "users": who,
		"grants": grants})
}

// whatCan lists what a user may do, by department and level, with
// processes they take no part in.
func (s *Server) whatCan(c *gin.Context) {
	if !s.guard(c, authz.ObjAudit, authz.ActRead) {
		return
	}
	u, ok := s.userParam(c)
	if !ok {
		return
	}
	var err error
	caps := []authz.Capability{}
	if !u.Disabled {
		starts := map[string]zhidu.Department{}
		for _, d := range workflows.Descriptors() {
			if !d.Internal { // nobody starts it
				starts[d.Kind] = d.Owner(u.Actor())
			}
		}
		if caps, err = s.Authz.WhatCan(u.Actor(), starts); err != nil {
			fail(c, err)
			return
		}
	}
	active := true
	grants, err := s.Store.Grants(c.Request.Context(), store.GrantFilter{Grantee: u.Username, Active: &active, Now: s.Now()})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": u, "process": caps, "grants": grants,
		"note": "taking part in a process (starting it, being a candidate) also lets a user read it up to confidential and work its tasks; an open read grant lets the grantee read its target until it expires"})
}

// auditScope decides which part of the audit trail the caller reads: the
// security auditor (安全审计员) the administrators' part — wired to the
// role, so no policy change switches it off — and the roles the policy
// permits `audit read` everywhere (compliance, the GM's office) the
// business part.
func (s *Server) auditScope(c *gin.Context) (store.AuditScope, bool) {
	if holds(c, zhidu.RoleSecAudit) {
		return store.AuditAdministration, true
	}
	if !s.guard(c, authz.ObjAudit, authz.ActRead) {
		return "", false
	}
	return store.AuditBusiness, true
}

// listAudit serves the caller's part of the audit trail, oldest first,
// filtered. Every entry of it is listed, but the details of one about an
// object the caller may not read are withheld (see store.AuditEntries).
func (s *Server) listAudit(c *gin.Context) {
	scope, ok := s.auditScope(c)
	if !ok {
		return
	}
	p := queryParams(c)
	f := store.AuditFilter{
		Actor:    p.str("user", 64),
		Object:   p.str("object", 200),
		Action:   p.str("action", 64),
		Decision: p.oneOf("decision", "allowed", "denied"),
		AfterID:  int64(p.integer("after", 0, 1<<62)),
		Limit:    p.integer("limit", 1, store.MaxLimit),
		Scope:    scope,
	}
	if t := p.time("since"); t != nil {
		f.Since = *t
	}
	if t := p.time("until"); t != nil {
		f.Until = *t
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	es, err := s.Store.AuditEntries(c.Request.Context(), v, f)
	if err != nil {
		fail(c, err)
		return
	}
	if es == nil {
		es = []store.AuditEntry{}
	}
	out := gin.H{"items": es}
	if len(es) == store.Limit(f.Limit) {
		out["next_after"] = es[len(es)-1].ID
	}
	c.JSON(http.StatusOK, out)
}

// verifyAudit checks the audit trail's hash chain.
func (s *Server) verifyAudit(c *gin.Context) {
	if _, ok := s.auditScope(c); !ok {
		return
	}
	v, err := s.Store.VerifyAudit(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": v.OK, "entries": v.Entries, "head": v.Head, "broken_at": v.BrokenAt,
		"problem": v.Problem, "problem_code": v.ProblemCode, "checked_at": s.Now().UTC().Format(time.RFC3339)})
}

type designationBody struct {
	User   string `json:"user" text:"line"`
	Object string `json:"object" text:"line"`
	Reason string `json:"reason"`
}

// designate admits one user to one top-secret object (GM, deputy GM).
func (s *Server) designate(c *gin.Context) {
	if !s.guard(c, authz.ObjDesignation, authz.ActGrant) {
		return
	}
	var b designationBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if b.User == "" {
		fail(c, invalid("user", zhidu.Required()))
		return
	}
	f, ok := s.subject(c, b.Object)
	if !ok {
		return
	}
	if f.Level != zhidu.TopSecret {
		fail(c, invalid("object", zhidu.DesignationTopSecret(f.Level)))
		return
	}
	u, active, err := s.activeUser(c.Request.Context(), b.User)
	if err != nil {
		fail(c, err)
		return
	}
	if !active {
		fail(c, invalid("user", zhidu.NotActiveUser()))
		return
	}
	if u.Actor().IsAdministrator() {
		fail(c, invalid("user", zhidu.DesignationAdmin()))
		return
	}
	d, err := s.Store.Designate(c.Request.Context(), store.Designation{Username: u.Username, Object: f.Ref.String(),
		GrantedBy: currentUser(c).Username, GrantedAt: s.Now(), Reason: b.Reason}, c.ClientIP())
	if !s.usersChanged(c, err) {
		return
	}
	c.JSON(http.StatusCreated, d)
}

// revokeDesignation ends a designation (GM, deputy GM).
func (s *Server) revokeDesignation(c *gin.Context) {
	if !s.guard(c, authz.ObjDesignation, authz.ActGrant) {
		return
	}
	if c.Query("user") == "" {
		fail(c, invalid("user", zhidu.Required()))
		return
	}
	f, ok := s.subject(c, c.Query("object"))
	if !ok {
		return
	}
	if !s.usersChanged(c, s.Store.Revoke(c.Request.Context(), c.Query("user"), f.Ref.String(), currentUser(c).Username, c.ClientIP(), s.Now())) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"revoked": true, "user": c.Query("user"), "object": f.Ref.String()})
}

// listDesignations lists designations (GM, deputy GM, compliance), with
// the reasons for objects the caller may not read withheld.
func (s *Server) listDesignations(c *gin.Context) {
	if !s.guard(c, authz.ObjAudit, authz.ActRead) {
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	ds, err := s.Store.Designations(c.Request.Context(), v, c.Query("object"), c.Query("all") == "true")
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": ds})
}
