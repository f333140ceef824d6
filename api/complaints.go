package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

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
// internal complaint form. Only a kind whose descriptor keeps a public
// reply (the complaint) has one.
func (s *Server) complaintReply(c *gin.Context) {
	ref := processRef(c.Param("id"))
	f, ok := s.access(c, ref, zhidu.ActRead)
	if !ok {
		return
	}
	if d, ok := workflows.Lookup(f.Kind); !ok || !d.PublicReply {
		fail(c, zhidu.Errorf(zhidu.CodeNotFound, "process %s has no reply: %s processes keep none", ref.ID, f.Kind))
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
