package api

import (
	"context"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The probation's routes (试用期, process 4 of DOMAIN.md) beside its start
// and its register, which every process has:
//
//   - POST /employees/{username}/sales: a sale of an employee on
//     probation, recorded by the employee, their department head or HR
//     (the RecordSale update; a repeated reference is answered as before);
//   - POST /employees/{username}/leave: the employee's leave request, by
//     the employee or HR (RequestLeave: refused in the first month);
//   - POST /processes/{id}/mentor: a change of mentor, asked by HR or the
//     employee's department head (ChangeMentor: the head decides it);
//   - GET /me/probation: the caller's own status, never the file;
//   - GET /reports/probation: conversion, separation and extension figures
//     per department, for HR and the GM's office, under the read rule.
//
// Who may act is the role, checked here (refusals 403, audited); the
// workflow checks the rest. An employee with no running probation — or no
// such user — is 404 to whoever may act for them.

// probationStore reads the probation's projection (store/probation.go).
type probationStore interface {
	OwnProbation(ctx context.Context, employee string) (store.ProbationStatus, error)
	ProbationReport(ctx context.Context, v store.Viewer, from, to time.Time) (store.ProbationReport, error)
}

// inHR: a staff member, supervisor or head of HR (行政人事部).
func inHR(u zhidu.Actor) bool {
	return slices.ContainsFunc(u.Roles, func(g zhidu.RoleGrant) bool {
		return g.Department == zhidu.DeptHR && slices.Contains([]zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead}, g.Role)
	})
}

// probationConfig is the configuration of the process that takes sales
// (the probation) as the API holds it.
func (s *Server) probationConfig() workflows.ProbationConfig {
	for _, d := range workflows.Taking(workflows.UpdateRecordSale) {
		if cfg, ok := s.Config.Processes[d.Kind].(*workflows.ProbationConfig); ok {
			return *cfg
		}
	}
	return workflows.DefaultProbationConfig()
}

// takes reports whether processes of the kind take the update.
func takes(kind, update string) bool {
	d, ok := workflows.Lookup(kind)
	return ok && slices.Contains(d.Takes, update)
}

// runningFor returns the running processes about a person that take the
// update (a probation's employee), by the kinds' Subject field.
func (s *Server) runningFor(ctx context.Context, update, person string) ([]string, error) {
	var out []string
	for _, d := range workflows.Taking(update) {
		if d.Subject == "" {
			continue
		}
		ids, err := s.Store.RunningWith(ctx, d.Kind, d.Subject, person)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

// employee checks that the caller may act for the employee named in the
// path — the employee, HR, or (withHead) the head of the employee's
// department — and returns the employee's running probation. ok is false
// when an answer was written: 403 (audited as action) or 404.
func (s *Server) employee(c *gin.Context, update, action string, withHead bool, denied zhidu.Message) (processID string, ok bool) {
	ctx := c.Request.Context()
	name := c.Param("username")
	u := currentUser(c).Actor()
	emp, err := s.Store.User(ctx, name)
	if err != nil && zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		fail(c, err)
		return "", false
	}
	head := err == nil && withHead && u.Has(zhidu.RoleDeptHead, emp.Department)
	if u.Username != name && !inHR(u) && !head {
		s.deny(c, action, "user:"+name, denied)
		return "", false
	}
	ids, err := s.runningFor(ctx, update, name)
	if err != nil {
		fail(c, err)
		return "", false
	}
	if len(ids) == 0 {
		fail(c, zhidu.Fail(zhidu.CodeNotFound, zhidu.NoProbation(name)))
		return "", false
	}
	return ids[0], true
}

type saleBody struct {
	Reference string   `json:"reference" text:"line"`
	Amount    *float64 `json:"amount"`
	Customer  string   `json:"customer" text:"line"`
}

// recordSale records a sale of an employee on probation: 201 when it is
// recorded now, 200 when its reference was recorded before (nothing
// changes).
func (s *Server) recordSale(c *gin.Context) {
	var b saleBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if b.Amount == nil {
		fail(c, zhidu.Invalid(workflows.CannotRecordSale(), map[string]zhidu.Message{"amount": zhidu.Required()}))
		return
	}
	id, ok := s.employee(c, workflows.UpdateRecordSale, "probation.sale", true, zhidu.ProbationSaleDenied())
	if !ok {
		return
	}
	var res zhidu.SaleResult
	req := zhidu.SaleRequest{Reference: b.Reference, Amount: *b.Amount, Customer: b.Customer, Actor: actor(c)}
	if err := s.Engine.Update(c.Request.Context(), id, workflows.UpdateRecordSale, req, &res); err != nil {
		s.failOrDeny(c, err, "probation.sale", "process:"+id)
		return
	}
	status := http.StatusOK
	if res.Recorded {
		status = http.StatusCreated
	}
	c.JSON(status, res)
}

type leaveBody struct {
	From   string `json:"from" text:"line"`
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

// requestLeave asks for an employee's leave during their probation: the
// department head's task (201 with its ID), or the first month's refusal
// (409, probation.no_leave_first_month).
func (s *Server) requestLeave(c *gin.Context) {
	var b leaveBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	id, ok := s.employee(c, workflows.UpdateRequestLeave, "probation.leave", false, zhidu.ProbationLeaveDenied())
	if !ok {
		return
	}
	var res zhidu.LeaveResult
	req := zhidu.LeaveRequest{From: b.From, Days: b.Days, Reason: b.Reason, Actor: actor(c)}
	if err := s.Engine.Update(c.Request.Context(), id, workflows.UpdateRequestLeave, req, &res); err != nil {
		s.failOrDeny(c, err, "probation.leave", "process:"+id)
		return
	}
	c.JSON(http.StatusCreated, res)
}

type mentorBody struct {
	Mentor string `json:"mentor" text:"line"`
	Reason string `json:"reason"`
}

// changeMentor asks for a change of a probation's mentor (带教负全责: the
// department head decides it in a task; 201 with its ID). HR and the
// employee's department head ask; the mentor must be a user, and the
// workflow checks they are cleared for the file.
func (s *Server) changeMentor(c *gin.Context) {
	ctx := c.Request.Context()
	var b mentorBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	errs := map[string]zhidu.Message{}
	if b.Mentor == "" {
		errs["mentor"] = zhidu.Required()
	}
	if n := utf8.RuneCountInString(b.Reason); n == 0 || n > 2000 {
		errs["reason"] = zhidu.CharRange(1, 2000)
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(workflows.CannotChangeMentor(), errs))
		return
	}
	id := c.Param("id")
	f, ok := s.access(c, processRef(id), zhidu.ActRead, "probation.mentor")
	if !ok {
		return
	}
	if !takes(f.Kind, workflows.UpdateChangeMentor) {
		fail(c, notFound(f.Ref)) // no mentor to change: as for a missing process
		return
	}
	if !f.Running {
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.NotRunning()))
		return
	}
	p, err := s.Store.ProcessInternal(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	u := currentUser(c).Actor()
	dept, _ := p.Input["department"].(string)
	if !inHR(u) && !u.Has(zhidu.RoleDeptHead, zhidu.Department(dept)) {
		s.deny(c, "probation.mentor", "process:"+id, zhidu.ProbationMentorDenied())
		return
	}
	mentor, err := s.Store.User(ctx, b.Mentor)
	if zhidu.ErrorCode(err) == zhidu.CodeNotFound || err == nil && mentor.Disabled {
		fail(c, zhidu.Invalid(workflows.CannotChangeMentor(), map[string]zhidu.Message{"mentor": zhidu.NotAUser()}))
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	var res zhidu.MentorChangeResult
	req := zhidu.MentorChangeRequest{Mentor: mentor.Actor(), Reason: b.Reason, Actor: actor(c)}
	if err := s.Engine.Update(ctx, id, workflows.UpdateChangeMentor, req, &res); err != nil {
		s.failOrDeny(c, err, "probation.mentor", "process:"+id)
		return
	}
	c.JSON(http.StatusCreated, res)
}

// ownProbation answers the caller's own probation status: the running
// one, else the latest; 404 when they have had none.
func (s *Server) ownProbation(c *gin.Context) {
	u := currentUser(c)
	st, err := s.Store.OwnProbation(c.Request.Context(), u.Username)
	if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
		err = zhidu.Fail(zhidu.CodeNotFound, zhidu.NoProbation(u.Username))
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// probationReportView is the report as the API answers it: the window as
// the dates asked (to included).
type probationReportView struct {
	From        string                   `json:"from"`
	To          string                   `json:"to"`
	Departments []store.ProbationFigures `json:"departments"`
	Total       store.ProbationFigures   `json:"total"`
}

// probationReport answers the conversion report of the window [from, to]
// (dates in the company's time zone; by default the two months to
// today), per department of the employees: HR and the GM's office only.
func (s *Server) probationReport(c *gin.Context) {
	u := currentUser(c).Actor()
	if !inHR(u) && !u.IsLeadership() {
		s.deny(c, "report.probation", "report:probation", zhidu.ProbationReportDenied())
		return
	}
	loc := s.probationConfig().Location()
	today := s.Now().In(loc)
	to := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	from := to.AddDate(0, -2, 0)
	errs := map[string]zhidu.Message{}
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v, ok := c.GetQuery(p.name); ok {
			t, err := time.ParseInLocation(time.DateOnly, v, loc)
			if err != nil {
				errs[p.name] = zhidu.NotDate()
				continue
			}
			*p.into = t
		}
	}
	if len(errs) == 0 && to.Before(from) {
		errs["to"] = zhidu.WindowOrder()
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.BadReportWindow(), errs))
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	r, err := s.Store.ProbationReport(c.Request.Context(), v, from, to.AddDate(0, 0, 1))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, probationReportView{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
		Departments: r.Departments, Total: r.Total})
}
