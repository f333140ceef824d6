package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// inboxTabs are the inbox's tabs, each a query of GET /api/v1/tasks.
var inboxTabs = []struct {
	Name  string
	Query url.Values
}{
	{"mine", url.Values{"scope": {store.ScopeMine}}},
	{"claimable", url.Values{"scope": {store.ScopeClaimable}}},
	{"overdue", url.Values{"overdue": {"true"}}},
	{"completed", url.Values{"scope": {store.ScopeCompleted}}},
}

// inboxFilters are the API's task filters the inbox form offers.
var inboxFilters = []string{"kind", "department", "priority", "due_after", "due_before", "q", "sort"}

type tabView struct {
	Name   string
	URL    string
	Count  int
	Active bool
	// For is the absent user of a "for A" tab (the tasks the viewer sees
	// as their substitute, GET /api/v1/tasks?for=A); ForName their name.
	For, ForName string
}

// forTab is "for A"'s tab name; its link names A in the "for" parameter.
const forTab = "for"

// substituteTabs are the "for A" tabs: one per absent user whose window
// is open now, in the order of the windows.
func (c *rc) substituteTabs(now time.Time) []struct {
	Name, For, ForName string
	Query              url.Values
} {
	var out []struct {
		Name, For, ForName string
		Query              url.Values
	}
	var windows struct {
		Covering []zhidu.Substitution `json:"covering"`
	}
	if res := c.get("/api/v1/me/substitute", nil, &windows); !res.ok() {
		return nil // no tab rather than no inbox
	}
	seen := map[string]bool{}
	for _, w := range windows.Covering {
		a := w.Absent.Username
		if !w.Open(now) || seen[a] {
			continue
		}
		seen[a] = true
		name := w.Absent.Name
		if name == "" {
			name = a
		}
		out = append(out, struct {
			Name, For, ForName string
			Query              url.Values
		}{forTab, a, name, url.Values{"for": {a}}})
	}
	return out
}

// savedViewTab is one saved view (GET /api/v1/me/views) as an inbox tab.
type savedViewTab struct {
	ID     string
	Name   string
	Owner  string
	Shared string // the department it is shared with, if any
	URL    string
	Count  int
	Active bool
	Mine   bool // the signed-in user's own: they may delete it
}

// viewFilterField is how the save-view form carries one filter.
const viewFilterField = "f."

type inboxView struct {
	Tabs []tabView
	Tab  string
	// For is the absent user whose tasks the "for A" tab shown lists
	// (each row says "for A"; a claim there is made for A); ForName
	// their name.
	For, ForName string
	Views        []savedViewTab
	View         string // the saved view shown, if any
	ViewName     string
	// SaveFilters are the filters of the list shown, as the API takes
	// them: what "save as a view" saves.
	SaveFilters map[string]string
	ShareWith   []string // the departments a view may be shared with
	Tasks       []store.Task
	Total       int
	NextURL     string
	Filter      map[string]string
	FilterOpen  bool
	FieldErrors map[string]string
	Kinds       []string
	Departments []string
	Priorities  []int
	Sorts       []string
	Me          string
	// Resets are the credential resets waiting for the user's decision.
	Resets []store.CredentialReset
}

// inbox serves "/": the signed-in user's tasks by tab, with counts.
func (s *server) inbox(c *rc) {
	q := c.r.URL.Query()
	tab := q.Get("tab")
	type tabDef = struct {
		Name, For, ForName string
		Query              url.Values
	}
	var tabs []tabDef
	for _, t := range inboxTabs {
		tabs = append(tabs, tabDef{Name: t.Name, Query: t.Query})
	}
	tabs = append(tabs, c.substituteTabs(s.now())...)
	forUser := ""
	if tab == forTab {
		forUser = q.Get("for")
	}
	found := false
	for _, t := range tabs {
		found = found || t.Name == tab && t.For == forUser
	}
	if !found {
		tab, forUser = "mine", ""
	}
	v := inboxView{Tab: tab, Filter: map[string]string{}, Kinds: kindNames(),
		Priorities: []int{zhidu.PriorityUrgent, zhidu.PriorityHigh, zhidu.PriorityNormal, zhidu.PriorityLow},
		Sorts:      []string{"-created_at", "created_at", "due_at", "-due_at", "-priority"}, Me: c.me.Username}
	for _, d := range zhidu.Departments() {
		v.Departments = append(v.Departments, string(d))
	}
	filters := url.Values{}
	for _, f := range inboxFilters {
		if val := q.Get(f); val != "" {
			v.Filter[f] = val
			v.FilterOpen = true
			filters.Set(f, val)
		}
	}
	apiFilters := c.apiTaskFilters(filters)
	var views struct {
		Items []store.SavedView `json:"items"`
	}
	var shown *store.SavedView
	if res := c.get("/api/v1/me/views", nil, &views); res.ok() {
		for i, sv := range views.Items {
			tab := savedViewTab{ID: sv.ID, Name: sv.Name, Owner: sv.Owner, URL: "/?" + url.Values{"view": {sv.ID}}.Encode(),
				Count: sv.Count, Mine: sv.Owner == c.me.Username, Active: sv.ID == q.Get("view")}
			if sv.SharedWith != nil {
				tab.Shared = *sv.SharedWith
			}
			if tab.Active {
				shown = &views.Items[i]
				v.View, v.ViewName = sv.ID, sv.Name
			}
			v.Views = append(v.Views, tab)
		}
	}
	v.ShareWith = c.me.departments()
	var page store.Page[store.Task]
	var listErr apiResult
	if shown != nil {
		// A saved view's list: its filters, as saved, under the user's
		// own read rule (the API's).
		query := url.Values{"limit": {"50"}}
		for k, val := range shown.Filters {
			query.Set(k, val)
		}
		if cur := q.Get("cursor"); cur != "" {
			query.Set("cursor", cur)
		}
		if res := c.get("/api/v1/tasks", query, &page); !res.ok() {
			listErr = res
		}
		v.SaveFilters = shown.Filters
	}
	for _, t := range tabs {
		query := url.Values{}
		for k, vs := range apiFilters {
			query[k] = vs
		}
		for k, vs := range t.Query {
			query[k] = vs
		}
		link := url.Values{"tab": {t.Name}}
		for k, vs := range filters {
			link[k] = vs
		}
		if t.For != "" {
			link.Set("for", t.For)
		}
		tv := tabView{Name: t.Name, URL: "/?" + link.Encode(), Active: t.Name == tab && t.For == forUser && shown == nil,
			For: t.For, ForName: t.ForName}
		if tv.Active {
			v.SaveFilters = map[string]string{}
			for k := range query {
				if k != "for" { // a saved view is the viewer's own list
					v.SaveFilters[k] = query.Get(k)
				}
			}
			v.For, v.ForName = t.For, t.ForName
			query.Set("limit", "50")
			if cur := q.Get("cursor"); cur != "" {
				query.Set("cursor", cur)
			}
			res := c.get("/api/v1/tasks", query, &page)
			if !res.ok() {
				listErr = res
			}
			tv.Count = page.Total
		} else {
			query.Set("limit", "1")
			if t.For != "" {
				// "for A" counts what a page shows of A's tasks (the
				// substitute's read rule filters the page, not the query).
				query.Set("limit", strconv.Itoa(store.MaxLimit))
			}
			var counted store.Page[store.Task]
			if res := c.get("/api/v1/tasks", query, &counted); res.ok() {
				tv.Count = counted.Total
			}
		}
		v.Tabs = append(v.Tabs, tv)
	}
	p := pageFor(c, "inbox", c.T("inbox.title"))
	status := http.StatusOK
	if listErr.Status != 0 {
		if listErr.Status != http.StatusBadRequest {
			c.apiFail(listErr)
			return
		}
		status = http.StatusBadRequest
		v.FieldErrors = map[string]string{}
		for k, m := range listErr.fields() {
			v.FieldErrors[k] = translateMessage(c.lang, m)
		}
		p.Error = c.errMessage(listErr)
	}
	v.Tasks, v.Total = page.Items, page.Total
	v.Resets = c.pendingResets()
	if page.NextCursor != "" && shown != nil {
		v.NextURL = "/?" + url.Values{"view": {shown.ID}, "cursor": {page.NextCursor}}.Encode()
	} else if page.NextCursor != "" {
		next := url.Values{"tab": {tab}, "cursor": {page.NextCursor}}
		for k, vs := range filters {
			next[k] = vs
		}
		if forUser != "" {
			next.Set("for", forUser)
		}
		v.NextURL = "/?" + next.Encode()
	}
	if p.Flash == "" {
		p.Flash = c.bulkSummary(q)
	}
	p.Data = v
	c.render(status, "inbox", p)
}

// apiTaskFilters turns the inbox form's values into the API's: dates
// become the start of that day (due_after) or of the next day
// (due_before, so the day itself is included) in the display time zone.
func (c *rc) apiTaskFilters(f url.Values) url.Values {
	out := url.Values{}
	for k, vs := range f {
		out[k] = vs
	}
	for _, k := range []string{"due_after", "due_before"} {
		val := f.Get(k)
		if val == "" {
			continue
		}
		d, err := time.ParseInLocation(time.DateOnly, val, c.cfg.Location)
		if err != nil {
			continue // sent as typed: the API says what is wrong
		}
		if k == "due_before" {
			d = d.AddDate(0, 0, 1)
		}
		out.Set(k, d.Format(time.RFC3339))
	}
	return out
}

func pageFor(c *rc, nav, title string) page {
	return page{Nav: nav, Title: title}
}

// saveView saves the filters the inbox form carries (viewFilterField
// fields) under a name, optionally shared with a department.
func (s *server) saveView(c *rc) {
	if err := c.r.ParseForm(); err != nil {
		c.fail(http.StatusBadRequest, c.T("error.fields"))
		return
	}
	filters := map[string]string{}
	for k, vs := range c.r.PostForm {
		if f, ok := strings.CutPrefix(k, viewFilterField); ok && len(vs) > 0 && vs[0] != "" {
			filters[f] = vs[0]
		}
	}
	body := map[string]any{"name": strings.TrimSpace(c.r.PostFormValue("name")), "filters": filters}
	if d := c.r.PostFormValue("shared_with"); d != "" {
		body["shared_with"] = d
	}
	var out store.SavedView
	if res := c.post("/api/v1/me/views", body, &out); !res.ok() {
		c.apiFail(res)
		return
	}
	http.Redirect(c.w, c.r, "/?"+url.Values{"view": {out.ID}, "ok": {"view_saved"}}.Encode(), http.StatusSeeOther)
}

// deleteView deletes one of the user's saved views.
func (s *server) deleteView(c *rc) {
	if res := c.call(http.MethodDelete, "/api/v1/me/views/"+url.PathEscape(c.r.PathValue("id")), nil, nil); !res.ok() {
		c.apiFail(res)
		return
	}
	http.Redirect(c.w, c.r, "/?ok=view_deleted", http.StatusSeeOther)
}

// departments are those the user belongs to (their own, and each they
// hold a role in): the API shares a view with one of these only.
func (m *me) departments() []string {
	var out []string
	add := func(d string) {
		if zhidu.Department(d).Valid() && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	add(m.Department)
	for _, g := range m.Roles {
		add(string(g.Department))
	}
	slices.Sort(out)
	return out
}
