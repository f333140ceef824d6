package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/workflows"
)

// processKindView is one process kind as a client needs it to offer a
// start: its labels, its start form and whether the caller may start it.
type processKindView struct {
	Kind      string           `json:"kind"`
	Label     zhidu.Text       `json:"label"`
	Steps     []stepView       `json:"steps"`
	StartForm zhidu.Form       `json:"start_form"`
	Owner     zhidu.Department `json:"department"`
	MayStart  bool             `json:"may_start"`
	Internal  bool             `json:"internal,omitempty"` // started by zhidu itself: never may_start
	Register  *zhidu.Register  `json:"register,omitempty"` // served by GET /registers/{kind}
}

type stepView struct {
	Name  string     `json:"name"`
	Label zhidu.Text `json:"label"`
}

// listProcessKinds lists every process kind (workflows.Descriptors) with
// what the caller may do with it. may_start is the start permission the
// start route checks, in the department that would own the process; an
// internal kind has no start route, so nobody may start it.
func (s *Server) listProcessKinds(c *gin.Context) {
	u := currentUser(c)
	kinds := []processKindView{}
	for _, d := range workflows.Descriptors() {
		dept := d.Owner(u.Actor())
		ok, err := s.Authz.Can(u.Username, dept, authz.StartObject(d.Kind), authz.ActStart)
		if err != nil {
			fail(c, err)
			return
		}
		v := processKindView{Kind: d.Kind, Label: d.Label, Steps: []stepView{}, StartForm: d.StartForm, Owner: dept, MayStart: ok && !d.Internal,
			Internal: d.Internal, Register: d.Register}
		if v.StartForm.Fields == nil {
			v.StartForm.Fields = []zhidu.Field{}
		}
		if v.StartForm.Outcomes == nil {
			v.StartForm.Outcomes = []string{}
		}
		for _, st := range d.Steps {
			v.Steps = append(v.Steps, stepView{Name: st.Name, Label: st.Label})
		}
		kinds = append(kinds, v)
	}
	c.JSON(http.StatusOK, gin.H{"kinds": kinds})
}
