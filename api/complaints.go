package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

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
