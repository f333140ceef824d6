package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// bulkAction runs the inbox's bulk form (POST /tasks/bulk, a plain HTML
// form) through POST /api/v1/tasks/bulk and comes back to the inbox with
// a summary of the results in the query (post/redirect/get).
func (s *server) bulkAction(c *rc) {
	action := c.r.PostFormValue("action")
	tab := c.r.PostFormValue("tab")
	back := url.Values{}
	if tab != "" {
		back.Set("tab", tab)
	}
	if f := c.r.PostFormValue("for"); tab == forTab && f != "" {
		back.Set("for", f) // the "for A" tab the form was on
	}
	tasks := c.r.PostForm["task"]
	to := strings.TrimSpace(c.r.PostFormValue("to"))
	if !webBulkActions[action] {
		c.fail(http.StatusBadRequest, c.T("bulk.bad_action"))
		return
	}
	if action == "reassign" && to == "" {
		c.fail(http.StatusBadRequest, c.T("bulk.reassign_to_missing"))
		return
	}
	if len(tasks) == 0 {
		back.Set("bulk", action)
		back.Set("ok", "0")
		http.Redirect(c.w, c.r, "/?"+back.Encode(), http.StatusSeeOther)
		return
	}
	var out struct {
		Results []struct {
			Task   string `json:"task"`
			Status int    `json:"status"`
		} `json:"results"`
	}
	body := map[string]any{"action": action, "tasks": tasks}
	if action == "reassign" {
		body["to"] = to
	}
	res := c.post("/api/v1/tasks/bulk", body, &out)
	if !res.ok() {
		c.apiFail(res)
		return
	}
	ok := 0
	var failed []string
	for _, r := range out.Results {
		if r.Status < 300 {
			ok++
		} else {
			failed = append(failed, fmt.Sprintf("%s:%d", r.Task, r.Status))
		}
	}
	back.Set("bulk", action)
	back.Set("ok", strconv.Itoa(ok))
	if len(failed) > 0 {
		back.Set("failed", strings.Join(failed, ","))
	}
	http.Redirect(c.w, c.r, "/?"+back.Encode(), http.StatusSeeOther)
}

// bulkSummary is the flash the inbox shows after a bulk action: "3
// claimed, 1 failed: ID: reason".
func (c *rc) bulkSummary(q url.Values) string {
	action := q.Get("bulk")
	if !webBulkActions[action] {
		return ""
	}
	n, _ := strconv.Atoi(q.Get("ok"))
	sum := c.T("bulk.done."+action, n)
	var parts []string
	for _, f := range strings.Split(q.Get("failed"), ",") {
		id, st, found := strings.Cut(f, ":")
		if !found || !taskIDShape.MatchString(id) {
			continue // only what a task ID looks like: the query is anyone's link
		}
		why := "bulk.reason.other"
		switch st {
		case "404":
			why = "bulk.reason.not_found"
		case "409":
			why = "bulk.reason.conflict"
		case "403":
			why = "bulk.reason.forbidden"
		case "400":
			why = "bulk.reason.invalid"
		}
		parts = append(parts, id+" "+c.T(why))
	}
	if len(parts) > 0 {
		sum += c.T("bulk.failed", len(parts), strings.Join(parts, c.T("bulk.sep")))
	}
	return sum
}

// webBulkActions are the bulk form's actions (complete needs a form per
// step, so the inbox does not offer it).
var webBulkActions = map[string]bool{"claim": true, "unclaim": true, "reassign": true}

var taskIDShape = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)
