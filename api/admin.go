package api

import (
	"net/http"
	"regexp"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/store"
)

// The administration API: users, clearances, role assignments and policy
// lines. Administrators administer; they read no business data, and they
// may not raise their own clearance or give themselves a business role.
// Every change is audited, and every replica's enforcer reloads and user
// cache empties (the database announces the change; this replica reloads
// and forgets at once). The cache is emptied even when the store reports an
// error, since a change may have been committed before the error.

var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,39}$`)

func (s *Server) adminGuard(c *gin.Context) bool { return s.guard(c, authz.ObjAdmin, "users") }

func (s *Server) change(c *gin.Context) store.AdminChange {
	return store.AdminChange{Actor: currentUser(c).Username, Address: c.ClientIP()}
}

// usersChanged empties this replica's user cache after a change to users,
// roles, tokens, passwords or designations (the others follow through the
// policy channel) — also when the store reports an error, since the change
// may have been committed before it — and answers err if there is one. It
// reports whether the handler goes on.
func (s *Server) usersChanged(c *gin.Context, err error) bool {
	s.ForgetUsers()
	if err != nil {
		fail(c, err)
		return false
	}
	return true
}

// afterPolicyChange makes this replica see its own change at once; the
// others follow through the policy channel.
func (s *Server) afterPolicyChange(c *gin.Context) bool {
	if err := s.Authz.Reload(); err != nil {
		fail(c, err)
		return false
	}
	return true
}

func (s *Server) listUsers(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	us, err := s.Store.Users(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": us})
}

type userBody struct {
	Username   string            `json:"username"`
	Name       string            `json:"name"`
	NameEn     string            `json:"name_en"`
	Department zhidu.Department  `json:"department"`
	Clearance  *zhidu.Level      `json:"clearance"`
	Roles      []zhidu.RoleGrant `json:"roles"`
}

func validRoles(roles []zhidu.RoleGrant, errs map[string]string) {
	for _, g := range roles {
		if !g.Role.Valid() || !g.Department.Valid() {
			errs["roles"] = "each role needs a known role and department"
		}
	}
}

// selfEscalation refuses an administrator's change to their own clearance
// or business roles.
func (s *Server) selfEscalation(c *gin.Context, target string, clearance bool, roles []zhidu.RoleGrant) bool {
	if target != currentUser(c).Username {
		return false
	}
	if clearance {
		s.deny(c, "admin.user.update", "user:"+target, "administrators may not change their own clearance")
		return true
	}
	if slices.ContainsFunc(roles, func(g zhidu.RoleGrant) bool { return g.Role != zhidu.RoleAdmin }) {
		s.deny(c, "admin.user.roles", "user:"+target, "administrators may not give themselves a business role")
		return true
	}
	return false
}

func (s *Server) createUser(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	var b userBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	errs := map[string]string{}
	if !usernamePattern.MatchString(b.Username) {
		errs["username"] = "must be 2 to 40 of a-z, 0-9, '.', '_', '-', starting with a letter"
	}
	if b.Name == "" || len([]rune(b.Name)) > 100 {
		errs["name"] = "must be 1 to 100 characters"
	}
	if !b.Department.Valid() {
		errs["department"] = "is not a department"
	}
	if b.Clearance == nil {
		errs["clearance"] = "is required"
	}
	validRoles(b.Roles, errs)
	if len(errs) > 0 {
		fail(c, zhidu.Invalid("cannot create the user", errs))
		return
	}
	token := store.NewAPIToken()
	u := store.User{Username: b.Username, Name: b.Name, NameEn: b.NameEn, Department: b.Department, Clearance: *b.Clearance, Roles: b.Roles}
	if !s.usersChanged(c, s.Store.CreateUser(c.Request.Context(), s.change(c), u, token)) {
		return
	}
	if !s.afterPolicyChange(c) {
		return
	}
	created, err := s.Store.User(c.Request.Context(), u.Username)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"user": created, "token": token})
}

type userPatch struct {
	Name      *string      `json:"name"`
	NameEn    *string      `json:"name_en"`
	Clearance *zhidu.Level `json:"clearance"`
	Disabled  *bool        `json:"disabled"`
}

func (s *Server) updateUser(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	var b userPatch
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	target := c.Param("username")
	if b.Name != nil && (*b.Name == "" || len([]rune(*b.Name)) > 100) {
		fail(c, invalid("name", "must be 1 to 100 characters"))
		return
	}
	if s.selfEscalation(c, target, b.Clearance != nil || b.Disabled != nil, nil) {
		return
	}
	if !s.usersChanged(c, s.Store.UpdateUser(c.Request.Context(), s.change(c), target,
		store.UserUpdate{Name: b.Name, NameEn: b.NameEn, Clearance: b.Clearance, Disabled: b.Disabled})) {
		return
	}
	if !s.afterPolicyChange(c) {
		return
	}
	s.respondUser(c, target)
}

func (s *Server) respondUser(c *gin.Context, username string) {
	u, err := s.Store.User(c.Request.Context(), username)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

type rolesBody struct {
	Roles []zhidu.RoleGrant `json:"roles"`
}

func (s *Server) setRoles(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	var b rolesBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	errs := map[string]string{}
	validRoles(b.Roles, errs)
	if b.Roles == nil {
		errs["roles"] = "is required (an empty list removes every role)"
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid("cannot set the roles", errs))
		return
	}
	target := c.Param("username")
	if s.selfEscalation(c, target, false, b.Roles) {
		return
	}
	if !s.usersChanged(c, s.Store.SetRoles(c.Request.Context(), s.change(c), target, b.Roles)) {
		return
	}
	if s.afterPolicyChange(c) {
		s.respondUser(c, target)
	}
}

func (s *Server) rotateToken(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	token := store.NewAPIToken()
	if !s.usersChanged(c, s.Store.RotateToken(c.Request.Context(), s.change(c), c.Param("username"), token)) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": c.Param("username"), "token": token})
}

func (s *Server) listPolicy(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	lines, err := s.Store.Policy(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": lines})
}

// policyLine reads and validates a policy line from the body.
func policyLine(c *gin.Context) (store.PolicyLine, error) {
	var l store.PolicyLine
	if err := decode(c, &l); err != nil {
		return l, err
	}
	errs := map[string]string{}
	if !zhidu.Role(l.Role).Valid() {
		errs["role"] = "is not a role"
	}
	if l.Domain != "own" && l.Domain != "*" && !zhidu.Department(l.Domain).Valid() {
		errs["domain"] = "must be own, * or a department code"
	}
	if l.Object == "" || len(l.Object) > 100 {
		errs["object"] = "must be 1 to 100 characters"
	}
	if l.Action == "" || len(l.Action) > 50 {
		errs["action"] = "must be 1 to 50 characters"
	}
	if len(errs) > 0 {
		return l, zhidu.Invalid("not a policy line", errs)
	}
	return l, nil
}

func (s *Server) addPolicy(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	l, err := policyLine(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.Store.AddPolicyLine(c.Request.Context(), s.change(c), l); err != nil {
		fail(c, err)
		return
	}
	if s.afterPolicyChange(c) {
		c.JSON(http.StatusCreated, l)
	}
}

func (s *Server) removePolicy(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	l, err := policyLine(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.Store.RemovePolicyLine(c.Request.Context(), s.change(c), l); err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = zhidu.Errorf(zhidu.CodeNotFound, "no such policy line")
		}
		fail(c, err)
		return
	}
	if s.afterPolicyChange(c) {
		c.JSON(http.StatusOK, gin.H{"removed": l})
	}
}

type passwordBody struct {
	Password string `json:"password"`
}

// setPassword sets a user's web sign-in password (10 to 72 characters).
func (s *Server) setPassword(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	var b passwordBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if n := len([]rune(b.Password)); n < 10 || len(b.Password) > 72 {
		fail(c, invalid("password", "must be 10 to 72 bytes, at least 10 characters"))
		return
	}
	if !s.usersChanged(c, s.Store.SetPasswordAudited(c.Request.Context(), s.change(c), c.Param("username"), b.Password)) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": c.Param("username"), "password": "set"})
}

// unlockUser lifts the sign-in lockout of an account (after too many
// failed passwords) and forgets its failed attempts; audited as
// admin.user.unlock. An administrator may not unlock their own account.
func (s *Server) unlockUser(c *gin.Context) {
	if !s.adminGuard(c) {
		return
	}
	target := c.Param("username")
	if target == currentUser(c).Username {
		s.deny(c, "admin.user.unlock", "user:"+target, "administrators may not unlock their own account")
		return
	}
	wasLocked, err := s.Store.Unlock(c.Request.Context(), s.change(c), target, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": target, "was_locked": wasLocked})
}
