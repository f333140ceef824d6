package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/matrix"
	"github.com/zhidu/zhidu/metrics"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// storeUsers lets a start's checks look users, the approval matrix and
// projects up in the store (workflows.Users and workflows.Sources).
type storeUsers struct{ Store }

// Running finds the running processes of a kind by a field of their input.
func (u storeUsers) Running(ctx context.Context, kind, field, value string) ([]string, error) {
	return u.Store.RunningWith(ctx, kind, field, value)
}

// Holders finds the users holding a role in a department.
func (u storeUsers) Holders(ctx context.Context, role zhidu.Role, dept zhidu.Department) ([]string, error) {
	return u.Store.Holders(ctx, role, dept)
}

// ApprovalMatrix returns the active version of the approval matrix.
func (u storeUsers) ApprovalMatrix(ctx context.Context) (int, matrix.Matrix, error) {
	active, _, err := u.Store.CurrentMatrix(ctx)
	return active.Version, active.Document, err
}

func (u storeUsers) User(ctx context.Context, username string) (zhidu.Actor, error) {
	su, err := u.Store.User(ctx, username)
	if err != nil {
		return zhidu.Actor{}, err
	}
	return su.Actor(), nil
}

// startProcess starts a process of the descriptor's kind: the body is
// decoded strictly into the kind's start body and prepared by its Prepare
// hook. An Idempotency-Key header makes a retried start return the same
// process.
func (s *Server) startProcess(kind workflows.Descriptor) gin.HandlerFunc {
	return func(c *gin.Context) { s.startKind(c, kind) }
}

func (s *Server) startKind(c *gin.Context, kind workflows.Descriptor) {
	kindName := kind.Kind
	u := currentUser(c)
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 200 {
		fail(c, invalid("Idempotency-Key", zhidu.MaxChars(200)))
		return
	}
	dept := kind.Owner(u.Actor())
	allowed, err := s.Authz.Can(u.Username, dept, authz.StartObject(kindName), authz.ActStart)
	if err != nil {
		fail(c, err)
		return
	}
	if !allowed {
		s.deny(c, "process.start", "process:"+kindName, zhidu.StartDenied(kindName))
		return
	}
	info := zhidu.ProcessInfo{ID: workflows.ProcessID(kindName, u.Username, key), Kind: kindName,
		Department: dept, StartedBy: u.Username}
	body := kind.Body()
	if err := decode(c, body); err != nil {
		fail(c, err)
		return
	}
	input, err := kind.Prepare(c.Request.Context(), body, workflows.StartContext{Starter: actor(c), Process: &info,
		Config: s.Config.Processes[kindName], Users: storeUsers{s.Store}, Data: storeUsers{s.Store}, Objects: storeObjects{s}, Now: s.Now(), Configs: s.Config.Processes})
	if err != nil {
		fail(c, err)
		return
	}
	if s.refuseBlacklisted(c, kind, kind.Record(input), "", kind.Record(input)) {
		return
	}
	ctx := c.Request.Context()
	runID, err := s.Engine.Start(ctx, kind.Workflow, info.ID, input)
	if err != nil {
		fail(c, err)
		return
	}
	created, err := s.Store.PutProcess(ctx, store.Process{ID: info.ID, Kind: kindName, Title: info.Title, Level: info.Level,
		Department: string(info.Department), StartedBy: u.Username, StartedAt: s.Now(), Input: kind.Record(input), Barred: info.Barred, Readers: info.Readers,
		Members: info.Members}, runID,
		store.AuditEntry{Actor: u.Username, Action: "process.start", Object: "process:" + info.ID,
			Decision: "allowed", Address: c.ClientIP(), Detail: map[string]any{"kind": kindName, "level": info.Level.String()}})
	if err != nil {
		fail(c, err)
		return
	}
	if !created {
		if err := s.sameRequest(ctx, info.ID, key, kind.Record(input)); err != nil {
			fail(c, err)
			return
		}
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		metrics.ProcessStarts.WithLabelValues(kindName).Inc()
	}
	s.settle(ctx, info.ID)
	p, f, err := s.process(c, info.ID)
	if err != nil {
		fail(c, err)
		return
	}
	// A process started above its starter's clearance (a misconduct
	// complaint is secret) leaves their sight at once: say so without
	// showing it.
	if d, err := s.Authz.Decide(u.Actor(), f, zhidu.ActRead); err == nil && !d.Allowed {
		note := "registered; its level is above your clearance, so it is no longer visible to you"
		if slices.Contains(info.Barred, u.Username) { // a leak report bars its reporter
			note = "registered; it is no longer visible to you"
		}
		c.JSON(status, gin.H{"id": info.ID, "kind": kindName, "level": info.Level, "state": zhidu.ProcessRunning, "note": note})
		return
	}
	first, err := s.firstTask(c, p)
	if err != nil {
		fail(c, err)
		return
	}
	perms, err := s.permissions(c, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, processView{Process: p, Permissions: perms, FirstTask: first})
}

// settle waits, up to Config.FirstTaskWait, for a process just started to
// settle (its first human task written, if it has one now); a process
// slower than that is answered as it is.
func (s *Server) settle(ctx context.Context, id string) {
	if s.Config.FirstTaskWait <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.Config.FirstTaskWait)
	defer cancel()
	if err := s.Engine.Settle(ctx, id); err != nil && ctx.Err() == nil {
		slog.Warn("settle a started process", "process", id, "error", err)
	}
}

// firstTask returns the first task of p (as the starter reads it) that
// the starter may work — open and theirs to claim, or claimed by them —
// with its comments and permissions, or nil.
func (s *Server) firstTask(c *gin.Context, p store.Process) (*taskView, error) {
	me := currentUser(c).Username
	for _, t := range p.Tasks {
		mine := t.State == zhidu.TaskClaimed && t.Assignee != nil && *t.Assignee == me
		if t.State != zhidu.TaskOpen && !mine {
			continue
		}
		d, err := s.Store.TaskDetail(c.Request.Context(), t.ID, s.Now())
		if err != nil {
			return nil, err
		}
		perms, err := s.permissions(c, d.Facts)
		if err != nil {
			return nil, err
		}
		if perms[zhidu.ActComplete] {
			return &taskView{Task: d.Task, Comments: d.Comments, Permissions: perms}, nil
		}
	}
	return nil, nil
}

type processView struct {
	store.Process
	Permissions map[string]bool `json:"permissions"`
	// FirstTask, on a start, is the process's first task the starter may
	// work, once the process has settled.
	FirstTask *taskView `json:"first_task,omitempty"`
}

// process reads a process, the tasks of it the caller may read, its
// timeline and its facts (one round trip).
func (s *Server) process(c *gin.Context, id string) (store.Process, zhidu.ObjectFacts, error) {
	v, err := s.viewer(c)
	if err != nil {
		return store.Process{}, zhidu.ObjectFacts{Ref: processRef(id)}, err
	}
	return s.Store.Process(c.Request.Context(), v, id, s.Now())
}

// respondProcess answers with a process the caller may read, as read.
func (s *Server) respondProcess(c *gin.Context, status int, p store.Process, f zhidu.ObjectFacts) {
	perms, err := s.permissions(c, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, processView{Process: p, Permissions: perms})
}

// respondProcessNow reads a process again after a change and answers with
// it as the caller may see it now.
func (s *Server) respondProcessNow(c *gin.Context, status int, id string) {
	p, f, err := s.process(c, id)
	if s.readableNow(c, f, err) {
		s.respondProcess(c, status, p, f)
	}
}

func processRef(id string) zhidu.ObjectRef { return zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: id} }

var processStates = []string{string(zhidu.ProcessRunning), string(zhidu.ProcessCompleted), string(zhidu.ProcessCancelled), string(zhidu.ProcessFailed)}

func (s *Server) listProcesses(c *gin.Context) {
	p := queryParams(c)
	f := store.ProcessFilter{
		Kind:          p.str("kind", 64),
		Department:    p.str("department", 32),
		StartedBy:     p.str("started_by", 64),
		StartedAfter:  p.time("started_after"),
		StartedBefore: p.time("started_before"),
		Q:             p.str("q", 200),
		Sort:          p.oneOf("sort", "started_at", "-started_at"),
		Cursor:        p.str("cursor", 500),
		Limit:         p.integer("limit", 1, store.MaxLimit),
	}
	for _, st := range p.list("state", processStates...) {
		f.States = append(f.States, zhidu.ProcessState(st))
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
	page, err := s.Store.Processes(c.Request.Context(), v, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

// getProcess reads the process and decides on its facts: one round trip.
func (s *Server) getProcess(c *gin.Context) {
	p, f, err := s.process(c, c.Param("id"))
	if _, ok := s.decide(c, f, err, zhidu.ActRead); ok {
		s.respondProcess(c, http.StatusOK, p, f)
	}
}

type cancelBody struct {
	Reason string `json:"reason"`
}

// cancelProcess cancels a running process: its starter, heads and VPs of
// its department and the GM's office may.
func (s *Server) cancelProcess(c *gin.Context) {
	id := c.Param("id")
	var b cancelBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if n := utf8.RuneCountInString(b.Reason); n == 0 || n > 2000 {
		fail(c, invalid("reason", zhidu.CharRange(1, 2000)))
		return
	}
	f, ok := s.access(c, processRef(id), zhidu.ActCancel)
	if !ok {
		return
	}
	if !f.Running {
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.NotRunning()))
		return
	}
	var state zhidu.ProcessState
	if err := s.Engine.Update(c.Request.Context(), id, workflows.UpdateCancelProcess, zhidu.CancelProcessRequest{Actor: actor(c), Reason: b.Reason}, &state); err != nil {
		s.failOrDeny(c, err, "process.cancel", "process:"+id)
		return
	}
	s.respondProcessNow(c, http.StatusOK, id)
}

type levelBody struct {
	Level  *zhidu.Level `json:"level"`
	Reason string       `json:"reason"`
}

// setProcessLevel raises a process's level (whoever may write it) or
// lowers it (解密: the GM or a deputy GM only); its tasks follow.
func (s *Server) setProcessLevel(c *gin.Context) {
	id := c.Param("id")
	var b levelBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	errs := map[string]zhidu.Message{}
	if b.Level == nil {
		errs["level"] = zhidu.Required()
	}
	if n := utf8.RuneCountInString(b.Reason); n == 0 || n > 2000 {
		errs["reason"] = zhidu.CharRange(1, 2000)
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotChangeLevel(), errs))
		return
	}
	f, ok := s.access(c, processRef(id), zhidu.ActWrite)
	if !ok {
		return
	}
	u := currentUser(c)
	switch {
	case !f.Running:
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.NotRunning()))
		return
	case *b.Level < f.Level && !u.Actor().IsLeadership():
		s.deny(c, "process.level", f.Ref.String(), zhidu.LowerLeadership())
		return
	case *b.Level > u.Clearance && !u.Actor().IsLeadership():
		fail(c, invalid("level", zhidu.AboveClearance()))
		return
	}
	var level zhidu.Level
	if err := s.Engine.Update(c.Request.Context(), id, workflows.UpdateSetLevel,
		zhidu.SetLevelRequest{Actor: actor(c), Level: *b.Level, Reason: b.Reason}, &level); err != nil {
		s.failOrDeny(c, err, "process.level", f.Ref.String())
		return
	}
	s.respondProcessNow(c, http.StatusOK, id)
}

// sameRequest refuses an Idempotency-Key reused with a different request:
// answering with the first process would hide that the second was never
// started.
func (s *Server) sameRequest(ctx context.Context, id, key string, input map[string]any) error {
	p, err := s.Store.ProcessInternal(ctx, id)
	if err != nil {
		return err
	}
	was, _ := json.Marshal(p.Input)
	now, _ := json.Marshal(input)
	if !bytes.Equal(was, now) {
		return zhidu.Fail(zhidu.CodeConflict, zhidu.IdempotencyReused(key))
	}
	return nil
}
