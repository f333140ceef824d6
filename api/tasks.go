package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

var taskStates = []string{string(zhidu.TaskOpen), string(zhidu.TaskClaimed), string(zhidu.TaskCompleted), string(zhidu.TaskCancelled)}

// taskFilterParams are the task list's filters: the query parameters of
// GET /api/v1/tasks but its paging (cursor, limit), which is what a saved
// view may hold.
var taskFilterParams = []string{"scope", "kind", "department", "overdue", "due_before", "due_after", "priority",
	"process", "q", "sort", "state"}

// taskFilter reads the task list's filters (taskFilterParams), recording
// what is wrong with each in p.
func taskFilter(p *params) store.TaskFilter {
	f := store.TaskFilter{
		Scope:      p.oneOf("scope", store.ScopeMine, store.ScopeClaimable, store.ScopeCompleted),
		Kind:       p.str("kind", 64),
		Department: p.str("department", 32),
		Overdue:    p.boolean("overdue"),
		DueBefore:  p.time("due_before"),
		DueAfter:   p.time("due_after"),
		Priority:   p.integer("priority", zhidu.PriorityLow, zhidu.PriorityUrgent),
		Process:    p.str("process", 200),
		Q:          p.str("q", 200),
		Sort:       p.oneOf("sort", "created_at", "-created_at", "due_at", "-due_at", "priority", "-priority"),
	}
	for _, st := range p.list("state", taskStates...) {
		f.States = append(f.States, zhidu.TaskState(st))
	}
	return f
}

// listTasks serves the inbox: my tasks and those I may claim.
func (s *Server) listTasks(c *gin.Context) {
	p := queryParams(c)
	f := taskFilter(p)
	f.Cursor = p.str("cursor", 500)
	f.Limit = p.integer("limit", 1, store.MaxLimit)
	forUser := p.str("for", 64)
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	if forUser != "" {
		s.listTasksFor(c, forUser, f)
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	page, err := s.Store.Tasks(c.Request.Context(), v, f, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

// substituteTask is a task listed for the absent user the caller
// substitutes for.
type substituteTask struct {
	store.Task
	ForUser string `json:"for_user"`
}

// listTasksFor lists, for a substitute, the absent user's inbox (as the
// absent user's scopes and filters select it) and shows of it only the
// tasks the caller may read now, each marked for_user; total counts what
// is shown. A user the caller does not substitute for now answers 404.
func (s *Server) listTasksFor(c *gin.Context, absent string, f store.TaskFilter) {
	me := currentUser(c).Actor()
	now := s.Now()
	var win *zhidu.Substitution
	for _, w := range me.Substituting {
		if w.Absent.Username == absent && w.Open(now) {
			win = &w
		}
	}
	if win == nil {
		fail(c, zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("substitution for "+absent)))
		return
	}
	v, err := s.viewerOf(win.Absent, c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	page, err := s.Store.Tasks(c.Request.Context(), v, f, now)
	if err != nil {
		fail(c, err)
		return
	}
	out := store.Page[substituteTask]{Items: []substituteTask{}, NextCursor: page.NextCursor}
	for _, t := range page.Items {
		d, err := s.Store.TaskDetail(c.Request.Context(), t.ID, now)
		if err != nil {
			fail(c, err)
			return
		}
		read, err := s.Authz.Decide(me, d.Facts, zhidu.ActRead)
		if err != nil {
			fail(c, err)
			return
		}
		if read.Allowed {
			out.Items = append(out.Items, substituteTask{Task: t, ForUser: absent})
		}
	}
	out.Total = len(out.Items)
	c.JSON(http.StatusOK, out)
}

type taskView struct {
	store.Task
	Comments    []store.Comment `json:"comments"`
	Permissions map[string]bool `json:"permissions"`
}

// task reads the task named in the path, its comments and its facts (one
// statement), and decides whether the caller may take action on it, as
// access does.
func (s *Server) task(c *gin.Context, action string, label ...string) (store.TaskDetail, bool) {
	d, err := s.Store.TaskDetail(c.Request.Context(), c.Param("id"), s.Now())
	var ok bool
	d.Facts, ok = s.decide(c, d.Facts, err, action, label...)
	return d, ok
}

// respondTask answers with a task the caller may read, as read in d.
func (s *Server) respondTask(c *gin.Context, status int, d store.TaskDetail) {
	perms, err := s.permissions(c, d.Facts)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, taskView{Task: d.Task, Comments: d.Comments, Permissions: perms})
}

// respondTaskNow reads a task again after a change and answers with it as
// the caller may see it now.
func (s *Server) respondTaskNow(c *gin.Context, status int, id string) {
	d, err := s.Store.TaskDetail(c.Request.Context(), id, s.Now())
	if s.readableNow(c, d.Facts, err) {
		s.respondTask(c, status, d)
	}
}

func (s *Server) getTask(c *gin.Context) {
	if d, ok := s.task(c, zhidu.ActRead); ok {
		s.respondTask(c, http.StatusOK, d)
	}
}

// claimTask claims an open task: one statement reads it, one claims it.
func (s *Server) claimTask(c *gin.Context) {
	d, ok := s.task(c, zhidu.ActComplete, "task.claim")
	if !ok {
		return
	}
	if resumed(c) && d.Task.State == zhidu.TaskClaimed && d.Task.Assignee != nil && *d.Task.Assignee == currentUser(c).Username {
		s.respondTask(c, http.StatusOK, d) // the abandoned first call claimed it
		return
	}
	v, err := s.viewer(c)
	if err == nil {
		d, err = s.Store.ClaimFor(c.Request.Context(), v, s.claimingFor(c, d.Facts), d, s.Now())
	}
	if err != nil {
		fail(c, err)
		return
	}
	s.respondTask(c, http.StatusOK, d)
}

// claimingFor names the absent user a claim is made for: "" when the
// caller may work the task themselves, else the user they substitute for
// (the decision has allowed one of the two).
func (s *Server) claimingFor(c *gin.Context, f zhidu.ObjectFacts) string {
	a := currentUser(c).Actor()
	if slices.ContainsFunc(f.Candidates, func(cd zhidu.Candidate) bool { return cd.Matches(a) }) {
		return ""
	}
	if w, ok := f.Substituting(a, s.Now()); ok {
		return w.Absent.Username
	}
	return ""
}

// failOrDeny audits a forbidden action before answering.
func (s *Server) failOrDeny(c *gin.Context, err error, action, object string) {
	var e *zhidu.Error
	if errors.As(err, &e) && e.Code == zhidu.CodeForbidden {
		s.denyErr(c, action, object, e)
		return
	}
	fail(c, err)
}

func (s *Server) unclaimTask(c *gin.Context) {
	d, ok := s.task(c, zhidu.ActRead)
	if !ok {
		return
	}
	v, err := s.viewer(c)
	if err == nil {
		err = s.Store.Unclaim(c.Request.Context(), v, d.Task, s.Now())
	}
	if err != nil {
		fail(c, err)
		return
	}
	s.respondTaskNow(c, http.StatusOK, d.Task.ID)
}

type completeBody struct {
	Outcome string         `json:"outcome" text:"line"`
	Data    map[string]any `json:"data"`
	Comment string         `json:"comment"`
}

// completeTask completes a claimed task through the workflow, which checks
// the actor, the form and separation of duties once more.
func (s *Server) completeTask(c *gin.Context) {
	var b completeBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if utf8.RuneCountInString(b.Comment) > zhidu.DefaultMaxTextLength {
		fail(c, invalid("comment", zhidu.TooLong()))
		return
	}
	d, ok := s.task(c, zhidu.ActComplete)
	if !ok {
		return
	}
	f := d.Facts
	me := currentUser(c).Username
	req := zhidu.CompleteTaskRequest{TaskID: f.Ref.ID, Actor: actor(c), Outcome: b.Outcome, Comment: b.Comment}
	if b.Data != nil {
		req.Data = normalise(b.Data).(map[string]any)
	}
	switch {
	case resumed(c) && completedAs(d.Task, me, req):
		// The abandoned first call's completion is in the projection, but
		// its workflow may have lost it with a killed worker (the workflow
		// task that ran it never completed): send it again; a workflow
		// that has it refuses the task as not open, and the first call's
		// completion is the answer.
		if d.Task.Assignee != nil {
			req.Assignee = *d.Task.Assignee
		}
		if d.Task.OnBehalfOf != nil {
			req.OnBehalfOf = *d.Task.OnBehalfOf
		}
		var res zhidu.CompleteTaskResult
		err := s.updateTask(c.Request.Context(), f.ProcessID, workflows.UpdateCompleteTask, req, &res)
		if err != nil && zhidu.ErrorCode(err) != zhidu.CodeConflict {
			s.failOrDeny(c, err, "task.complete", f.Ref.String())
			return
		}
		s.respondTaskNow(c, http.StatusOK, f.Ref.ID)
		return
	case f.TaskState == zhidu.TaskOpen:
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.ClaimFirst()))
		return
	case f.TaskState != zhidu.TaskClaimed:
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.TaskIs(f.TaskState)))
		return
	case f.Assignee == me:
		req.Assignee = me
	case f.Delegate != "" && f.Delegate == me:
		req.Assignee, req.OnBehalfOf = f.Assignee, f.Assignee
	case substitutes(f, currentUser(c).Actor(), s.Now()):
		req.Assignee, req.OnBehalfOf = f.Assignee, f.Assignee // the workflow checks the window again
	default:
		s.deny(c, "task.complete", f.Ref.String(), zhidu.NotYourTask())
		return
	}
	if kind, ok := workflows.Lookup(f.Kind); ok && kind.RefusesBlacklisted != nil && kind.RefusesBlacklisted(d.Task.Step, req.Data) {
		p, err := s.Store.ProcessInternal(c.Request.Context(), f.ProcessID)
		if err != nil {
			fail(c, err)
			return
		}
		if s.refuseBlacklisted(c, kind, p.Input, d.Task.Step, req.Data) {
			return
		}
	}
	var res zhidu.CompleteTaskResult
	if err := s.updateTask(c.Request.Context(), f.ProcessID, workflows.UpdateCompleteTask, req, &res); err != nil {
		s.failOrDeny(c, err, "task.complete", f.Ref.String())
		return
	}
	// The workflow recorded exactly this completion: answer without reading it again.
	d = d.Completed(zhidu.CompletionRecord{TaskID: f.Ref.ID, Actor: me, OnBehalfOf: req.OnBehalfOf, Outcome: req.Outcome,
		Data: req.Data, Comment: req.Comment, At: res.CompletedAt})
	if s.readableNow(c, d.Facts, nil) {
		s.respondTask(c, http.StatusOK, d)
	}
}

// catchUpWait bounds how long updateTask waits for a workflow to learn of
// a task its projection already holds.
const catchUpWait = 10 * time.Second

// updateTask sends an update about a task to its process's workflow. The
// task was read from the projection, so its process has created it: a
// workflow that does not know it (task.not_in_process) is catching up — a
// worker stopped after writing the task and before reporting it, and the
// worker that took over is replaying — and the update is sent again
// (validators reject without touching history: nothing happened) until
// the workflow knows the task, up to catchUpWait or the request's end.
//
// If it has not caught up by then the answer is 503 (retry), never 404:
// the task exists. A workflow task lost with a killed worker is retried
// only after its timeout (10 s), so catching up may take longer than one
// request.
func (s *Server) updateTask(ctx context.Context, processID, name string, arg, res any) error {
	deadline := time.Now().Add(catchUpWait)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err := s.Engine.Update(ctx, processID, name, arg, res)
		var e *zhidu.Error
		if !errors.As(err, &e) || e.MessageCode.Code != zhidu.NoTaskInProcess("").Code {
			return err
		}
		catchingUp := zhidu.Errorf(zhidu.CodeUnavailable, "the process is catching up with its tasks (a worker stopped): retry shortly")
		if time.Now().Add(wait).After(deadline) {
			return catchingUp
		}
		select {
		case <-ctx.Done():
			return catchingUp
		case <-time.After(wait):
		}
	}
}

// substitutes says a substitutes, now, for the absent assignee of the
// task f.
func substitutes(f zhidu.ObjectFacts, a zhidu.Actor, now time.Time) bool {
	w, ok := f.Substituting(a, now)
	return ok && f.Assignee == w.Absent.Username
}

// completedAs says t was completed by actor exactly as req asks (outcome,
// comment and data).
func completedAs(t store.Task, actor string, req zhidu.CompleteTaskRequest) bool {
	if t.State != zhidu.TaskCompleted || t.CompletedBy == nil || *t.CompletedBy != actor ||
		t.Outcome == nil || *t.Outcome != req.Outcome || t.Comment == nil || *t.Comment != req.Comment {
		return false
	}
	if len(t.Data) == 0 && len(req.Data) == 0 {
		return true
	}
	had, err1 := json.Marshal(t.Data)
	asked, err2 := json.Marshal(req.Data)
	return err1 == nil && err2 == nil && bytes.Equal(had, asked)
}

type assignBody struct {
	To   string `json:"to" text:"line"`
	Note string `json:"note"`
}

func (s *Server) delegateTask(c *gin.Context) { s.assignTask(c, zhidu.AssignDelegate) }
func (s *Server) reassignTask(c *gin.Context) { s.assignTask(c, zhidu.AssignReassign) }

// assignTask delegates (the assignee hands the work to someone who acts
// on their behalf) or reassigns (a manager moves the task).
func (s *Server) assignTask(c *gin.Context, kind string) {
	var b assignBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if b.To == "" {
		fail(c, invalid("to", zhidu.Required()))
		return
	}
	if utf8.RuneCountInString(b.Note) > 2000 {
		fail(c, invalid("note", zhidu.MaxChars(2000)))
		return
	}
	f, ok := s.access(c, taskRef(c), zhidu.ActRead, "task."+kind)
	if !ok {
		return
	}
	me := currentUser(c).Username
	req := zhidu.AssignTaskRequest{TaskID: f.Ref.ID, Kind: kind, Actor: actor(c), Note: b.Note, Key: requestKey(c, f.Ref.ID)}
	switch kind {
	case zhidu.AssignDelegate:
		if f.TaskState != zhidu.TaskClaimed {
			fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.DelegateUnclaimed()))
			return
		}
		if f.Assignee != me {
			s.deny(c, "task.delegate", f.Ref.String(), zhidu.DelegateNotAssignee())
			return
		}
		req.Owner = me
	case zhidu.AssignReassign:
		ok, err := s.Authz.Can(me, f.Department, authz.ObjTask, authz.ActReassign)
		if err != nil {
			fail(c, err)
			return
		}
		if !ok {
			s.deny(c, "task.reassign", f.Ref.String(), zhidu.ReassignManagers())
			return
		}
	}
	// A resumed call whose abandoned first call assigned the task in the
	// projection is sent to the workflow again under its key, since a
	// killed worker may have lost it there: a workflow that has it answers
	// without a second assignment, one that lost it applies it and the
	// projection keeps its one record (same event key). Either way the
	// answer is the assignment shown, as the first call's would have been.
	assigned := resumed(c) && f.TaskState == zhidu.TaskClaimed &&
		(kind == zhidu.AssignDelegate && f.Delegate == b.To || kind == zhidu.AssignReassign && f.Assignee == b.To)
	if f.TaskState != zhidu.TaskOpen && f.TaskState != zhidu.TaskClaimed {
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.TaskIs(f.TaskState)))
		return
	}
	to, active, err := s.activeUser(c.Request.Context(), b.To)
	if err != nil {
		fail(c, err)
		return
	}
	if !active {
		fail(c, invalid("to", zhidu.NotActiveUser()))
		return
	}
	req.To = to.Actor()
	var res string
	if err := s.updateTask(c.Request.Context(), f.ProcessID, workflows.UpdateAssignTask, req, &res); err != nil && !assigned {
		s.failOrDeny(c, err, "task."+kind, f.Ref.String())
		return
	}
	s.respondTaskNow(c, http.StatusOK, f.Ref.ID)
}

// activeUser reads a user named in a request: active is false for one
// who does not exist or is disabled (the request's field is then
// invalid); err is any other failure.
func (s *Server) activeUser(ctx context.Context, username string) (u store.User, active bool, err error) {
	u, err = s.Store.User(ctx, username)
	if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
		return u, false, nil
	}
	return u, err == nil && !u.Disabled, err
}

type commentBody struct {
	Body string `json:"body"`
}

func (s *Server) addComment(c *gin.Context) {
	var b commentBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if n := utf8.RuneCountInString(b.Body); n == 0 || n > zhidu.DefaultMaxTextLength {
		fail(c, invalid("body", zhidu.CharRange(1, zhidu.DefaultMaxTextLength)))
		return
	}
	d, ok := s.task(c, zhidu.ActRead)
	if !ok {
		return
	}
	asCompliance, ok := s.mayComment(c, d.Facts)
	if !ok {
		return
	}
	if resumed(c) {
		me := currentUser(c).Username
		for _, cm := range slices.Backward(d.Comments) {
			if cm.Author == me && cm.Body == b.Body {
				c.JSON(http.StatusCreated, cm) // the abandoned first call added it
				return
			}
		}
	}
	if st := d.Facts.TaskState; st != zhidu.TaskOpen && st != zhidu.TaskClaimed {
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.ClosedForComments(st)))
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	cm, err := s.Store.AddComment(c.Request.Context(), v, d.Task, b.Body, asCompliance, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, cm)
}

// mayComment decides whether the caller, who may read the task, may also
// comment on it: reading is not enough. Participants of the task's process
// may (its starter, anyone named on one of its tasks — candidate,
// assignee, delegate, whoever worked a step — or holding one of its
// candidate roles), and so may compliance, whose comment is marked as
// made by compliance. Anyone else gets 403, audited.
func (s *Server) mayComment(c *gin.Context, f zhidu.ObjectFacts) (asCompliance, ok bool) {
	a := currentUser(c).Actor()
	if yes, _ := f.Participant(a); yes {
		return false, true
	}
	if a.HasRole(zhidu.RoleCompliance) {
		return true, true
	}
	s.deny(c, "task.comment", f.Ref.String(), zhidu.CommentParticipants())
	return false, false
}

func (s *Server) listComments(c *gin.Context) {
	if d, ok := s.task(c, zhidu.ActRead); ok {
		c.JSON(http.StatusOK, gin.H{"items": d.Comments})
	}
}
