package authz

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/zhidu/zhidu"
)

// The read rule, in order (the store's SQL mirrors it for lists, and the
// access table tests that both agree):
//
//  0. Whoever the process bars (the employee a misconduct complaint is
//     about) may not read it nor anything in it, whoever they are.
//  1. The GM and deputy GMs may know everything.
//  2. A user designated for the object (or its process) by the GM or a
//     deputy GM may read it, whatever their clearance.
//  3. Top-secret objects: nobody else.
//  4. Otherwise the reader's clearance must reach the object's level, and
//  5. the substitute of an absent user who works the object, in an open
//     window covering its department and kind (zhidu.Substitution), may
//     read it up to internal — above that only by the rules below; or
//     a participant of the process (started it, named on a task, or holding
//     a candidate role) or one of its named readers (ObjectFacts.Members)
//     may read it — up to confidential; so may the grantee of an open
//     read grant for its process (ObjectFacts.Grants, approved by the GM
//     line through a file-access request), from its grant until its
//     stored expiry, whatever the workflow has revoked by then; or
//  6. by level: public and internal — some role of the reader permits
//     reading processes of the object's department; secret — a role the
//     reader holds in that department itself permits it (need-to-know);
//     confidential — a role the policy names for process:confidential.
//     A process that confines its readers (ObjectFacts.Readers: a return
//     slip and the departments holding its copies) is read, up to secret,
//     only by members of those departments whose role there permits
//     reading, and when confidential by the roles the policy names for
//     confidential matters of one of them.

// Decide decides whether the actor may take action on the object, with
// the reasons.
func (a *Authz) Decide(u zhidu.Actor, o zhidu.ObjectFacts, action string) (zhidu.Decision, error) {
	if o.Ref.Type == zhidu.ObjectCustomer {
		return decideCustomer(u, o, action, time.Now()), nil
	}
	read, err := a.decideRead(u, o)
	if err != nil || action == zhidu.ActRead || !read.Allowed {
		if action != zhidu.ActRead && !read.Allowed {
			read.Because(zhidu.ReasonUnreadable(action))
		}
		return read, err
	}
	d := zhidu.Decision{Reasons: read.Reasons, ReasonCodes: read.ReasonCodes}
	allow := func(why zhidu.Message) (zhidu.Decision, error) {
		d.Allowed = true
		d.Because(why)
		return d, nil
	}
	deny := func(why zhidu.Message) (zhidu.Decision, error) {
		d.Because(why)
		return d, nil
	}
	switch action {
	case zhidu.ActWrite, zhidu.ActCancel:
		if o.StartedBy == u.Username {
			return allow(zhidu.ReasonStarted())
		}
		ok, l, err := a.explain(u.Username, o.Department, ObjProcess, action)
		if err != nil {
			return d, err
		}
		if ok {
			return allow(zhidu.ReasonPolicy(line(l)))
		}
		return deny(zhidu.ReasonNoRole(u.Username, action, o.Department))
	case zhidu.ActComplete:
		if o.Ref.Type != zhidu.ObjectTask {
			return deny(zhidu.ReasonOnlyTasks())
		}
		if slices.Contains(o.Excluded, u.Username) {
			return deny(zhidu.ReasonExcluded())
		}
		switch {
		case o.Assignee == u.Username:
			return allow(zhidu.ReasonAssignee())
		case o.Delegate != "" && o.Delegate == u.Username:
			return allow(zhidu.ReasonDelegate(o.Assignee))
		}
		for _, c := range o.Candidates {
			if c.Matches(u) {
				return allow(zhidu.ReasonCandidate(c.String()))
			}
		}
		if w, ok := o.Substituting(u, a.now()); ok && (o.Assignee == "" || o.Assignee == w.Absent.Username) {
			return allow(zhidu.ReasonSubstitute(w.Absent.Username))
		}
		return deny(zhidu.ReasonNotCandidate())
	}
	return deny(zhidu.ReasonUnknownAction(action))
}

func (a *Authz) decideRead(u zhidu.Actor, o zhidu.ObjectFacts) (zhidu.Decision, error) {
	d := zhidu.Decision{}
	allow := func(why ...zhidu.Message) (zhidu.Decision, error) {
		d.Allowed = true
		d.Because(why...)
		return d, nil
	}
	deny := func(why zhidu.Message) (zhidu.Decision, error) {
		d.Because(why)
		return d, nil
	}
	if slices.Contains(o.Barred, u.Username) {
		return deny(zhidu.ReasonBarred())
	}
	for _, g := range u.Roles {
		if g.Role == zhidu.RoleGM || g.Role == zhidu.RoleDeputyGM {
			return allow(zhidu.ReasonLeadership(g.Role, g.Department))
		}
	}
	if slices.Contains(o.Designated, u.Username) {
		return allow(zhidu.ReasonDesignated())
	}
	if o.Level == zhidu.TopSecret {
		return deny(zhidu.ReasonTopSecret())
	}
	if u.Clearance < o.Level {
		return deny(zhidu.ReasonBelowLevel(u.Clearance, o.Level))
	}
	d.Because(zhidu.ReasonClearance(u.Clearance, o.Level))
	if ok, why := o.Participant(u); ok {
		return allow(zhidu.ReasonNeedToKnow(why))
	}
	if slices.Contains(o.Members, u.Username) {
		return allow(zhidu.ReasonNamedReader())
	}
	now := a.now()
	// An absent user's substitute, up to internal: above it only by their own rule.
	if w, ok := o.Substituting(u, now); ok && o.Level <= zhidu.Internal {
		return allow(zhidu.ReasonSubstitute(w.Absent.Username))
	}
	for _, g := range o.Grants {
		if g.Target == zhidu.GrantProcess+":"+o.ProcessID && g.Opens(u.Username, now) {
			return allow(zhidu.ReasonGranted(g))
		}
	}
	if len(o.Readers) > 0 {
		return a.decideConfined(u, o, d)
	}
	switch o.Level {
	case zhidu.Public, zhidu.Internal:
		ok, l, err := a.explain(u.Username, o.Department, ObjProcess, ActRead)
		if err != nil || ok {
			return allowIf(d, ok, err, zhidu.ReasonPolicy(line(l)))
		}
		return deny(zhidu.ReasonNoReadRole(u.Username, o.Department))
	case zhidu.Secret:
		ok, l, err := a.member(u, o.Department, ObjProcess, ActRead)
		if err != nil || ok {
			return allowIf(d, ok, err, zhidu.ReasonMember(o.Department, line(l)))
		}
		return deny(zhidu.ReasonSecret(o.Department))
	default: // confidential
		ok, l, err := a.explain(u.Username, o.Department, ObjConfidential, ActRead)
		if err != nil || ok {
			return allowIf(d, ok, err, zhidu.ReasonConfidentialRole(line(l)))
		}
		return deny(zhidu.ReasonConfidential(ObjConfidential, o.Department))
	}
}

// The rule for customer files (ObjectCustomer; store/access.go
// readableCustomer is the same in SQL), in order:
//
//  1. The GM and deputy GMs read and edit every file.
//  2. Top-secret files: nobody else.
//  3. Otherwise the reader's clearance must reach the file's level, and
//  4. a member of the owning department (any business role held there;
//     zhidu.CustomerMember) reads and edits it; or
//  5. an unrevoked grant naming the file (customer:ID) or its department's
//     files (department:D) opens it to its grantee for reading only, from
//     its grant to its stored expiry (zhidu.Grant.Opens at now).
//
// Nobody else may know the file exists. No other action applies to a
// file.
func decideCustomer(u zhidu.Actor, o zhidu.ObjectFacts, action string, now time.Time) zhidu.Decision {
	d := zhidu.Decision{}
	done := func(ok bool, why ...zhidu.Message) zhidu.Decision {
		d.Allowed = ok
		d.Because(why...)
		return d
	}
	unreadable := func(why zhidu.Message) zhidu.Decision {
		d.Because(why)
		if action != zhidu.ActRead {
			d.Because(zhidu.ReasonUnreadable(action))
		}
		return d
	}
	read, member := false, false
	for _, g := range u.Roles {
		if g.Role == zhidu.RoleGM || g.Role == zhidu.RoleDeputyGM {
			d.Because(zhidu.ReasonLeadership(g.Role, g.Department))
			read, member = true, true
			break
		}
	}
	if !read {
		if o.Level == zhidu.TopSecret {
			return unreadable(zhidu.ReasonTopSecret())
		}
		if u.Clearance < o.Level {
			return unreadable(zhidu.ReasonBelowLevel(u.Clearance, o.Level))
		}
		d.Because(zhidu.ReasonClearance(u.Clearance, o.Level))
		if zhidu.CustomerMember(u, o.Department) {
			d.Because(zhidu.ReasonCustomerMember(o.Department))
			read, member = true, true
		} else {
			targets := zhidu.CustomerGrantTargets(o.Ref.ID, o.Department)
			for _, g := range o.Grants {
				if slices.Contains(targets, g.Target) && g.Opens(u.Username, now) {
					d.Because(zhidu.ReasonCustomerGrant(g))
					read = true
					break
				}
			}
		}
	}
	switch {
	case !read:
		return unreadable(zhidu.ReasonCustomerOther(o.Department))
	case action == zhidu.ActRead:
		return done(true)
	case action != zhidu.ActWrite:
		return done(false, zhidu.ReasonCustomerAction(action))
	case !member:
		return done(false, zhidu.ReasonCustomerReadOnly())
	}
	return done(true)
}

// decideConfined is rule 6 for a process that confines its readers to
// departments.
func (a *Authz) decideConfined(u zhidu.Actor, o zhidu.ObjectFacts, d zhidu.Decision) (zhidu.Decision, error) {
	obj, why := ObjProcess, zhidu.ReasonCopyMember
	if o.Level == zhidu.Confidential {
		obj, why = ObjConfidential, zhidu.ReasonCopyConfidential
	}
	for _, dept := range o.Readers {
		var ok bool
		var l []string
		var err error
		if obj == ObjConfidential {
			ok, l, err = a.explain(u.Username, dept, obj, ActRead)
		} else {
			ok, l, err = a.member(u, dept, obj, ActRead)
		}
		if err != nil || ok {
			return allowIf(d, ok, err, why(dept, line(l)))
		}
	}
	d.Because(zhidu.ReasonCopiesOnly(o.Readers, u.Username))
	return d, nil
}

func allowIf(d zhidu.Decision, ok bool, err error, why zhidu.Message) (zhidu.Decision, error) {
	if err != nil {
		return d, err
	}
	d.Allowed = ok
	d.Because(why)
	return d, nil
}

// ReadScope is what list queries need to know about a reader to put the
// read rule in their WHERE clause.
type ReadScope struct {
	Leadership      bool     // reads everything
	Global          bool     // public and internal processes of every department
	Member          []string // departments whose public to secret processes the reader may read
	ConfidentialAll bool     // confidential processes of every department
	Confidential    []string // departments whose confidential processes the reader may read
}

// ReadScope computes the reader's ReadScope. It depends only on the
// reader's role grants and the policy, so it is cached by grants until the
// next reload.
func (a *Authz) ReadScope(u zhidu.Actor) (ReadScope, error) {
	if u.IsLeadership() {
		return ReadScope{Leadership: true}, nil
	}
	key := fmt.Sprint(u.Roles)
	if s, ok := a.scopes.Load(key); ok {
		return s.(ReadScope), nil
	}
	s, err := a.readScope(u)
	if err == nil {
		a.scopes.Store(key, s)
	}
	return s, err
}

func (a *Authz) readScope(u zhidu.Actor) (ReadScope, error) {
	var s ReadScope
	var err error
	if s.Global, err = a.Can(u.Username, "*", ObjProcess, ActRead); err != nil {
		return s, err
	}
	if s.ConfidentialAll, err = a.Can(u.Username, "*", ObjConfidential, ActRead); err != nil {
		return s, err
	}
	for _, d := range zhidu.Departments() {
		ok, _, err := a.member(u, d, ObjProcess, ActRead)
		if err != nil {
			return s, err
		}
		if ok {
			s.Member = append(s.Member, string(d))
		}
		if !s.ConfidentialAll {
			if ok, err = a.Can(u.Username, d, ObjConfidential, ActRead); err != nil {
				return s, err
			}
			if ok {
				s.Confidential = append(s.Confidential, string(d))
			}
		}
	}
	return s, nil
}

// Permitted is one user who may act on an object, and why.
type Permitted struct {
	Username    string          `json:"username"`
	Reasons     []string        `json:"reasons"`
	ReasonCodes []zhidu.Message `json:"reason_codes"`
}

// WhoCan lists the users who may take action on the object.
func (a *Authz) WhoCan(users []zhidu.Actor, o zhidu.ObjectFacts, action string) ([]Permitted, error) {
	out := []Permitted{}
	for _, u := range users {
		d, err := a.Decide(u, o, action)
		if err != nil {
			return nil, err
		}
		if d.Allowed {
			out = append(out, Permitted{Username: u.Username, Reasons: d.Reasons, ReasonCodes: d.ReasonCodes})
		}
	}
	return out, nil
}

// Capability is what a user may do with processes of one department at
// one level when they take no part in them.
type Capability struct {
	Department zhidu.Department `json:"department"`
	Level      zhidu.Level      `json:"level"`
	Read       bool             `json:"read"`
	Write      bool             `json:"write"`
	Cancel     bool             `json:"cancel"`
	Reassign   bool             `json:"reassign"`
	Start      []string         `json:"start,omitempty"`
}

// WhatCan lists, per department and level, what the user may do with
// processes and their tasks they take no part in; taking part (starting,
// being a candidate) adds reading up to confidential and completing.
// kinds maps each process kind to the department the user would start it
// in.
func (a *Authz) WhatCan(u zhidu.Actor, kinds map[string]zhidu.Department) ([]Capability, error) {
	var out []Capability
	for _, dept := range zhidu.Departments() {
		for _, lvl := range zhidu.Levels() {
			o := zhidu.ObjectFacts{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "*"}, Department: dept, Level: lvl}
			c := Capability{Department: dept, Level: lvl}
			for _, act := range []struct {
				name string
				to   *bool
			}{{zhidu.ActRead, &c.Read}, {zhidu.ActWrite, &c.Write}, {zhidu.ActCancel, &c.Cancel}} {
				d, err := a.Decide(u, o, act.name)
				if err != nil {
					return nil, err
				}
				*act.to = d.Allowed
			}
			if c.Read {
				ok, err := a.Can(u.Username, dept, ObjTask, ActReassign)
				if err != nil {
					return nil, err
				}
				c.Reassign = ok
			}
			if lvl == zhidu.Internal {
				for _, k := range slices.Sorted(maps.Keys(kinds)) {
					if kinds[k] != dept {
						continue
					}
					ok, err := a.Can(u.Username, dept, StartObject(k), ActStart)
					if err != nil {
						return nil, err
					}
					if ok {
						c.Start = append(c.Start, k)
					}
				}
			}
			out = append(out, c)
		}
	}
	return out, nil
}
