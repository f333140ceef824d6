package authz

import (
	"fmt"
	"maps"
	"slices"
	"strings"

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
//  5. a participant of the process (started it, named on a task, or holding
//     a candidate role) may read it — up to confidential; or
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
	read, err := a.decideRead(u, o)
	if err != nil || action == zhidu.ActRead || !read.Allowed {
		if action != zhidu.ActRead && !read.Allowed {
			read.Reasons = append(read.Reasons, "may not "+action+" what they may not read")
		}
		return read, err
	}
	d := zhidu.Decision{Reasons: read.Reasons}
	allow := func(why string) (zhidu.Decision, error) {
		d.Allowed, d.Reasons = true, append(d.Reasons, why)
		return d, nil
	}
	deny := func(why string) (zhidu.Decision, error) {
		d.Reasons = append(d.Reasons, why)
		return d, nil
	}
	switch action {
	case zhidu.ActWrite, zhidu.ActCancel:
		if o.StartedBy == u.Username {
			return allow("started the process")
		}
		ok, l, err := a.explain(u.Username, o.Department, ObjProcess, action)
		if err != nil {
			return d, err
		}
		if ok {
			return allow("policy: " + line(l))
		}
		return deny(fmt.Sprintf("no role of %s permits %s on processes of %s", u.Username, action, o.Department))
	case zhidu.ActComplete:
		if o.Ref.Type != zhidu.ObjectTask {
			return deny("only tasks are completed")
		}
		if slices.Contains(o.Excluded, u.Username) {
			return deny("separation of duties: excluded from this task")
		}
		switch {
		case o.Assignee == u.Username:
			return allow("is the assignee")
		case o.Delegate != "" && o.Delegate == u.Username:
			return allow("is the delegate of " + o.Assignee)
		}
		for _, c := range o.Candidates {
			if c.Matches(u) {
				return allow("is a candidate (" + c.String() + ")")
			}
		}
		return deny("is not a candidate, the assignee or the delegate")
	}
	return deny("unknown action " + action)
}

func (a *Authz) decideRead(u zhidu.Actor, o zhidu.ObjectFacts) (zhidu.Decision, error) {
	d := zhidu.Decision{}
	allow := func(why ...string) (zhidu.Decision, error) {
		d.Allowed, d.Reasons = true, append(d.Reasons, why...)
		return d, nil
	}
	deny := func(why string) (zhidu.Decision, error) {
		d.Reasons = append(d.Reasons, why)
		return d, nil
	}
	if slices.Contains(o.Barred, u.Username) {
		return deny("the process is about them: the person a misconduct complaint names is kept out of it")
	}
	for _, g := range u.Roles {
		if g.Role == zhidu.RoleGM || g.Role == zhidu.RoleDeputyGM {
			return allow(fmt.Sprintf("holds %s@%s: the GM and deputy GMs may know everything", g.Role, g.Department))
		}
	}
	if slices.Contains(o.Designated, u.Username) {
		return allow("designated for this object by the GM or a deputy GM")
	}
	if o.Level == zhidu.TopSecret {
		return deny("top_secret (绝密): only the GM, deputy GMs and users designated for this object")
	}
	if u.Clearance < o.Level {
		return deny(fmt.Sprintf("clearance %s (%s) is below the level %s (%s)", u.Clearance, u.Clearance.Zh(), o.Level, o.Level.Zh()))
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("clearance %s ≥ level %s", u.Clearance, o.Level))
	if ok, why := o.Participant(u); ok {
		return allow("need-to-know: " + why)
	}
	if len(o.Readers) > 0 {
		return a.decideConfined(u, o, d)
	}
	switch o.Level {
	case zhidu.Public, zhidu.Internal:
		ok, l, err := a.explain(u.Username, o.Department, ObjProcess, ActRead)
		if err != nil || ok {
			return allowIf(d, ok, err, "policy: "+line(l))
		}
		return deny(fmt.Sprintf("no role of %s permits reading processes of %s", u.Username, o.Department))
	case zhidu.Secret:
		ok, l, err := a.member(u, o.Department, ObjProcess, ActRead)
		if err != nil || ok {
			return allowIf(d, ok, err, fmt.Sprintf("need-to-know: a member of %s whose role permits reading (policy: %s)", o.Department, line(l)))
		}
		return deny(fmt.Sprintf("secret (秘密): need-to-know limits it to the participants and to members of %s whose role permits reading", o.Department))
	default: // confidential
		ok, l, err := a.explain(u.Username, o.Department, ObjConfidential, ActRead)
		if err != nil || ok {
			return allowIf(d, ok, err, "need-to-know: a role the policy names for confidential matters (policy: "+line(l)+")")
		}
		return deny(fmt.Sprintf("confidential (机密): only the roles the policy names for %s of %s", ObjConfidential, o.Department))
	}
}

// decideConfined is rule 6 for a process that confines its readers to
// departments.
func (a *Authz) decideConfined(u zhidu.Actor, o zhidu.ObjectFacts, d zhidu.Decision) (zhidu.Decision, error) {
	obj, why := ObjProcess, "need-to-know: a member of %s, which may read it, whose role permits reading (policy: %s)"
	if o.Level == zhidu.Confidential {
		obj, why = ObjConfidential, "need-to-know: %s may read it, and a role the policy names for confidential matters there (policy: %s)"
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
			return allowIf(d, ok, err, fmt.Sprintf(why, dept, line(l)))
		}
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("only %s may read it: no role of %s there permits reading", departmentList(o.Readers), u.Username))
	return d, nil
}

// departmentList renders department codes as "cs, fin".
func departmentList(ds []zhidu.Department) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d)
	}
	return strings.Join(out, ", ")
}

func allowIf(d zhidu.Decision, ok bool, err error, why string) (zhidu.Decision, error) {
	if err != nil {
		return d, err
	}
	d.Allowed = ok
	d.Reasons = append(d.Reasons, why)
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
	Username string   `json:"username"`
	Reasons  []string `json:"reasons"`
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
			out = append(out, Permitted{Username: u.Username, Reasons: d.Reasons})
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
