package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// taskJSON is GET /api/v1/tasks/{id}.
type taskJSON struct {
	store.Task
	Comments    []store.Comment `json:"comments"`
	Permissions map[string]bool `json:"permissions"`
}

// processJSON is GET /api/v1/processes/{id}.
type processJSON struct {
	store.Process
	Permissions map[string]bool `json:"permissions"`
}

// taskView is the task page.
type taskView struct {
	Task    taskJSON
	Title   string
	Process *processJSON
	Summary []kv
	// SummaryInContext: the context repeats the process's input (the
	// complaint register entry), so the summary starts folded.
	SummaryInContext bool
	Context          []kv
	Submitted        []kv
	Done             bool // completed or cancelled: the result instead of the form
	Form             formView
	Live             bool // claimed by me or delegated to me: the form can be submitted
	CanClaim         bool
	CanUnclaim       bool
	CanDelegate      bool
	Comment          string
	CommentErr       string
	NewComment       string
	NewCommErr       string
	DelegateTo       string
	DelegateMsg      string
	DelegateErr      map[string]string
	Timeline         []timelineView

	// MatrixChanges: a matrix_change task's changes as a table, while the
	// version awaits the GM (matrix.go pendingChanges).
	MatrixChanges []changeView

	// Purchase: a requisition's cards (purchase.go).
	Purchase *purchaseView
}

// taskInput is what a failed action keeps to show again: the entered
// values and the API's answer.
type taskInput struct {
	status      int
	err         string
	values      map[string]any
	fieldErrs   map[string]zhidu.Message
	comment     string
	newComment  string
	delegateTo  string
	delegateMsg string
}

// kindTasks fill the task page of a kind that shows its steps' context
// its own way (a matrix change's differences, a requisition's cards), by
// kind: each returns the context left to show generically and the names of
// choices; each kind's file adds its own (matrix.go, purchase.go), so this
// page names none.
var kindTasks = map[string]func(c *rc, v *taskView, t taskJSON, p processJSON) (map[string]any, choiceNames){}

func (s *server) taskPage(c *rc) { c.renderTask(c.r.PathValue("id"), taskInput{status: http.StatusOK}) }

// renderTask renders the task page as the API shows the task to the user
// now, with what a failed action left to show.
func (c *rc) renderTask(id string, in taskInput) {
	var t taskJSON
	if res := c.get("/api/v1/tasks/"+url.PathEscape(id), nil, &t); !res.ok() {
		c.apiFail(res)
		return
	}
	v := taskView{Task: t, Title: localText(c.lang, t.Title), Comment: in.comment, NewComment: in.newComment,
		DelegateTo: in.delegateTo, DelegateMsg: in.delegateMsg, DelegateErr: map[string]string{}}
	var p processJSON
	var form zhidu.Form // the kind's start form labels what its steps show of the start
	context := t.Context
	if res := c.get("/api/v1/processes/"+url.PathEscape(t.ProcessID), nil, &p); res.ok() {
		v.Process = &p
		form = startFormOf(p.Kind)
		v.Summary = describeWith(c.lang, form, p.Input)
		v.Timeline = timeline(c.lang, p.Timeline)
	}
	var names choiceNames // choices shown by name (a purchase's suppliers)
	if page := kindTasks[p.Kind]; page != nil {
		context, names = page(c, &v, t, p)
	}
	v.Context = describeWith(c.lang, form, context)
	_, v.SummaryInContext = t.Context["intake"]
	me := c.me.Username
	assignee, delegate := deref(t.Assignee), deref(t.Delegate)
	active := t.State == zhidu.TaskOpen || t.State == zhidu.TaskClaimed
	v.Live = t.State == zhidu.TaskClaimed && (assignee == me || delegate == me)
	v.CanClaim = t.State == zhidu.TaskOpen && t.Permissions[zhidu.ActComplete]
	v.CanUnclaim = t.State == zhidu.TaskClaimed && assignee == me
	v.CanDelegate = t.State == zhidu.TaskClaimed && assignee == me
	values := in.values
	if values == nil {
		values = t.Data
	}
	if active {
		v.Form = buildForm(c.lang, t.Form, values, in.fieldErrs, "data.", !v.Live, names)
	} else {
		v.Done, v.Submitted = true, describeData(c.lang, t.Form, t.Data, names)
	}
	if msg, ok := in.fieldErrs["outcome"]; ok {
		v.Form.Error = translateMessage(c.lang, msg)
	}
	if msg, ok := in.fieldErrs["comment"]; ok {
		v.CommentErr = translateMessage(c.lang, msg)
	}
	if msg, ok := in.fieldErrs["body"]; ok {
		v.NewCommErr = translateMessage(c.lang, msg)
	}
	for _, f := range []string{"to", "note"} {
		if msg, ok := in.fieldErrs[f]; ok {
			v.DelegateErr[f] = translateMessage(c.lang, msg)
		}
	}
	pg := pageFor(c, "inbox", v.Title)
	pg.Error = in.err
	if t.Level == zhidu.TopSecret {
		pg.Watermark = c.watermark()
	}
	pg.Data = v
	c.render(in.status, "task", pg)
}

// watermark is the text repeated across a top-secret page: who is
// looking, and when.
func (c *rc) watermark() string {
	name := c.me.Name
	if c.lang == "en" && c.me.NameEn != "" {
		name = c.me.NameEn
	}
	return fmt.Sprintf("%s %s %s", name, c.me.Username, c.now().In(c.cfg.Location).Format("2006-01-02 15:04"))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func localText(lang string, t zhidu.Text) string {
	if lang == "en" || t.Zh == "" {
		return t.En
	}
	return t.Zh
}

// taskAction performs a task action through the API and comes back to the
// task page: on success with a note (post/redirect/get), on failure with
// the API's messages and the entered values.
func (s *server) taskAction(c *rc) {
	id := c.r.PathValue("id")
	apiPath := "/api/v1/tasks/" + url.PathEscape(id)
	var res apiResult
	in := taskInput{}
	switch action := c.r.PathValue("action"); action {
	case "claim", "unclaim":
		res = c.post(apiPath+"/"+action, nil, nil)
	case "complete":
		var t taskJSON
		if res := c.get(apiPath, nil, &t); !res.ok() {
			c.apiFail(res)
			return
		}
		data := parseForm(t.Form, c.r.PostForm)
		in.values, in.comment = data, c.r.PostFormValue("comment")
		res = c.post(apiPath+"/complete", map[string]any{"outcome": c.r.PostFormValue("outcome"), "data": data,
			"comment": strings.TrimSpace(in.comment)}, nil)
	case "delegate":
		in.delegateTo, in.delegateMsg = strings.TrimSpace(c.r.PostFormValue("to")), c.r.PostFormValue("note")
		res = c.post(apiPath+"/delegate", map[string]any{"to": in.delegateTo, "note": strings.TrimSpace(in.delegateMsg)}, nil)
	case "comment":
		in.newComment = c.r.PostFormValue("body")
		res = c.post(apiPath+"/comments", map[string]any{"body": strings.TrimSpace(in.newComment)}, nil)
	default:
		c.notFound()
		return
	}
	if res.ok() {
		http.Redirect(c.w, c.r, "/tasks/"+url.PathEscape(id)+"?ok="+c.r.PathValue("action"), http.StatusSeeOther)
		return
	}
	if res.Status == http.StatusNotFound || res.Status == http.StatusUnauthorized || res.Status >= 500 {
		c.apiFail(res)
		return
	}
	in.status, in.err, in.fieldErrs = res.Status, c.errMessage(res), res.fields()
	c.renderTask(id, in)
}
