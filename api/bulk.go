package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
)

// MaxBulkTasks is how many tasks one bulk call may name.
const MaxBulkTasks = 100

// bulkActions are the single-task handlers a bulk call may run.
var bulkActions = []string{"claim", "unclaim", "complete", "reassign"}

type bulkBody struct {
	Action  string         `json:"action" text:"line"`
	Tasks   []string       `json:"tasks"`
	Outcome string         `json:"outcome" text:"line"`
	Data    map[string]any `json:"data"`
	Comment string         `json:"comment"`
	To      string         `json:"to" text:"line"`
	Note    string         `json:"note"`
}

// BulkResult is one task's answer in a bulk call: the status and error
// the single-task call would have answered.
type BulkResult struct {
	Task   string          `json:"task"`
	Status int             `json:"status"`
	Error  json.RawMessage `json:"error,omitempty"`
}

type bulkAnswer struct {
	Action  string       `json:"action"`
	Results []BulkResult `json:"results"`
}

// bulkTasks runs one single-task action on up to MaxBulkTasks tasks.
// Each task goes through the very handler its own route runs, with the
// caller's identity (the caller was authenticated, rate-limited and
// idempotency-checked once, for the whole call), so its status, its
// error, its denial audit and its timeline are the single call's.
func (s *Server) bulkTasks(c *gin.Context) {
	var b bulkBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if err := b.check(); err != nil {
		fail(c, err)
		return
	}
	s.runBulk(c, b)
}

func (b bulkBody) check() error {
	fields := map[string]zhidu.Message{}
	handler := map[string]bool{}
	for _, a := range bulkActions {
		handler[a] = true
	}
	switch {
	case b.Action == "":
		fields["action"] = zhidu.Required()
	case !handler[b.Action]:
		fields["action"] = zhidu.OneOf(bulkActions)
	case b.Action == "complete" && b.Outcome == "":
		fields["outcome"] = zhidu.Required()
	case b.Action == "reassign" && b.To == "":
		fields["to"] = zhidu.Required()
	}
	switch {
	case len(b.Tasks) == 0:
		fields["tasks"] = zhidu.RowsMin(1)
	case len(b.Tasks) > MaxBulkTasks:
		fields["tasks"] = zhidu.RowsMax(MaxBulkTasks)
	default:
		seen := map[string]bool{}
		for _, id := range b.Tasks {
			switch {
			case id == "" || strings.ContainsAny(id, "/?#"):
				fields["tasks"] = zhidu.EachItem(zhidu.InvalidField("task"))
			case len(id) > 200:
				fields["tasks"] = zhidu.EachItem(zhidu.MaxChars(200))
			case seen[id]:
				fields["tasks"] = zhidu.DuplicateKey()
			}
			seen[id] = true
		}
	}
	for _, f := range []string{"action", "outcome", "to", "tasks"} {
		if _, ok := fields[f]; ok {
			return zhidu.Invalid(zhidu.InvalidField(f), fields)
		}
	}
	return nil
}

// runBulk runs b's action on each of its tasks in order.
func (s *Server) runBulk(c *gin.Context, b bulkBody) {
	var run gin.HandlerFunc
	var body []byte
	switch b.Action {
	case "claim":
		run = s.claimTask
	case "unclaim":
		run = s.unclaimTask
	case "complete":
		run = s.completeTask
		body, _ = json.Marshal(completeBody{Outcome: b.Outcome, Data: b.Data, Comment: b.Comment})
	case "reassign":
		run = s.reassignTask
		body, _ = json.Marshal(assignBody{To: b.To, Note: b.Note})
	}
	out := bulkAnswer{Action: b.Action, Results: make([]BulkResult, 0, len(b.Tasks))}
	for _, id := range b.Tasks {
		out.Results = append(out.Results, s.runOne(c, run, b.Action, id, body))
	}
	c.JSON(http.StatusOK, out)
}

// runOne runs one single-task handler in-process, as its route would.
func (s *Server) runOne(c *gin.Context, run gin.HandlerFunc, action, id string, body []byte) BulkResult {
	w := httptest.NewRecorder()
	ic := gin.CreateTestContextOnly(w, s.addresses)
	r := c.Request.Clone(c.Request.Context())
	r.Method = http.MethodPost
	r.URL.Path = "/api/v1/tasks/" + id + "/" + action
	r.URL.RawPath = ""
	r.Body = http.NoBody
	r.ContentLength = 0
	if body != nil {
		r.Body = readCloser{bytes.NewReader(body)}
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/json")
	}
	ic.Request = r
	ic.Params = gin.Params{{Key: "id", Value: id}}
	ic.Set(userKey, currentUser(c))
	if resumed(c) {
		ic.Set(resumedKey, true)
	}
	if h, ok := c.Get(callKey); ok {
		ic.Set(callKey, h)
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				fail(ic, zhidu.Errorf(zhidu.CodeInternal, "bulk %s %s: %v", action, id, p))
			}
		}()
		run(ic)
	}()
	ic.Writer.WriteHeaderNow()
	res := BulkResult{Task: id, Status: w.Code}
	if w.Code >= 300 {
		var e struct {
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(w.Body.Bytes(), &e) == nil {
			res.Error = e.Error
		}
	}
	return res
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
