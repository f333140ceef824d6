package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// viewStore is what saved views need of the store.
type viewStore interface {
	CreateView(ctx context.Context, v store.SavedView, address string) (store.SavedView, error)
	Views(ctx context.Context, username string, departments []string) ([]store.SavedView, error)
	DeleteView(ctx context.Context, id, owner, address string, at time.Time) error
	TaskCounts(ctx context.Context, v store.Viewer, fs []store.TaskFilter, now time.Time) ([]int, error)
}

// maxViewName is how long a saved view's name may be, in characters.
const maxViewName = 60

type viewBody struct {
	Name       string            `json:"name" text:"line"`
	Filters    map[string]string `json:"filters" text:"line"`
	SharedWith *string           `json:"shared_with" text:"line"`
}

type viewList struct {
	Items []store.SavedView `json:"items"`
}

// memberDepartments are the departments a user belongs to: their own and
// every department they hold a role in. A view is shared only with one of
// these, and a user sees the views shared with any of them.
func memberDepartments(u store.User) []string {
	var out []string
	add := func(d zhidu.Department) {
		if d.Valid() && !slices.Contains(out, string(d)) {
			out = append(out, string(d))
		}
	}
	add(u.Department)
	for _, r := range u.Roles {
		add(r.Department)
	}
	sort.Strings(out)
	return out
}

// viewFilter checks a view's filters as GET /api/v1/tasks checks its
// query: only its filters (no cursor, no limit), each valid there.
func viewFilter(filters map[string]string) (store.TaskFilter, error) {
	errs := map[string]zhidu.Message{}
	for k := range filters {
		if !slices.Contains(taskFilterParams, k) {
			errs["filters."+k] = zhidu.UnknownField()
		}
	}
	p := mapParams(filters)
	f := taskFilter(p)
	for k, m := range p.errs {
		errs["filters."+k] = m
	}
	if len(errs) > 0 {
		return f, zhidu.Invalid(zhidu.InvalidField("filters"), errs)
	}
	return f, nil
}

// listViews lists the caller's saved views and those shared with a
// department they belong to, each with the number of tasks it shows the
// caller under their own read rule (the inbox's count query).
func (s *Server) listViews(c *gin.Context) {
	u := currentUser(c)
	views, err := s.Store.Views(c.Request.Context(), u.Username, memberDepartments(u))
	if err != nil {
		fail(c, err)
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	var fs []store.TaskFilter
	var counted []int
	for i, vw := range views {
		f, err := viewFilter(vw.Filters)
		if err != nil {
			continue // stored before a filter's rule changed: it counts nothing
		}
		fs = append(fs, f)
		counted = append(counted, i)
	}
	counts, err := s.Store.TaskCounts(c.Request.Context(), v, fs, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	for j, i := range counted {
		views[i].Count = counts[j]
	}
	c.JSON(http.StatusOK, viewList{Items: views})
}

// createView saves the caller's filters under a name, optionally shared
// with a department they belong to.
func (s *Server) createView(c *gin.Context) {
	var b viewBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	switch n := utf8.RuneCountInString(b.Name); {
	case n == 0:
		fail(c, invalid("name", zhidu.Required()))
		return
	case n > maxViewName:
		fail(c, invalid("name", zhidu.MaxChars(maxViewName)))
		return
	}
	if _, err := viewFilter(b.Filters); err != nil {
		fail(c, err)
		return
	}
	u := currentUser(c)
	if b.SharedWith != nil && !slices.Contains(memberDepartments(u), *b.SharedWith) {
		fail(c, invalid("shared_with", zhidu.ViewDepartment()))
		return
	}
	// A process ID in a shared view would tell its members of a process
	// they may not read.
	if b.SharedWith != nil && b.Filters["process"] != "" {
		fail(c, invalid("filters.process", zhidu.ViewProcessShared()))
		return
	}
	vw, err := s.Store.CreateView(c.Request.Context(), store.SavedView{Owner: u.Username, Name: b.Name, Filters: b.Filters,
		SharedWith: b.SharedWith, CreatedAt: s.Now()}, c.ClientIP())
	var e *zhidu.Error
	if errors.As(err, &e) && e.Code == zhidu.CodeConflict && e.MessageCode.IsZero() {
		err = zhidu.Fail(zhidu.CodeConflict, zhidu.ViewNameTaken(b.Name)) // the unique name
	}
	if err != nil {
		fail(c, err)
		return
	}
	// Its count, as listViews would give it.
	if f, err := viewFilter(vw.Filters); err == nil {
		v, err := s.viewer(c)
		if err == nil {
			var counts []int
			counts, err = s.Store.TaskCounts(c.Request.Context(), v, []store.TaskFilter{f}, s.Now())
			if err == nil {
				vw.Count = counts[0]
			}
		}
		if err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusCreated, vw)
}

// deleteView deletes one of the caller's views; someone else's is not
// found, exactly like a missing one.
func (s *Server) deleteView(c *gin.Context) {
	u := currentUser(c)
	id := c.Param("id")
	err := s.Store.DeleteView(c.Request.Context(), id, u.Username, c.ClientIP(), s.Now())
	if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
		err = notFound(zhidu.ObjectRef{Type: "view", ID: id})
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
