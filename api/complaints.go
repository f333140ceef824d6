package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
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
		errs = map[string]zhidu.Message{}
	}
	info.Level = b.DefaultLevel()
	if b.Level != nil {
		switch {
		case *b.Level < info.Level:
			errs["level"] = zhidu.LevelAtLeast(info.Level)
		case *b.Level > info.Level && *b.Level > currentUser(c).Clearance:
			errs["level"] = zhidu.AboveClearance()
		}
		info.Level = max(info.Level, *b.Level)
	}
	if a := b.Accused; a != "" && errs["accused"].IsZero() {
		switch _, err := s.Store.User(c.Request.Context(), a); {
		case zhidu.ErrorCode(err) == zhidu.CodeNotFound:
			errs["accused"] = zhidu.NotAUser()
		case err != nil:
			return nil, err
		case a == currentUser(c).Username:
			errs["accused"] = zhidu.AccusedSelf()
		}
		info.Barred = []string{a}
	}
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.CannotRegisterComplaint(), errs)
	}
	info.Title = b.Subject
	return workflows.ComplaintInput{Process: *info, Intake: b.ComplaintIntake, Config: s.Config.Complaint}, nil
}

// listComplaints serves the complaint register (《申诉和投诉处理登记表》),
// as JSON or, with format=csv, as a CSV file of the same rows.
func (s *Server) listComplaints(c *gin.Context) {
	p := queryParams(c)
	f := store.ComplaintFilter{
		Category:       p.oneOf("category", workflows.ComplaintCategories...),
		Stage:          p.oneOf("stage", "triage", "investigation", "approval", "remedy", "reply", "superior_review", "follow_up", "closed"),
		Department:     p.str("department", 32),
		ReceivedAfter:  p.time("received_after"),
		ReceivedBefore: p.time("received_before"),
		Overdue:        p.boolean("overdue"),
		Cursor:         p.str("cursor", 500),
		Limit:          p.integer("limit", 1, store.MaxLimit),
	}
	for _, st := range p.list("state", processStates...) {
		f.States = append(f.States, zhidu.ProcessState(st))
	}
	csv := p.oneOf("format", "json", "csv") == "csv"
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	if csv {
		f.All, f.Cursor = true, ""
	}
	page, err := s.Store.Complaints(c.Request.Context(), v, f, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	if !csv {
		c.JSON(http.StatusOK, page)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="complaints.csv"`)
	c.Status(http.StatusOK)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	if err := store.WriteComplaintsCSV(c.Writer, page.Items); err != nil {
		_ = c.Error(err)
	}
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
