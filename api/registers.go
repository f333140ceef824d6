package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// registerStore reads the registers.
type registerStore interface {
	Register(ctx context.Context, kind string, reg *zhidu.Register, v store.Viewer, f store.RegisterFilter, now time.Time) (store.Page[store.RegisterRow], error)
	RegisterEntry(ctx context.Context, kind string, reg *zhidu.Register, v store.Viewer, id string, now time.Time) (store.RegisterEntry, error)
}

// listRegister serves a process kind's register (登记表): GET
// /registers/{kind}.
func (s *Server) listRegister(c *gin.Context) { s.serveRegister(c, c.Param("kind")) }

// registerOf serves a kind's register at its alias route (the complaint
// register's /complaints).
func (s *Server) registerOf(kind string) gin.HandlerFunc {
	return func(c *gin.Context) { s.serveRegister(c, kind) }
}

// getRegisterEntry serves one process's entry of its kind's register: GET
// /registers/{kind}/{id}, its row and its details, under the register's
// read rule. A kind without a register, a process of another kind and one
// the caller may not read are not found alike.
func (s *Server) getRegisterEntry(c *gin.Context) {
	kind := c.Param("kind")
	d, ok := workflows.Lookup(kind)
	if !ok || d.Register == nil {
		fail(c, zhidu.Errorf(zhidu.CodeNotFound, "process kind %q has no register", kind))
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	e, err := s.Store.RegisterEntry(c.Request.Context(), kind, d.Register, v, c.Param("id"), s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

// serveRegister answers with the rows of a kind's register the caller may
// read, filtered by the query parameters its description declares, as a
// JSON page or, with format=csv, as a CSV file of every matching row. A
// kind that is unknown or keeps no register is not found.
func (s *Server) serveRegister(c *gin.Context, kind string) {
	d, ok := workflows.Lookup(kind)
	if !ok || d.Register == nil {
		fail(c, zhidu.Errorf(zhidu.CodeNotFound, "process kind %q has no register", kind))
		return
	}
	reg := d.Register
	p := queryParams(c)
	f := registerFilter(p, reg)
	f.Cursor, f.Limit = p.str("cursor", 500), p.integer("limit", 1, store.MaxLimit)
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
	page, err := s.Store.Register(c.Request.Context(), kind, reg, v, f, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	if !csv {
		c.JSON(http.StatusOK, page)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+reg.File+`"`)
	c.Status(http.StatusOK)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	if err := store.WriteRegisterCSV(c.Writer, reg, page.Items); err != nil {
		_ = c.Error(err)
	}
}

// registerFilter reads the filters reg's columns declare from the query
// parameters.
func registerFilter(p *params, reg *zhidu.Register) store.RegisterFilter {
	f := store.RegisterFilter{Equal: map[string]string{}, AnyOf: map[string][]string{}, After: map[string]time.Time{},
		Before: map[string]time.Time{}, Is: map[string]bool{}, Number: map[string]float64{}, Min: map[string]float64{},
		Max: map[string]float64{}}
	for _, col := range reg.Columns {
		if col.Filter == nil {
			continue
		}
		name, ends := col.Filter.Parameter(col), col.Filter.Parameters(col)
		switch col.Filter.Kind {
		case zhidu.FilterExact:
			if v := p.str(name, col.Filter.MaxLength); v != "" {
				f.Equal[col.Name] = v
			}
		case zhidu.FilterChoice:
			if v := p.oneOf(name, col.Filter.Choices...); v != "" {
				f.Equal[col.Name] = v
			}
		case zhidu.FilterAnyOf:
			if vs := p.list(name, col.Filter.Choices...); len(vs) > 0 {
				f.AnyOf[col.Name] = vs
			}
		case zhidu.FilterRange:
			if t := p.time(ends[0]); t != nil {
				f.After[col.Name] = *t
			}
			if t := p.time(ends[1]); t != nil {
				f.Before[col.Name] = *t
			}
		case zhidu.FilterBool:
			if b := p.boolean(name); b != nil {
				f.Is[col.Name] = *b
			}
		case zhidu.FilterNumber:
			if x := p.number(name); x != nil {
				f.Number[col.Name] = *x
			}
		case zhidu.FilterNumberRange:
			min, max := p.numberRange(ends[0], ends[1])
			if min != nil {
				f.Min[col.Name] = *min
			}
			if max != nil {
				f.Max[col.Name] = *max
			}
		}
	}
	return f
}
