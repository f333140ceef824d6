package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

type complaintBody struct {
	workflows.ComplaintIntake
	Level *zhidu.Level `json:"level"`
}

// prepareComplaint validates a complaint's register entry. Misconduct
// defaults to secret, others to internal; the starter may raise the level
// (never above their clearance, unless it is the default).
func (s *Server) prepareComplaint(c *gin.Context, info *zhidu.ProcessInfo) (any, error) {
	var b complaintBody
	if err := decode(c, &b); err != nil {
		return nil, err
	}
	errs := b.Validate()
	if errs == nil {
		errs = map[string]string{}
	}
	info.Level = b.DefaultLevel()
	if b.Level != nil {
		switch {
		case *b.Level < info.Level:
			errs["level"] = fmt.Sprintf("must be at least %s for this category", info.Level)
		case *b.Level > info.Level && *b.Level > currentUser(c).Clearance:
			errs["level"] = "is above your clearance"
		}
		info.Level = max(info.Level, *b.Level)
	}
	if a := b.Accused; a != "" && errs["accused"] == "" {
		switch _, err := s.Store.User(c.Request.Context(), a); {
		case zhidu.ErrorCode(err) == zhidu.CodeNotFound:
			errs["accused"] = "is not a user"
		case err != nil:
			return nil, err
		case a == currentUser(c).Username:
			errs["accused"] = "must be someone else: nobody registers a complaint about themselves"
		}
		info.Barred = []string{a}
	}
	if len(errs) > 0 {
		return nil, zhidu.Invalid("cannot register the complaint", errs)
	}
	info.Title = b.Subject
	return workflows.ComplaintInput{Process: *info, Intake: b.ComplaintIntake, Config: s.Config.Complaint}, nil
}

// complaintReply returns only the public reply to the customer: never the
// internal complaint form.
func (s *Server) complaintReply(c *gin.Context) {
	ref := processRef(c.Param("id"))
	f, ok := s.access(c, ref, zhidu.ActRead)
	if !ok {
		return
	}
	if f.Kind != workflows.KindComplaint {
		fail(c, zhidu.Errorf(zhidu.CodeNotFound, "process %s has no reply: it is not a complaint", ref.ID))
		return
	}
	r, err := s.Store.ComplaintReply(c.Request.Context(), ref.ID)
	if err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = zhidu.Errorf(zhidu.CodeNotFound, "the customer has not been replied to yet")
		}
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
