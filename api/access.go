package api

import (
	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// notFound is the one answer for an object that is missing or that the
// caller may not read: the two must be indistinguishable.
func notFound(ref zhidu.ObjectRef) error {
	return zhidu.Fail(zhidu.CodeNotFound, zhidu.ObjectNotFound(ref.Type, ref.ID))
}

// access decides whether the caller may take action on the object; the
// audit trail calls the attempt TYPE.ACTION, or label when given. It
// answers 404 when they may not read it (auditing the denial when the
// object exists) and 403 when they may read but not act (audited too); it
// audits every allowed read of a secret or higher object. ok is false when
// an answer was written.
func (s *Server) access(c *gin.Context, ref zhidu.ObjectRef, action string, label ...string) (f zhidu.ObjectFacts, ok bool) {
	f, err := s.Store.ObjectFacts(c.Request.Context(), ref)
	return s.decide(c, f, err, action, label...)
}

// decide is access for facts the caller has read (err: how reading them
// failed), with the object they came with.
func (s *Server) decide(c *gin.Context, f zhidu.ObjectFacts, err error, action string, label ...string) (zhidu.ObjectFacts, bool) {
	ref := f.Ref
	what := ref.Type + "." + action
	if len(label) > 0 {
		what = label[0]
	}
	u := currentUser(c)
	if err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = notFound(ref)
		}
		fail(c, err)
		return f, false
	}
	a := u.Actor()
	read, err := s.Authz.Decide(a, f, zhidu.ActRead)
	if err != nil {
		fail(c, err)
		return f, false
	}
	if !read.Allowed {
		if err := s.auditDecision(c, what, ref.String(), read); err != nil {
			fail(c, err)
			return f, false
		}
		fail(c, notFound(ref))
		return f, false
	}
	if action == zhidu.ActRead {
		if f.Level >= zhidu.Secret {
			if err := s.auditDecision(c, ref.Type+".read", ref.String(), read); err != nil {
				fail(c, err)
				return f, false
			}
		}
		return f, true
	}
	d, err := s.Authz.Decide(a, f, action)
	if err != nil {
		fail(c, err)
		return f, false
	}
	if !d.Allowed {
		s.deny(c, what, ref.String(), d.ReasonCodes[len(d.ReasonCodes)-1])
		return f, false
	}
	return f, true
}

// readableNow reports whether the caller may read an object just read
// again after a change (err: how reading it failed); when not, it answers
// (404 if they may no longer see it). Nothing is audited: the change was.
func (s *Server) readableNow(c *gin.Context, f zhidu.ObjectFacts, err error) bool {
	if err != nil {
		fail(c, err)
		return false
	}
	read, err := s.Authz.Decide(currentUser(c).Actor(), f, zhidu.ActRead)
	if err != nil {
		fail(c, err)
		return false
	}
	if !read.Allowed {
		fail(c, notFound(f.Ref))
		return false
	}
	return true
}

// auditDecision records a decision with its reasons.
func (s *Server) auditDecision(c *gin.Context, action, object string, d zhidu.Decision) error {
	decision := "denied"
	if d.Allowed {
		decision = "allowed"
	}
	return s.Store.Audit(c.Request.Context(), store.AuditEntry{Actor: currentUser(c).Username, Action: action, Object: object,
		Decision: decision, Address: c.ClientIP(), Detail: map[string]any{"reasons": d.Reasons}})
}

// permissions tells the caller what they may do with an object they may
// read, so a client shows only the actions that will work.
func (s *Server) permissions(c *gin.Context, f zhidu.ObjectFacts) (map[string]bool, error) {
	out := map[string]bool{zhidu.ActRead: true}
	a := currentUser(c).Actor()
	for _, act := range []string{zhidu.ActWrite, zhidu.ActComplete, zhidu.ActCancel} {
		if act == zhidu.ActComplete && f.Ref.Type != zhidu.ObjectTask {
			continue
		}
		d, err := s.Authz.Decide(a, f, act)
		if err != nil {
			return nil, err
		}
		out[act] = d.Allowed
	}
	if f.Ref.Type == zhidu.ObjectTask {
		a := currentUser(c).Actor()
		participant, _ := f.Participant(a)
		out[permComment] = (participant || a.HasRole(zhidu.RoleCompliance)) &&
			(f.TaskState == zhidu.TaskOpen || f.TaskState == zhidu.TaskClaimed)
	}
	return out, nil
}

// permComment is the permission to comment on a task (see mayComment).
const permComment = "comment"

func taskRef(c *gin.Context) zhidu.ObjectRef {
	return zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: c.Param("id")}
}
