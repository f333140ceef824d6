package api

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The administration API, split between three administrators who check
// one another (三员分立, see README "Administration"):
//
//   - the system administrator (sysadmin) keeps accounts: creates users
//     cleared public or internal with the roles staff or supervisor, renames
//     and disables them, resets tokens and passwords;
//   - the security administrator (secadmin) keeps security: clearances,
//     business role grants and policy lines;
//   - the security auditor (secaudit) reads what administrators did
//     (GET /audit) and changes nothing.
//
// Their authority is their role, checked here, never a policy line: no
// policy change can give it away, widen it or switch the auditor's view
// off. No administrator changes an administrator's account (their own
// included), and no policy line may name an administrator role or the
// admin object. The GM appoints administrators (grants an administrator
// role to an account without roles) and dismisses them (removes it), and
// alone gives and takes the GM line's roles and the top-secret clearance.
// Token and password resets of the GM, a deputy GM or a top-secret-cleared
// account wait for that account's confirmation or the GM's approval
// (credentials.go). Every change and every refusal is audited (admin.*),
// and every replica's enforcer reloads and user cache empties (the
// database announces the change; this replica reloads and forgets at
// once). The cache is emptied even when the store reports an error, since
// a change may have been committed before the error.

// usernamePattern is what a new account's username is: plain ASCII, so
// no homoglyph ("sаles.rep" with a Cyrillic а) or invisible character
// makes an account that reads as someone else's.
var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,39}$`)

// sysadminGrants are the only roles the system administrator may grant or
// take away: roles with no authority beyond their holder's clearance, for
// accounts cleared below secret. Everything else is the security
// administrator's.
var sysadminGrants = []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor}

// sysadminCeiling is the highest clearance the system administrator gives.
const sysadminCeiling = zhidu.Internal

// holds reports whether the caller holds role (in any department).
func holds(c *gin.Context, role zhidu.Role) bool { return currentUser(c).Actor().HasRole(role) }

// requireAdmin answers 403 (audited as action on object) unless the caller
// holds one of roles.
func (s *Server) requireAdmin(c *gin.Context, action, object string, roles ...zhidu.Role) bool {
	for _, r := range roles {
		if holds(c, r) {
			return true
		}
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	s.deny(c, action, object, zhidu.Plain("only "+strings.Join(names, " or ")+" may do this"))
	return false
}

// target loads the user an administrative change is about, refusing
// (403, audited) any change to an administrator's account: administrators
// do not change their own or each other's accounts.
func (s *Server) target(c *gin.Context, action, username string) (store.User, bool) {
	u, err := s.Store.User(c.Request.Context(), username)
	if err != nil {
		fail(c, err)
		return u, false
	}
	if u.Actor().IsAdministrator() {
		s.deny(c, action, "user:"+username, zhidu.Plain("administrators' accounts are not changed by administrators"))
		return u, false
	}
	return u, true
}

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
	if !s.requireAdmin(c, "admin.user.list", "admin", zhidu.RoleSysAdmin, zhidu.RoleSecAdmin) {
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
	Username   string            `json:"username" text:"line"`
	Name       string            `json:"name" text:"line"`
	NameEn     string            `json:"name_en" text:"line"`
	Department zhidu.Department  `json:"department"`
	Clearance  *zhidu.Level      `json:"clearance"`
	Roles      []zhidu.RoleGrant `json:"roles"`
}

func validRoles(roles []zhidu.RoleGrant, errs map[string]zhidu.Message) {
	for _, g := range roles {
		if !g.Role.Valid() || !g.Department.Valid() {
			errs["roles"] = zhidu.Plain("each role needs a known role and department")
		}
	}
}

func isLeadership(r zhidu.Role) bool  { return r == zhidu.RoleGM || r == zhidu.RoleDeputyGM }
func notLeadership(r zhidu.Role) bool { return !isLeadership(r) }

// grantsOf returns the grants whose role passes keep, sorted, without
// duplicates: two lists compare as sets.
func grantsOf(gs []zhidu.RoleGrant, keep func(zhidu.Role) bool) []zhidu.RoleGrant {
	var out []zhidu.RoleGrant
	for _, g := range gs {
		if keep(g.Role) {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b zhidu.RoleGrant) int {
		return strings.Compare(string(a.Department)+"/"+string(a.Role), string(b.Department)+"/"+string(b.Role))
	})
	return slices.Compact(out)
}

// sysadminMayGrant reports whether the system administrator may grant (or
// take away) every role of roles.
func sysadminMayGrant(roles []zhidu.RoleGrant) bool {
	return !slices.ContainsFunc(roles, func(g zhidu.RoleGrant) bool { return !slices.Contains(sysadminGrants, g.Role) })
}

// createUser creates an account (system administrator): cleared public or
// internal, with the roles staff or supervisor at most. Higher clearances
// and other roles are the security administrator's; administrator roles
// the GM's.
func (s *Server) createUser(c *gin.Context) {
	if !s.requireAdmin(c, "admin.user.create", "admin", zhidu.RoleSysAdmin) {
		return
	}
	var b userBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	errs := map[string]zhidu.Message{}
	if !usernamePattern.MatchString(b.Username) {
		errs["username"] = zhidu.UsernameForm()
	}
	if b.Name == "" || len([]rune(b.Name)) > 100 {
		errs["name"] = zhidu.CharRange(1, 100)
	}
	if !b.Department.Valid() {
		errs["department"] = zhidu.Plain("is not a department")
	}
	if b.Clearance == nil {
		errs["clearance"] = zhidu.Required()
	}
	validRoles(b.Roles, errs)
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.Plain("cannot create the user"), errs))
		return
	}
	if *b.Clearance > sysadminCeiling {
		s.deny(c, "admin.user.create", "user:"+b.Username, zhidu.Plain("the system administrator creates accounts cleared public or internal; higher clearances are the security administrator's"))
		return
	}
	if !sysadminMayGrant(b.Roles) {
		s.deny(c, "admin.user.create", "user:"+b.Username, zhidu.Plain("the system administrator grants staff and supervisor only; other roles are the security administrator's, administrator roles the GM's"))
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
	Name      *string      `json:"name" text:"line"`
	NameEn    *string      `json:"name_en" text:"line"`
	Clearance *zhidu.Level `json:"clearance"`
	Disabled  *bool        `json:"disabled"`
	// HandoverTo, with disabled true, is the colleague who takes over the
	// leaving user's customer files and open tasks (客户交接).
	HandoverTo *string `json:"handover_to" text:"line"`
}

// updateUser changes names and the disabled flag (system administrator)
// or the clearance (security administrator; the system administrator only
// between public and internal, for accounts cleared below secret). The
// top-secret clearance is given and taken by the GM only.
func (s *Server) updateUser(c *gin.Context) {
	if !s.requireAdmin(c, "admin.user.update", "user:"+c.Param("username"), zhidu.RoleSysAdmin, zhidu.RoleSecAdmin, zhidu.RoleGM) {
		return
	}
	var b userPatch
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	target := c.Param("username")
	if b.Name != nil && (*b.Name == "" || len([]rune(*b.Name)) > 100) {
		fail(c, invalid("name", zhidu.CharRange(1, 100)))
		return
	}
	u, ok := s.target(c, "admin.user.update", target)
	if !ok {
		return
	}
	account := b.Name != nil || b.NameEn != nil || b.Disabled != nil
	topSecret := b.Clearance != nil && (*b.Clearance == zhidu.TopSecret || u.Clearance == zhidu.TopSecret)
	switch {
	case holds(c, zhidu.RoleGM) && (account || !topSecret || target == currentUser(c).Username):
		s.deny(c, "admin.user.update", "user:"+target, zhidu.Plain("the GM gives and takes the top-secret clearance of others only"))
		return
	case holds(c, zhidu.RoleSecAdmin) && topSecret:
		s.deny(c, "admin.user.update", "user:"+target, zhidu.Plain("the top-secret clearance is given and taken by the GM"))
		return
	case holds(c, zhidu.RoleSecAdmin) && account:
		s.deny(c, "admin.user.update", "user:"+target, zhidu.Plain("names and the disabled flag are the system administrator's"))
		return
	case holds(c, zhidu.RoleSysAdmin) && b.Clearance != nil && (*b.Clearance > sysadminCeiling || u.Clearance > sysadminCeiling):
		s.deny(c, "admin.user.update", "user:"+target, zhidu.Plain("clearances of secret and above are the security administrator's"))
		return
	}
	colleague, ok := s.handoverColleague(c, b, u)
	if !ok {
		return
	}
	if !s.usersChanged(c, s.Store.UpdateUser(c.Request.Context(), s.change(c), target,
		store.UserUpdate{Name: b.Name, NameEn: b.NameEn, Clearance: b.Clearance, Disabled: b.Disabled})) {
		return
	}
	if !s.afterPolicyChange(c) {
		return
	}
	if colleague != "" {
		kind, _ := workflows.Lookup(workflows.KindCustomerHandover)
		id := workflows.ProcessID(kind.Kind, currentUser(c).Username, c.GetHeader("Idempotency-Key"))
		in := workflows.NewLeavingHandover(id, currentUser(c).Username, target, colleague, u.Department, s.Config.Processes[kind.Kind])
		if _, ok := s.startInternalProcess(c, kind, in, in.Process, map[string]any{"employee": target, "colleague": colleague}); !ok {
			return
		}
	}
	s.respondUser(c, target)
}

// handoverColleague checks a disabling's handover: handover_to only with
// disabled true, an active user other than the leaving one; a user
// responsible for customer files is not disabled without one (their
// files would have nobody). It returns the colleague ("" for none); ok is
// false when an answer was written.
func (s *Server) handoverColleague(c *gin.Context, b userPatch, u store.User) (string, bool) {
	leaving := b.Disabled != nil && *b.Disabled && !u.Disabled
	if b.HandoverTo == nil {
		if !leaving {
			return "", true
		}
		responsible, err := s.Store.Responsible(c.Request.Context(), u.Username)
		if err != nil {
			fail(c, err)
			return "", false
		}
		if responsible {
			fail(c, invalid("handover_to", zhidu.HandoverNeeded(u.Username)))
			return "", false
		}
		return "", true
	}
	if !leaving {
		fail(c, invalid("handover_to", zhidu.HandoverOnlyLeaving()))
		return "", false
	}
	to, err := s.Store.User(c.Request.Context(), *b.HandoverTo)
	if err != nil || to.Disabled || to.Username == u.Username {
		fail(c, invalid("handover_to", zhidu.HandoverToDisabled(*b.HandoverTo)))
		return "", false
	}
	return to.Username, true
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

// setRoles replaces a user's role grants: business roles by the security
// administrator (staff and supervisor also by the system administrator,
// for accounts cleared below secret); the GM line (gm, deputy_gm) and the
// administrator roles only by the GM, who appoints an account without
// roles as one administrator, or dismisses an administrator by removing
// every role.
func (s *Server) setRoles(c *gin.Context) {
	if !s.requireAdmin(c, "admin.user.roles", "user:"+c.Param("username"), zhidu.RoleSecAdmin, zhidu.RoleSysAdmin, zhidu.RoleGM) {
		return
	}
	var b rolesBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	errs := map[string]zhidu.Message{}
	validRoles(b.Roles, errs)
	if b.Roles == nil {
		errs["roles"] = zhidu.Plain("is required (an empty list removes every role)")
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.Plain("cannot set the roles"), errs))
		return
	}
	target := c.Param("username")
	if why := s.rolesRefused(c, target, b.Roles); why != "" {
		if why != "-" {
			s.deny(c, "admin.user.roles", "user:"+target, zhidu.Plain(why))
		}
		return
	}
	if !s.usersChanged(c, s.Store.SetRoles(c.Request.Context(), s.change(c), target, b.Roles)) {
		return
	}
	if s.afterPolicyChange(c) {
		s.respondUser(c, target)
	}
}

// rolesRefused says why the caller may not give target the roles ("" if
// they may; "-" if the answer has been written already).
func (s *Server) rolesRefused(c *gin.Context, target string, roles []zhidu.RoleGrant) string {
	u, err := s.Store.User(c.Request.Context(), target)
	if err != nil {
		fail(c, err)
		return "-"
	}
	admin := slices.ContainsFunc(roles, func(g zhidu.RoleGrant) bool { return g.Role.Administrative() })
	leadership := !slices.Equal(grantsOf(u.Roles, isLeadership), grantsOf(roles, isLeadership))
	if holds(c, zhidu.RoleGM) {
		switch {
		case u.Actor().IsAdministrator() && len(roles) == 0:
			return "" // dismissal of an administrator
		case !u.Actor().IsAdministrator() && len(u.Roles) == 0 && len(roles) == 1 && admin:
			return "" // appointment of an administrator
		case !u.Actor().IsAdministrator() && !admin && target != currentUser(c).Username &&
			slices.Equal(grantsOf(u.Roles, notLeadership), grantsOf(roles, notLeadership)):
			return "" // the GM line: deputy GMs, the GM role handed over
		}
		return "the GM appoints and dismisses administrators and the GM line (gm, deputy_gm) of others; other roles are the security administrator's"
	}
	switch {
	case u.Actor().IsAdministrator():
		return "administrators' accounts are not changed by administrators"
	case admin:
		return "administrator roles are appointed by the GM"
	case leadership:
		return "the GM line (gm, deputy_gm) is appointed by the GM"
	case holds(c, zhidu.RoleSysAdmin) && (u.Clearance > sysadminCeiling || !sysadminMayGrant(roles) || !sysadminMayGrant(u.Roles)):
		return "the system administrator grants staff and supervisor only, to accounts cleared below secret; the rest is the security administrator's"
	}
	return ""
}

// rotateToken gives a user a new bearer token (system administrator). For
// the GM, a deputy GM or a top-secret-cleared account it only records a
// pending request (202): that account confirms it, or the GM approves it.
func (s *Server) rotateToken(c *gin.Context) {
	if !s.requireAdmin(c, "admin.user.token", "user:"+c.Param("username"), zhidu.RoleSysAdmin) {
		return
	}
	u, ok := s.target(c, "admin.user.token", c.Param("username"))
	if !ok {
		return
	}
	if sensitive(u) {
		s.requestReset(c, u, store.CredentialToken)
		return
	}
	token := store.NewAPIToken()
	if !s.usersChanged(c, s.Store.RotateToken(c.Request.Context(), s.change(c), c.Param("username"), token)) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": c.Param("username"), "token": token})
}

func (s *Server) listPolicy(c *gin.Context) {
	if !s.requireAdmin(c, "admin.policy.list", "policy", zhidu.RoleSecAdmin) {
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
	errs := map[string]zhidu.Message{}
	if !zhidu.Role(l.Role).Valid() {
		errs["role"] = zhidu.Plain("is not a role")
	}
	if l.Domain != "own" && l.Domain != "*" && !zhidu.Department(l.Domain).Valid() {
		errs["domain"] = zhidu.Plain("must be own, * or a department code")
	}
	if l.Object == "" || len(l.Object) > 100 {
		errs["object"] = zhidu.CharRange(1, 100)
	}
	if l.Action == "" || len(l.Action) > 50 {
		errs["action"] = zhidu.CharRange(1, 50)
	}
	if len(errs) > 0 {
		return l, zhidu.Invalid(zhidu.Plain("not a policy line"), errs)
	}
	return l, nil
}

// reservedLine reports whether a policy line names an administrator role
// or the admin object.
func reservedLine(l store.PolicyLine) bool {
	return zhidu.Role(l.Role).Administrative() || l.Object == authz.ObjAdmin || strings.HasPrefix(l.Object, authz.ObjAdmin+":")
}

func (s *Server) addPolicy(c *gin.Context) {
	if !s.requireAdmin(c, "admin.policy.add", "policy", zhidu.RoleSecAdmin) {
		return
	}
	l, err := policyLine(c)
	if err != nil {
		fail(c, err)
		return
	}
	if reservedLine(l) {
		s.deny(c, "admin.policy.add", "policy", zhidu.Plain("no policy line may name an administrator role or the admin object: administrators' authority is not policy"))
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
	if !s.requireAdmin(c, "admin.policy.remove", "policy", zhidu.RoleSecAdmin) {
		return
	}
	l, err := policyLine(c)
	if err != nil {
		fail(c, err)
		return
	}
	if reservedLine(l) {
		s.deny(c, "admin.policy.remove", "policy", zhidu.Plain("no policy line may name an administrator role or the admin object: administrators' authority is not policy"))
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

// setPassword sets a user's web sign-in password (10 to 72 characters;
// system administrator). For the GM, a deputy GM or a top-secret-cleared
// account the password given is discarded and a pending request recorded
// (202): the account sets its own password when it confirms, or the GM
// approves and receives a one-time password to hand over.
func (s *Server) setPassword(c *gin.Context) {
	if !s.requireAdmin(c, "admin.user.password", "user:"+c.Param("username"), zhidu.RoleSysAdmin) {
		return
	}
	var b passwordBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if n := len([]rune(b.Password)); n < 10 || len(b.Password) > 72 {
		fail(c, invalid("password", zhidu.Plain("must be 10 to 72 bytes, at least 10 characters")))
		return
	}
	u, ok := s.target(c, "admin.user.password", c.Param("username"))
	if !ok {
		return
	}
	if sensitive(u) {
		s.requestReset(c, u, store.CredentialPassword)
		return
	}
	if !s.usersChanged(c, s.Store.SetPasswordAudited(c.Request.Context(), s.change(c), c.Param("username"), b.Password)) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": c.Param("username"), "password": "set"})
}

// unlockUser lifts the sign-in lockout of an account (after too many
// failed passwords) and forgets its failed attempts (system administrator;
// audited as admin.user.unlock). Administrators' accounts, their own
// included, are not unlocked by administrators: their lockouts expire.
func (s *Server) unlockUser(c *gin.Context) {
	target := c.Param("username")
	if !s.requireAdmin(c, "admin.user.unlock", "user:"+target, zhidu.RoleSysAdmin) {
		return
	}
	if _, ok := s.target(c, "admin.user.unlock", target); !ok {
		return
	}
	wasLocked, err := s.Store.Unlock(c.Request.Context(), s.change(c), target, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": target, "was_locked": wasLocked})
}
