package api

import (
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

var taskStates = []string{string(zhidu.TaskOpen), string(zhidu.TaskClaimed), string(zhidu.TaskCompleted), string(zhidu.TaskCancelled)}

// listTasks serves the inbox: my tasks and those I may claim.
func (s *Server) listTasks(c *gin.Context) {
	p := queryParams(c)
	f := store.TaskFilter{
		Scope:      p.oneOf("scope", store.ScopeMine, store.ScopeClaimable, store.ScopeCompleted),
		Kind:       p.str("kind", 64),
		Department: p.str("department", 32),
		Overdue:    p.boolean("overdue"),
		DueBefore:  p.time("due_before"),
		DueAfter:   p.time("due_after"),
		Priority:   p.integer("priority", zhidu.PriorityLow, zhidu.PriorityUrgent),
		Q:          p.str("q", 200),
		Sort:       p.oneOf("sort", "created_at", "-created_at", "due_at", "-due_at", "priority", "-priority"),
		Cursor:     p.str("cursor", 500),
		Limit:      p.integer("limit", 1, store.MaxLimit),
	}
	for _, st := range p.list("state", taskStates...) {
		f.States = append(f.States, zhidu.TaskState(st))
	}
	if err := p.err(); err != nil {
		fail(c, err)
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

type taskView struct {
	store.Task
	Comments []store.Comment `json:"comments"`
}

// loadTask returns a task the caller may read; anything else is 404.
func (s *Server) loadTask(c *gin.Context) (store.Task, store.Viewer, bool) {
	v, err := s.viewer(c)
	if err == nil {
		var t store.Task
		if t, err = s.Store.Task(c.Request.Context(), v, c.Param("id"), s.Now()); err == nil {
			return t, v, true
		}
	}
	fail(c, err)
	return store.Task{}, v, false
}

func (s *Server) respondTask(c *gin.Context, status int, v store.Viewer, id string) {
	t, err := s.Store.Task(c.Request.Context(), v, id, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	comments, err := s.Store.Comments(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, taskView{Task: t, Comments: comments})
}

func (s *Server) getTask(c *gin.Context) {
	t, v, ok := s.loadTask(c)
	if ok {
		s.respondTask(c, http.StatusOK, v, t.ID)
	}
}

func (s *Server) claimTask(c *gin.Context) {
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := s.Store.Claim(c.Request.Context(), v, c.Param("id"), s.Now()); err != nil {
		s.failOrDeny(c, err, "task.claim", "task:"+c.Param("id"))
		return
	}
	s.respondTask(c, http.StatusOK, v, c.Param("id"))
}

// failOrDeny audits a forbidden action before answering.
func (s *Server) failOrDeny(c *gin.Context, err error, action, object string) {
	var e *zhidu.Error
	if errors.As(err, &e) && e.Code == zhidu.CodeForbidden {
		s.deny(c, action, object, e.Message)
		return
	}
	fail(c, err)
}

func (s *Server) unclaimTask(c *gin.Context) {
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := s.Store.Unclaim(c.Request.Context(), v, c.Param("id"), s.Now()); err != nil {
		fail(c, err)
		return
	}
	s.respondTask(c, http.StatusOK, v, c.Param("id"))
}

type completeBody struct {
	Outcome string         `json:"outcome"`
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
	t, v, ok := s.loadTask(c)
	if !ok {
		return
	}
	if utf8.RuneCountInString(b.Comment) > zhidu.DefaultMaxTextLength {
		fail(c, invalid("comment", "is too long"))
		return
	}
	me := currentUser(c).Username
	req := zhidu.CompleteTaskRequest{TaskID: t.ID, Actor: actor(c), Outcome: b.Outcome, Comment: b.Comment}
	if b.Data != nil {
		req.Data = normalise(b.Data).(map[string]any)
	}
	switch {
	case t.State == zhidu.TaskOpen:
		fail(c, zhidu.Errorf(zhidu.CodeConflict, "claim the task before completing it"))
		return
	case t.State != zhidu.TaskClaimed:
		fail(c, zhidu.Errorf(zhidu.CodeConflict, "the task is %s", t.State))
		return
	case t.Assignee == nil:
		fail(c, zhidu.Errorf(zhidu.CodeConflict, "the task has no assignee"))
		return
	case *t.Assignee == me:
		req.Assignee = me
	case t.Delegate != nil && *t.Delegate == me:
		req.Assignee, req.OnBehalfOf = *t.Assignee, *t.Assignee
	default:
		s.deny(c, "task.complete", "task:"+t.ID, "you are not the assignee of this task")
		return
	}
	if errs := t.Form.Validate(b.Outcome, req.Data); errs != nil {
		fail(c, zhidu.Invalid("the form is not complete", errs))
		return
	}
	var res zhidu.CompleteTaskResult
	if err := s.Engine.Update(c.Request.Context(), t.ProcessID, workflows.UpdateCompleteTask, req, &res); err != nil {
		s.failOrDeny(c, err, "task.complete", "task:"+t.ID)
		return
	}
	s.respondTask(c, http.StatusOK, v, t.ID)
}

type assignBody struct {
	To   string `json:"to"`
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
		fail(c, invalid("to", "is required"))
		return
	}
	if utf8.RuneCountInString(b.Note) > 2000 {
		fail(c, invalid("note", "must be at most 2000 characters"))
		return
	}
	t, v, ok := s.loadTask(c)
	if !ok {
		return
	}
	me := currentUser(c).Username
	req := zhidu.AssignTaskRequest{TaskID: t.ID, Kind: kind, Actor: actor(c), Note: b.Note}
	switch kind {
	case zhidu.AssignDelegate:
		if t.State != zhidu.TaskClaimed || t.Assignee == nil || *t.Assignee != me {
			if t.State != zhidu.TaskClaimed {
				fail(c, zhidu.Errorf(zhidu.CodeConflict, "only a claimed task can be delegated"))
			} else {
				s.deny(c, "task.delegate", "task:"+t.ID, "only the assignee may delegate this task")
			}
			return
		}
		req.Owner = me
	case zhidu.AssignReassign:
		ok, err := s.Authz.Can(me, zhidu.Department(t.Department), authz.ObjTask, authz.ActReassign)
		if err != nil {
			fail(c, err)
			return
		}
		if !ok {
			s.deny(c, "task.reassign", "task:"+t.ID, "only managers of the task's department may reassign it")
			return
		}
	}
	if t.State != zhidu.TaskOpen && t.State != zhidu.TaskClaimed {
		fail(c, zhidu.Errorf(zhidu.CodeConflict, "the task is %s", t.State))
		return
	}
	to, err := s.Store.User(c.Request.Context(), b.To)
	if err != nil && zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		fail(c, err)
		return
	}
	if err != nil || to.Disabled {
		fail(c, invalid("to", "is not an active user"))
		return
	}
	req.To = to.Actor()
	var res string
	if err := s.Engine.Update(c.Request.Context(), t.ProcessID, workflows.UpdateAssignTask, req, &res); err != nil {
		s.failOrDeny(c, err, "task."+kind, "task:"+t.ID)
		return
	}
	s.respondTask(c, http.StatusOK, v, t.ID)
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
		fail(c, invalid("body", "must be 1 to 4000 characters"))
		return
	}
	t, v, ok := s.loadTask(c)
	if !ok {
		return
	}
	cm, err := s.Store.AddComment(c.Request.Context(), v, t.ID, b.Body, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, cm)
}

func (s *Server) listComments(c *gin.Context) {
	t, _, ok := s.loadTask(c)
	if !ok {
		return
	}
	cs, err := s.Store.Comments(c.Request.Context(), t.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": cs})
}
