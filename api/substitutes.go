package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// Out-of-office substitution (委托代理): a user names a substitute for a
// window (zhidu.Substitution); their department head may do it for them.
// What the substitute may then see and do is decided with each task
// (authz: the read and work rules; the workflow: the window again).

type substituteScope struct {
	Departments []string `json:"departments"`
	Kinds       []string `json:"kinds"`
}

type substituteBody struct {
	Substitute string          `json:"substitute" text:"line"`
	From       time.Time       `json:"from"`
	To         time.Time       `json:"to"`
	Scope      substituteScope `json:"scope"`
	Replace    bool            `json:"replace"`
}

// windows answers the caller's windows: away (theirs) and covering (those
// in which they are the substitute).
func (s *Server) getSubstitute(c *gin.Context) {
	away, covering, err := s.Store.Substitutions(c.Request.Context(), currentUser(c).Username, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"away": away, "covering": covering})
}

func (s *Server) setOwnSubstitute(c *gin.Context) { s.setSubstitute(c, currentUser(c).Username) }

// setUserSubstitute sets the substitute of another user, by that user's
// department head.
func (s *Server) setUserSubstitute(c *gin.Context) {
	name := c.Param("username")
	u, err := s.Store.User(c.Request.Context(), name)
	if err != nil && zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		fail(c, err)
		return
	}
	me := currentUser(c).Actor()
	if err != nil || !me.Has(zhidu.RoleDeptHead, u.Department) {
		// Only the head learns whether the user exists.
		if err != nil && !me.HasRole(zhidu.RoleDeptHead) {
			fail(c, zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("user "+name)))
			return
		}
		s.deny(c, "substitute.set", "user:"+name, zhidu.SubstituteHead(name))
		return
	}
	s.setSubstitute(c, name)
}

func (s *Server) setSubstitute(c *gin.Context, absent string) {
	var b substituteBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	now := s.Now()
	errs := map[string]zhidu.Message{}
	switch {
	case b.Substitute == "":
		errs["substitute"] = zhidu.Required()
	case b.Substitute == absent:
		errs["substitute"] = zhidu.SubstituteSelf()
	}
	switch {
	case b.From.IsZero():
		errs["from"] = zhidu.Required()
	case b.To.IsZero():
		errs["to"] = zhidu.Required()
	case !b.To.After(b.From):
		errs["to"] = zhidu.SubstituteAfter()
	case !b.To.After(now):
		errs["to"] = zhidu.SubstitutePast()
	}
	var depts []zhidu.Department
	for _, d := range b.Scope.Departments {
		if !zhidu.Department(d).Valid() {
			errs["scope.departments"] = zhidu.SubstituteScope("department", d)
		}
		depts = append(depts, zhidu.Department(d))
	}
	for _, k := range b.Scope.Kinds {
		if _, ok := workflows.Lookup(k); !ok {
			errs["scope.kinds"] = zhidu.SubstituteScope("process kind", k)
		}
	}
	if _, bad := errs["substitute"]; !bad {
		_, active, err := s.activeUser(c.Request.Context(), b.Substitute)
		if err != nil {
			fail(c, err)
			return
		}
		if !active {
			errs["substitute"] = zhidu.SubstituteInactive()
		}
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.FormIncomplete(), errs))
		return
	}
	w, err := s.Store.SetSubstitution(c.Request.Context(), zhidu.Substitution{Absent: zhidu.Actor{Username: absent}, Substitute: b.Substitute,
		Starts: b.From, Ends: b.To, Departments: depts, Kinds: b.Scope.Kinds}, b.Replace, currentUser(c).Username, c.ClientIP(), now)
	if err != nil {
		fail(c, err)
		return
	}
	s.ForgetUsers()
	if err := s.escalateUnreadable(c, w); err != nil {
		fail(c, err) // the window holds; setting it again escalates what is left
		return
	}
	c.JSON(http.StatusOK, w)
}

// escalateUnreadable, for a window open now, escalates each open task of
// the absent user at secret and above that the substitute may not read:
// rather than waiting in the inbox of someone away, it goes a rung up the
// step's ladder (the absent user's superior), released from them when they
// hold it — the timeline says so. One HandOver signal per process, keyed by
// the window, so a repeated set changes nothing twice.
func (s *Server) escalateUnreadable(c *gin.Context, w zhidu.Substitution) error {
	ctx := c.Request.Context()
	now := s.Now()
	if !w.Open(now) {
		return nil
	}
	absent, err := s.Store.User(ctx, w.Absent.Username)
	if err != nil {
		return err
	}
	sub, err := s.Store.User(ctx, w.Substitute) // with the new window
	if err != nil {
		return err
	}
	v, err := s.viewerOf(absent.Actor(), c.ClientIP())
	if err != nil {
		return err
	}
	v.Designations = absent.Designations
	page, err := s.Store.Tasks(ctx, v, store.TaskFilter{Limit: store.MaxLimit}, now)
	if err != nil {
		return err
	}
	tasks, held := map[string][]string{}, map[string][]string{}
	var order []string
	for _, t := range page.Items {
		// Secret and above, in scope, still on its first rung (one already
		// escalated is with a superior already).
		if t.Level < zhidu.Secret || t.Escalation > 0 || !w.Covers(now, zhidu.Department(t.Department), t.Kind) {
			continue
		}
		d, err := s.Store.TaskDetail(ctx, t.ID, now)
		if err != nil {
			return err
		}
		read, err := s.Authz.Decide(sub.Actor(), d.Facts, zhidu.ActRead)
		if err != nil {
			return err
		}
		if read.Allowed {
			continue
		}
		if _, seen := tasks[t.ProcessID]; !seen {
			order = append(order, t.ProcessID)
		}
		tasks[t.ProcessID] = append(tasks[t.ProcessID], t.ID)
		if t.Assignee != nil && *t.Assignee == absent.Username {
			held[t.ProcessID] = append(held[t.ProcessID], t.ID)
		}
	}
	for _, pid := range order {
		req := zhidu.HandOverRequest{EventKey: fmt.Sprintf("absence-%d", w.ID), Employee: absent.Username, By: currentUser(c).Username,
			Reason: "away (委托代理); the substitute " + w.Substitute + " may not read it", Tasks: tasks[pid], Held: held[pid]}
		if err := s.Engine.Signal(ctx, pid, workflows.SignalHandOver, req); err != nil {
			return err
		}
	}
	return nil
}

// endSubstitute ends the caller's windows now.
func (s *Server) endSubstitute(c *gin.Context) {
	me := currentUser(c).Username
	if err := s.Store.EndSubstitutions(c.Request.Context(), me, me, c.ClientIP(), s.Now()); err != nil {
		fail(c, err)
		return
	}
	s.ForgetUsers()
	c.Status(http.StatusNoContent)
}
